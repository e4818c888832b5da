"""Turn rendered manifests into pulumi_kubernetes resources, unchanged.

Built-in kinds become their typed resource (`k8s.core.v1.Namespace(...)` etc.), with the manifest's
top-level fields passed as that resource's arguments; anything else is a custom resource.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes import _utilities

from .manifests import Manifest

TYPED: dict[tuple[str, str], type[pulumi.CustomResource]] = {
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"):
        k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"):
        k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
    ("apps/v1", "DaemonSet"): k8s.apps.v1.DaemonSet,
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ResourceQuota"): k8s.core.v1.ResourceQuota,
    ("v1", "LimitRange"): k8s.core.v1.LimitRange,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "PersistentVolume"): k8s.core.v1.PersistentVolume,
    ("v1", "PersistentVolumeClaim"): k8s.core.v1.PersistentVolumeClaim,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): k8s.rbac.v1.ClusterRole,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): k8s.rbac.v1.ClusterRoleBinding,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
    ("scheduling.k8s.io/v1", "PriorityClass"): k8s.scheduling.v1.PriorityClass,
    ("storage.k8s.io/v1", "StorageClass"): k8s.storage.v1.StorageClass,
}


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
    key = (manifest["apiVersion"], manifest["kind"])
    cls = TYPED.get(key)
    if cls is None:
        return CustomObject(resource_name, manifest, opts)
    args: dict[str, Any] = {_snake(k): v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    return cls(resource_name, opts=opts, **args)
