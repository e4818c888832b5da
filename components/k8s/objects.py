"""Turn rendered manifests into pulumi_kubernetes resources, unchanged.

Built-in kinds become their typed resource (`k8s.core.v1.Namespace(...)` etc.), with the manifest's
top-level fields passed as that resource's arguments; anything else is a custom resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes import _utilities

from .manifests import Manifest

# Built-in kinds and their typed resources, each read on first use: pulumi_kubernetes' API groups cost
# tens of milliseconds each to load, and a program pays only for those it uses. (Written as attribute
# chains so that `lz plan STACK STACK...` sees and warms them: lz/multi.py `imported_names`.)
TYPED: dict[tuple[str, str], Callable[[], type[pulumi.CustomResource]]] = {
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"): lambda: k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"): lambda: k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
    ("apps/v1", "DaemonSet"): lambda: k8s.apps.v1.DaemonSet,
    ("v1", "Namespace"): lambda: k8s.core.v1.Namespace,
    ("v1", "ResourceQuota"): lambda: k8s.core.v1.ResourceQuota,
    ("v1", "LimitRange"): lambda: k8s.core.v1.LimitRange,
    ("v1", "ServiceAccount"): lambda: k8s.core.v1.ServiceAccount,
    ("v1", "PersistentVolume"): lambda: k8s.core.v1.PersistentVolume,
    ("v1", "PersistentVolumeClaim"): lambda: k8s.core.v1.PersistentVolumeClaim,
    ("networking.k8s.io/v1", "NetworkPolicy"): lambda: k8s.networking.v1.NetworkPolicy,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): lambda: k8s.rbac.v1.ClusterRole,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): lambda: k8s.rbac.v1.ClusterRoleBinding,
    ("rbac.authorization.k8s.io/v1", "Role"): lambda: k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): lambda: k8s.rbac.v1.RoleBinding,
    ("scheduling.k8s.io/v1", "PriorityClass"): lambda: k8s.scheduling.v1.PriorityClass,
    ("storage.k8s.io/v1", "StorageClass"): lambda: k8s.storage.v1.StorageClass,
}


def typed(api_version: str, kind: str) -> type[pulumi.CustomResource] | None:
    """The typed resource class of a built-in kind, or None for a custom resource."""
    load = TYPED.get((api_version, kind))
    return None if load is None else load()


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
