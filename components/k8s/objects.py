"""Turn rendered manifests into pulumi_kubernetes resources, unchanged.

Built-in kinds become their typed resource (`k8s.core.v1.Namespace(...)` etc.), with the manifest's
top-level fields passed as that resource's arguments; anything else is a custom resource.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes import _utilities

from .manifests import Manifest

# Built-in kinds and the SDK module that holds each typed resource. Only the modules a program uses
# are imported (see `typed`): pulumi_kubernetes' API groups cost tens of milliseconds each to load.
TYPED: dict[tuple[str, str], str] = {
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"): "admissionregistration.v1",
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"): "admissionregistration.v1",
    ("apps/v1", "DaemonSet"): "apps.v1",
    ("v1", "Namespace"): "core.v1",
    ("v1", "ResourceQuota"): "core.v1",
    ("v1", "LimitRange"): "core.v1",
    ("v1", "ServiceAccount"): "core.v1",
    ("v1", "PersistentVolume"): "core.v1",
    ("v1", "PersistentVolumeClaim"): "core.v1",
    ("networking.k8s.io/v1", "NetworkPolicy"): "networking.v1",
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): "rbac.v1",
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): "rbac.v1",
    ("rbac.authorization.k8s.io/v1", "Role"): "rbac.v1",
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): "rbac.v1",
    ("scheduling.k8s.io/v1", "PriorityClass"): "scheduling.v1",
    ("storage.k8s.io/v1", "StorageClass"): "storage.v1",
}


def typed(api_version: str, kind: str) -> type[pulumi.CustomResource] | None:
    """The typed resource class of a built-in kind, or None for a custom resource."""
    module = TYPED.get((api_version, kind))
    return None if module is None else getattr(importlib.import_module(f"pulumi_kubernetes.{module}"), kind)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class CustomObject(k8s.apiextensions.CustomResource):
    """A custom resource whose kind may keep fields beside `spec` at the top level.

    The Python `CustomResource` only sends `spec` (pulumi/pulumi-kubernetes#2363), but Kueue's
    WorkloadPriorityClass has a top-level `value`. The provider takes any top-level field, as the
    Node.js SDK's `otherFields` shows; this sends the whole manifest as the inputs.
    """

    def __init__(self, resource_name: str, manifest: Manifest, opts: pulumi.ResourceOptions | None = None):
        api_version, kind = manifest["apiVersion"], manifest["kind"]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(version=_utilities.get_version()))
        pulumi.CustomResource.__init__(self, f"kubernetes:{api_version}:{kind}", resource_name, dict(manifest), opts)


def create(resource_name: str, manifest: Manifest, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    cls = typed(manifest["apiVersion"], manifest["kind"])
    if cls is None:
        return CustomObject(resource_name, manifest, opts)
    args: dict[str, Any] = {_snake(k): v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    return cls(resource_name, opts=opts, **args)
