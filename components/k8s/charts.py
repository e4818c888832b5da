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

from components.config.model import GpuPool, LandingZoneConfig
from components.platform_inputs import GpuPoolHandle

ClusterKind = Literal["eks", "gke", "byo"]

# Images whose nodes already run the NVIDIA driver and container toolkit (EKS-optimized AMIs).
DRIVER_IMAGES = ("al2023-nvidia", "bottlerocket-nvidia")
# Images that also run the NVIDIA device plugin as a host service.
DEVICE_PLUGIN_IMAGES = ("bottlerocket-nvidia",)
NVIDIA_RESOURCE = "nvidia.com/gpu"
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


def kueue_values(config: LandingZoneConfig) -> dict[str, Any]:
    """Restricted-compliant security contexts (kueue-system enforces Pod Security `restricted`)."""
    return {
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
