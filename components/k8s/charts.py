"""What the cluster services install, and their Helm values, as pure functions.

The GPU device stack depends on who already did the work:
- EKS: the EKS-optimized NVIDIA AMIs (AL2023 NVIDIA, Bottlerocket NVIDIA) ship the driver and the
  container toolkit, so the GPU operator runs with both off. Bottlerocket also runs the NVIDIA
  device plugin itself, so the operator's plugin is off when every GPU pool is Bottlerocket.
  EFA pools get the EFA device plugin from eks-charts.
- GKE: the driver is installed by GKE (`gpu_driver_version` on the node pool) and GKE runs the
  device plugin; DCGM metrics come from GKE's managed DCGM. No operator.
- byo: the operator does everything, the driver too unless `kubernetes.gpuDriverPreinstalled`.
DCGM exporter is on wherever the operator runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from components.config.model import GpuPool, LandingZoneConfig
from components.names import NVIDIA_GPU_RESOURCE
from components.platform_inputs import GpuPoolHandle

ClusterKind = Literal["eks", "gke", "byo"]

# Images whose nodes already run the NVIDIA driver and container toolkit (EKS-optimized AMIs).
DRIVER_IMAGES = ("al2023-nvidia", "bottlerocket-nvidia")
# Images that also run the NVIDIA device plugin as a host service.
DEVICE_PLUGIN_IMAGES = ("bottlerocket-nvidia",)
NVIDIA_RESOURCE = NVIDIA_GPU_RESOURCE
# The EKS landing zone's image when a pool names none.
EKS_DEFAULT_IMAGE = "al2023-nvidia"

_CONTROL_PLANE_TOLERATIONS = [
    {"key": "node-role.kubernetes.io/master", "operator": "Equal", "value": "", "effect": "NoSchedule"},
    {"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "NoSchedule"},
]


@dataclass(frozen=True)
class GpuStack:
    operator: bool
    driver: bool
    toolkit: bool
    device_plugin: bool
    efa_plugin: bool


def gpu_stack(kind: ClusterKind, pools: Sequence[GpuPool], handles: Sequence[GpuPoolHandle], *,
              driver_preinstalled: bool = False) -> GpuStack:
    nvidia = [h.name for h in handles if h.resource_name == NVIDIA_RESOURCE]
    efa = kind == "eks" and any(h.efa for h in handles)
    if kind == "gke":
        return GpuStack(operator=False, driver=False, toolkit=False, device_plugin=False, efa_plugin=False)
    if kind == "byo":
        return GpuStack(operator=True, driver=not driver_preinstalled, toolkit=True, device_plugin=True,
                        efa_plugin=False)
    images = {p.name: p.image or EKS_DEFAULT_IMAGE for p in pools}
    nvidia_images = [images.get(name, EKS_DEFAULT_IMAGE) for name in nvidia]
    return GpuStack(
        operator=bool(nvidia),
        driver=any(image not in DRIVER_IMAGES for image in nvidia_images),
        toolkit=any(image not in DRIVER_IMAGES for image in nvidia_images),
        device_plugin=any(image not in DEVICE_PLUGIN_IMAGES for image in nvidia_images),
        efa_plugin=efa,
    )


def gpu_operator_values(stack: GpuStack, tolerations: list[dict[str, str]]) -> dict[str, Any]:
    """`tolerations` replace the chart's lists, so they must include the GPU taint."""
    return {
        "driver": {"enabled": stack.driver},
        "toolkit": {"enabled": stack.toolkit},
        "devicePlugin": {"enabled": stack.device_plugin},
        "dcgmExporter": {"enabled": True},
        "daemonsets": {"tolerations": tolerations},
        "node-feature-discovery": {"worker": {"tolerations": [*_CONTROL_PLANE_TOLERATIONS, *tolerations]}},
    }


def efa_plugin_values(instance_types: Sequence[str], tolerations: list[dict[str, str]]) -> dict[str, Any]:
    # The chart's node affinity lists EFA instance types; name ours so new types are never missed.
    return {
        "supportedInstanceLabels": {"keys": ["node.kubernetes.io/instance-type"],
                                    "values": sorted(set(instance_types))},
        "tolerations": tolerations,
    }


# The chart's default `managerConfig.controllerManagerConfigYaml` (kubernetes-sigs/kueue v0.15.3,
# charts/kueue/values.yaml). The chart parses the YAML string and renders it as the manager's
# ConfigMap, so a value given here replaces the default whole: it is repeated, and only `resources`
# is added.
KUEUE_MANAGER_CONFIG: dict[str, Any] = {
    "apiVersion": "config.kueue.x-k8s.io/v1beta2",
    "kind": "Configuration",
    "health": {"healthProbeBindAddress": ":8081"},
    "metrics": {"bindAddress": ":8443"},
    "webhook": {"port": 9443},
    "leaderElection": {"leaderElect": True, "resourceName": "c1f6bfd2.kueue.x-k8s.io"},
    "controller": {"groupKindConcurrency": {
        "Job.batch": 5, "Pod": 5, "Workload.kueue.x-k8s.io": 5, "LocalQueue.kueue.x-k8s.io": 1,
        "ClusterQueue.kueue.x-k8s.io": 1, "ResourceFlavor.kueue.x-k8s.io": 1}},
    "clientConnection": {"qps": 50, "burst": 100},
    "integrations": {"frameworks": [
        "batch/job", "kubeflow.org/mpijob", "ray.io/rayjob", "ray.io/raycluster", "jobset.x-k8s.io/jobset",
        "trainer.kubeflow.org/trainjob", "kubeflow.org/paddlejob", "kubeflow.org/pytorchjob", "kubeflow.org/tfjob",
        "kubeflow.org/xgboostjob", "kubeflow.org/jaxjob", "workload.codeflare.dev/appwrapper"]},
}


def kueue_excluded_resources(pools: Sequence[GpuPoolHandle]) -> list[str]:
    """Extended-resource prefixes the pools advertise that no ClusterQueue covers.

    Kueue refuses a workload requesting a resource its ClusterQueue does not cover; resources named by
    `resources.excludeResourcePrefixes` (Kueue Configuration API, config.kueue.x-k8s.io/v1beta2) are
    ignored instead. The accelerators stay covered; EFA devices and GKE pod-network resources are
    per-node plumbing that the GPU quota already bounds.
    """
    accelerators = {p.resource_name for p in pools}
    return sorted({prefix for p in pools for prefix in p.extra_resource_prefixes if prefix not in accelerators})


def kueue_manager_config(pools: Sequence[GpuPoolHandle]) -> dict[str, Any]:
    excluded = kueue_excluded_resources(pools)
    return {**KUEUE_MANAGER_CONFIG, **({"resources": {"excludeResourcePrefixes": excluded}} if excluded else {})}


def kueue_values(config: LandingZoneConfig, pools: Sequence[GpuPoolHandle] = ()) -> dict[str, Any]:
    """Restricted-compliant security contexts (kueue-system enforces Pod Security `restricted`), and the
    manager configuration (`managerConfig.controllerManagerConfigYaml`, a YAML string)."""
    return {
        "managerConfig": {"controllerManagerConfigYaml": yaml.safe_dump(kueue_manager_config(pools), sort_keys=False)},
        "controllerManager": {
            "replicas": 2 if config.is_prod else 1,
            "manager": {
                "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "containerSecurityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "capabilities": {"drop": ["ALL"]},
                },
            },
        },
    }


# --- cluster-autoscaler (EKS) ----------------------------------------------------------------------

# appVersion of each cluster-autoscaler chart version the landing zone can install (Chart.yaml at the
# kubernetes/autoscaler git tag cluster-autoscaler-chart-<version>). The autoscaler's minor must match
# the cluster's (cluster-autoscaler README, "Releases"), and its ProvisioningRequest CRD is taken from
# the same release.
CLUSTER_AUTOSCALER_APP_VERSIONS = {"9.51.0": "1.33.0"}
CLUSTER_AUTOSCALER_NAMESPACE = "kube-system"
# The autoscaler's IRSA role trusts exactly system:serviceaccount:kube-system:cluster-autoscaler.
CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler"
# Chart 9.51.0's ClusterRole has no ProvisioningRequest or PodTemplate rules (they arrive in 9.57.0);
# the autoscaler FAQ ("How can I use ProvisioningRequest", "RBAC permissions") lists these.
PROVISIONING_REQUEST_RULES: tuple[dict[str, Any], ...] = (
    {"apiGroups": ["autoscaling.x-k8s.io"], "resources": ["provisioningrequests", "provisioningrequests/status"],
     "verbs": ["watch", "list", "get", "create", "update", "patch", "delete"]},
    {"apiGroups": [""], "resources": ["podtemplates"], "verbs": ["watch", "list", "get"]},
)


def provisioning_request_crd_url(chart_version: str) -> str:
    """The ProvisioningRequest CRD (autoscaling.x-k8s.io/v1) of the autoscaler release the chart runs
    (FAQ, "Enabling ProvisioningRequest Support", step 5)."""
    app = CLUSTER_AUTOSCALER_APP_VERSIONS[chart_version]
    return (f"https://raw.githubusercontent.com/kubernetes/autoscaler/cluster-autoscaler-{app}/"
            "cluster-autoscaler/apis/config/crd/autoscaling.x-k8s.io_provisioningrequests.yaml")


def cluster_autoscaler_values(*, cluster_name: Any, region: str, role_arn: Any,
                              group_priorities: dict[int, list[str]],
                              node_selector: dict[str, str], replicas: int = 1) -> dict[str, Any]:
    """Values of the kubernetes/autoscaler `cluster-autoscaler` chart for EKS managed node groups.

    - auto-discovery by the tags EKS puts on every managed node group's Auto Scaling group
      (`k8s.io/cluster-autoscaler/enabled`, `k8s.io/cluster-autoscaler/<cluster>`);
    - `balance-similar-node-groups`, and the `priority` expander (reserved and Capacity Block groups
      first, then Spot, then On-Demand) falling back to `least-waste` among equals;
    - ProvisioningRequest support, so Kueue can ask for all-or-nothing capacity: the flag, the JSON
      content type and the RBAC the FAQ lists (the CRD is installed beside the chart);
    - IRSA through the ServiceAccount annotation; runs on the system nodes.
    Flag names as cluster-autoscaler 1.33.0 defines them (config/flags/flags.go).
    """
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {"clusterName": cluster_name},
        "replicaCount": replicas,
        "rbac": {
            "create": True,
            "serviceAccount": {
                "create": True,
                "name": CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
                "annotations": {"eks.amazonaws.com/role-arn": role_arn},
            },
            "additionalRules": [dict(rule) for rule in PROVISIONING_REQUEST_RULES],
        },
        "extraArgs": {
            "balance-similar-node-groups": True,
            "expander": "priority,least-waste",
            "enable-provisioning-requests": True,
            "kube-api-content-type": "application/json",
        },
        # The chart renders the priority expander ConfigMap from this (keys are priorities).
        "expanderPriorities": {str(p): list(patterns) for p, patterns in sorted(group_priorities.items())},
        "nodeSelector": dict(node_selector),
        "containerSecurityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
