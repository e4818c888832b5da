"""GPU node pools as the GPU and cost rules see them, judged against the project's hardware catalog.

The catalog (`components.catalog`, loaded from the project root the pack's __main__ puts on
sys.path) knows each catalogued instance / machine type's accelerators, network cards and EFA
limits. A type the catalog does not know is still recognised as an accelerator type by its family
name, so that an uncatalogued GPU type is reported rather than silently treated as CPU-only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from components.catalog import (
    AwsInstanceType,
    GcpMachineType,
    UnknownTypeError,
    aws_instance_type,
    gcp_machine_type,
)
from components.names import NEURON_RESOURCE, NVIDIA_GPU_RESOURCE

from . import props as wire
from .rule import ResourceView

# EC2 accelerator families: p (NVIDIA datacenter), g / gr (NVIDIA graphics and inference),
# trn / inf (AWS Trainium / Inferentia), dl (Habana Gaudi).
AWS_ACCELERATOR_FAMILY = re.compile(r"^(p\d+[a-z]*|p\d+[a-z]*-[a-z0-9]+|g\d+[a-z]*|gr\d+|trn\d+[a-z]*|inf\d+|dl\d+[a-z]*)\.")
# Compute Engine accelerator-optimized series (A2, A3, A4, A4X, G2, G4); N1 takes attached GPUs instead.
GCP_ACCELERATOR_SERIES = re.compile(r"^(a2|a3|a4|a4x|g2|g4)-")
# EKS AMI types that carry accelerator drivers.
AWS_ACCELERATOR_AMI = re.compile(r"(GPU|NVIDIA|NEURON)", re.IGNORECASE)

NVIDIA_GPU = NVIDIA_GPU_RESOURCE
AWS_NEURON = NEURON_RESOURCE


def aws_type(name: str) -> AwsInstanceType | None:
    try:
        return aws_instance_type(name)
    except UnknownTypeError:
        return None


def gcp_type(name: str) -> GcpMachineType | None:
    try:
        return gcp_machine_type(name)
    except UnknownTypeError:
        return None


def is_aws_accelerator_type(name: str) -> bool:
    return aws_type(name) is not None or bool(AWS_ACCELERATOR_FAMILY.match(name))


def is_gcp_accelerator_machine(name: str) -> bool:
    return gcp_type(name) is not None or bool(GCP_ACCELERATOR_SERIES.match(name))


def aws_extended_resource(name: str) -> str:
    """The Kubernetes extended resource an AWS accelerator type exposes (and its pools are tainted with)."""
    catalogued = aws_type(name)
    if catalogued is not None:
        return catalogued.accelerator.k8s_resource
    return AWS_NEURON if name.startswith(("trn", "inf")) else NVIDIA_GPU


@dataclass(frozen=True)
class GpuPool:
    """One accelerator node pool: an EKS managed node group or a GKE node pool."""

    view: ResourceView
    cloud: str                     # "aws" | "gcp"
    types: tuple[str, ...]         # accelerator instance types (AWS) or the machine type (GCP)
    extended_resource: str         # nvidia.com/gpu or aws.amazon.com/neuron
    accelerators_per_node: int | None
    min_nodes: float | None
    max_nodes: float | None        # total across zones; None when it cannot be read
    fixed_size: bool = False       # a GKE pool without autoscaling

    @property
    def uncatalogued(self) -> tuple[str, ...]:
        lookup = aws_type if self.cloud == "aws" else gcp_type
        return tuple(t for t in self.types if lookup(t) is None)

    @property
    def max_accelerators(self) -> float | None:
        if self.max_nodes is None or self.accelerators_per_node is None:
            return None
        return self.max_nodes * self.accelerators_per_node


def aws_node_group_pool(view: ResourceView) -> GpuPool | None:
    """The accelerator pool an `aws.eks.NodeGroup` is, or None for a CPU node group.

    With a launch template the node group carries its instance type in `instanceTypes`, so the
    node group alone says whether it is an accelerator pool; `amiType` covers groups whose type
    comes only from the launch template.
    """
    instance_types = view.strings("instanceTypes")
    accelerators = tuple(t for t in instance_types if is_aws_accelerator_type(t))
    ami = view.get("amiType")
    accelerated_ami = isinstance(ami, str) and bool(AWS_ACCELERATOR_AMI.search(ami))
    if not accelerators and not accelerated_ami:
        return None
    if accelerators:
        resource = aws_extended_resource(accelerators[0])
    else:
        resource = AWS_NEURON if "NEURON" in str(ami).upper() else NVIDIA_GPU
    counts = [t.accelerator.count for t in map(aws_type, accelerators) if t is not None]
    per_node = max(counts) if counts and len(counts) == len(accelerators) else None
    return GpuPool(view=view, cloud="aws", types=accelerators, extended_resource=resource,
                   accelerators_per_node=per_node, min_nodes=view.number("scalingConfig", "minSize"),
                   max_nodes=view.number("scalingConfig", "maxSize"))


def gke_node_pool(view: ResourceView, cluster_zones: int | None = None) -> GpuPool | None:
    """The accelerator pool a `gcp.container.NodePool` is, or None for a CPU pool.

    GKE autoscaling limits are per zone (`minNodeCount`/`maxNodeCount`) or for the whole pool
    (`totalMinNodeCount`/`totalMaxNodeCount`); per-zone limits are multiplied by the pool's
    zones (`nodeLocations`, else one zone for a zonal location, else `cluster_zones`).
    """
    machine = view.get("nodeConfig", "machineType")
    attached = [a for a in view.items("nodeConfig", "guestAccelerators") if isinstance(a, dict)]
    accelerated_machine = isinstance(machine, str) and is_gcp_accelerator_machine(machine)
    if not attached and not accelerated_machine:
        return None
    catalogued = gcp_type(machine) if isinstance(machine, str) else None
    attached_count = sum(int(wire.number(a.get("count")) or 0) for a in attached)
    per_node = attached_count or (catalogued.accelerator.count if catalogued else None)
    zones = _gke_pool_zones(view, cluster_zones)
    min_nodes, max_nodes = _gke_pool_bounds(view, zones)
    return GpuPool(view=view, cloud="gcp", types=(machine,) if isinstance(machine, str) else (),
                   extended_resource=NVIDIA_GPU, accelerators_per_node=per_node,
                   min_nodes=min_nodes, max_nodes=max_nodes,
                   fixed_size=not isinstance(view.get("autoscaling"), dict))


def _gke_pool_zones(view: ResourceView, cluster_zones: int | None) -> int | None:
    locations = view.strings("nodeLocations")
    if locations:
        return len(locations)
    location = view.get("location")
    if isinstance(location, str) and location.count("-") == 2:
        return 1  # a zonal cluster's pool lives in that zone
    return cluster_zones


def _gke_pool_bounds(view: ResourceView, zones: int | None) -> tuple[float | None, float | None]:
    auto = view.get("autoscaling")
    if isinstance(auto, dict):
        total_min = wire.number(auto.get("totalMinNodeCount"))
        total_max = wire.number(auto.get("totalMaxNodeCount"))
        per_min = wire.number(auto.get("minNodeCount"))
        per_max = wire.number(auto.get("maxNodeCount"))
        lo = total_min if total_min is not None else (per_min * zones if per_min is not None and zones else per_min)
        if total_max is not None:
            hi: float | None = total_max
        elif per_max is not None:
            hi = per_max * zones if zones else None
        else:
            hi = None
        return (lo if lo is not None else 0.0), hi
    # Without autoscaling the pool has a fixed size per zone.
    fixed = view.number("nodeCount")
    if fixed is None:
        fixed = view.number("initialNodeCount")
    if fixed is None:
        return None, None
    total = fixed * zones if zones else None
    return (total if total is not None else fixed), total


def count_text(value: float | None) -> str:
    if value is None:
        return "an unknown number of"
    return str(int(value)) if math.isclose(value, round(value)) else f"{value:g}"


__all__ = ["AWS_NEURON", "GpuPool", "NVIDIA_GPU", "aws_extended_resource", "aws_node_group_pool", "aws_type",
           "count_text", "gcp_type", "gke_node_pool", "is_aws_accelerator_type", "is_gcp_accelerator_machine"]
