"""What a cloud-neutral `GpuPool` means on GKE, decided in one pure function.

`gke_pool_settings(pool, machine, zones)` turns the shared pool spec plus its catalog entry into the
GKE settings the node pool component writes: zones, placement, capacity model, autoscaling, taints,
labels, disks and driver. Keeping it pure lets tests cover every capacity type and machine family
without planning a stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from components.catalog import GcpMachineType
from components.config.model import CapacityType, GpuPool, Taint
from components.invariants import present
from components.names import GPU_TAINT_VALUE, LABEL_PREFIX, NVIDIA_GPU_RESOURCE, POOL_LABEL

# Every GPU node carries this taint, so only pods that ask for GPUs (and tolerate it) land there.
GPU_TAINT = Taint(key=NVIDIA_GPU_RESOURCE, value=GPU_TAINT_VALUE, effect="NoSchedule")

# GKE sets `cloud.google.com/gke-nodepool=<pool>` itself; ours are the keys the AWS pools carry too, so
# queues and workloads select pools the same way on both clouds.
ACCELERATOR_LABEL = f"{LABEL_PREFIX}/accelerator"
CAPACITY_LABEL = f"{LABEL_PREFIX}/capacity-type"
PURPOSE_LABEL = f"{LABEL_PREFIX}/purpose"
GKE_POOL_LABEL = "cloud.google.com/gke-nodepool"

# Label prefixes GKE reserves for itself; node pools that set them are rejected.
RESERVED_LABEL_PREFIXES = ("cloud.google.com/", "kubernetes.io/", "k8s.io/", "node.kubernetes.io/")

_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}

_IMAGES = {None: "COS_CONTAINERD", "cos": "COS_CONTAINERD", "ubuntu": "UBUNTU_CONTAINERD"}


def gke_taint_effect(effect: str) -> str:
    """Kubernetes taint effect -> the GKE API enum."""
    try:
        return _EFFECTS[effect]
    except KeyError:
        raise ValueError(f"taint effect must be one of {', '.join(_EFFECTS)} (got {effect!r})") from None


def gke_image_type(image: str | None) -> str:
    try:
        return _IMAGES[image]
    except KeyError:
        raise ValueError(f"image must be cos or ubuntu on GKE (got {image!r})") from None


@dataclass(frozen=True)
class GkeTaint:
    key: str
    value: str
    effect: str  # GKE enum


@dataclass(frozen=True)
class ReservationAffinity:
    consume_reservation_type: Literal["NO_RESERVATION", "ANY_RESERVATION", "SPECIFIC_RESERVATION"]
    key: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class GkePoolSettings:
    name: str
    machine_type: str
    accelerator_type: str
    accelerator_count: int
    node_locations: tuple[str, ...]
    placement: Literal["COMPACT"] | None
    spot: bool
    flex_start: bool
    queued_provisioning: bool
    reservation: ReservationAffinity
    total_min_nodes: int
    total_max_nodes: int
    initial_node_count: int
    location_policy: Literal["ANY", "BALANCED"]
    auto_repair: bool
    taints: tuple[GkeTaint, ...]
    labels: dict[str, str]
    image_type: str
    boot_disk_type: str
    disk_size_gb: int
    local_ssd_count: int          # bundled local SSDs, all used for ephemeral storage (emptyDir, images)
    driver_version: Literal["DEFAULT", "LATEST"]
    reserved_nodes: int | None = None  # instances the pool's reservation holds (billed used or not)

    @property
    def gpus_at_max(self) -> int:
        return self.total_max_nodes * self.accelerator_count


def effective_placement(pool: GpuPool, machine: GcpMachineType) -> Literal["compact", "none"]:
    """Explicit setting wins; otherwise training pools with GPU NICs are packed close together."""
    if pool.placement is not None:
        return pool.placement
    has_gpu_nics = machine.gpu_nics.flavour != "none"
    return "compact" if pool.purpose == "training" and has_gpu_nics else "none"


def pool_zone(pool: GpuPool, machine: GcpMachineType, zones: list[str]) -> str | None:
    """The single zone a pool is pinned to, or None when it may spread over the cluster's zones.

    A reservation decides the zone; compact placement and RDMA network profiles need exactly one.
    """
    if pool.capacity.zone:
        return pool.capacity.zone
    if pool.zone:
        return pool.zone
    needs_one = effective_placement(pool, machine) == "compact" or machine.gpu_nics.rdma_network is not None
    return zones[0] if needs_one else None


def boot_disk_type(machine: GcpMachineType) -> str:
    # A3 Ultra and A4 boot only from Hyperdisk; the older families take Persistent Disk.
    return "hyperdisk-balanced" if machine.gpu_nics.flavour == "rdma" else "pd-balanced"


def driver_version(machine: GcpMachineType) -> Literal["DEFAULT", "LATEST"]:
    # H200 and B200 need a newer driver branch than GKE's DEFAULT gives on older minors.
    return "LATEST" if machine.gpu_nics.flavour == "rdma" else "DEFAULT"


def gke_taints(pool: GpuPool) -> tuple[GkeTaint, ...]:
    out: dict[tuple[str, str], GkeTaint] = {}
    for taint in (GPU_TAINT, *pool.taints):
        out[(taint.key, taint.effect)] = GkeTaint(taint.key, taint.value, gke_taint_effect(taint.effect))
    return tuple(out.values())


def node_labels(pool: GpuPool, machine: GcpMachineType) -> dict[str, str]:
    reserved = [k for k in pool.labels if k.startswith(RESERVED_LABEL_PREFIXES)]
    if reserved:
        raise ValueError(f"gpuPools {pool.name}: labels {', '.join(sorted(reserved))} use a prefix GKE reserves "
                         f"({', '.join(RESERVED_LABEL_PREFIXES)})")
    return {**pool.labels, POOL_LABEL: pool.name, ACCELERATOR_LABEL: machine.accelerator.model.lower(),
            CAPACITY_LABEL: pool.capacity.type.value, PURPOSE_LABEL: pool.purpose}


def gke_pool_settings(pool: GpuPool, machine: GcpMachineType, zones: list[str]) -> GkePoolSettings:
    zone = pool_zone(pool, machine, zones)
    locations = (zone,) if zone else tuple(zones)
    capacity = pool.capacity.type
    if capacity is CapacityType.capacity_block:
        raise ValueError(f"gpuPools {pool.name}: capacityBlock is AWS-only; on GCP use reservation or flexStart")
    queued = capacity is CapacityType.flex_start
    if capacity is CapacityType.reservation:
        reservation_id = present(pool.capacity.reservation_id, "the config model requires a reservationId")
        reservation = ReservationAffinity("SPECIFIC_RESERVATION", "compute.googleapis.com/reservation-name",
                                          (reservation_id,))
    elif capacity in (CapacityType.spot, CapacityType.flex_start):
        # Spot and flex-start capacity must not eat into reservations meant for other pools.
        reservation = ReservationAffinity("NO_RESERVATION")
    else:
        reservation = ReservationAffinity("ANY_RESERVATION")
    # Per-zone initial count: a regional pool starts `initial` nodes in every one of its zones.
    initial = math.ceil(pool.min_nodes / len(locations)) if pool.min_nodes else 0
    return GkePoolSettings(
        name=pool.name,
        machine_type=machine.name,
        accelerator_type=machine.gke_accelerator_type,
        accelerator_count=machine.accelerator.count,
        node_locations=locations,
        placement="COMPACT" if effective_placement(pool, machine) == "compact" else None,
        spot=capacity is CapacityType.spot,
        flex_start=queued,
        queued_provisioning=queued,
        reservation=reservation,
        total_min_nodes=pool.min_nodes,
        total_max_nodes=pool.max_nodes,
        initial_node_count=initial,
        # ANY lets the autoscaler go where spot capacity, flex-start capacity or the reservation is.
        location_policy="BALANCED" if capacity is CapacityType.on_demand else "ANY",
        # Queued-provisioning nodes are replaced by a new ProvisioningRequest, never repaired in place;
        # GKE's documented flags for such pools disable auto-repair.
        auto_repair=not queued,
        taints=gke_taints(pool),
        labels=node_labels(pool, machine),
        image_type=gke_image_type(pool.image),
        boot_disk_type=boot_disk_type(machine),
        disk_size_gb=pool.disk_size_gib,
        local_ssd_count=machine.local_ssd_count,
        driver_version=driver_version(machine),
        reserved_nodes=pool.reserved_nodes,
    )
