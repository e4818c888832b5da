"""What each cloud supports, as one table per cloud: the one place config checks, components and docs read.

A value a key allows on one cloud and not on another (a file-tier kind, a node image, a block class, a
capacity type, a Lustre throughput tier) is listed here once. `checks.supported_values` turns the table
into config problems; components assert against the same table instead of restating the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import CapacityType, Cloud

# FSx for Lustre PERSISTENT_2 (SSD): tiers 125/250/500/1000 MB/s per TiB (FSx API reference, CreateFileSystem
# LustreFileSystemConfiguration PerUnitStorageThroughput, as rendered in the AWS SDK for Kotlin docs).
FSX_LUSTRE_TIERS = (125, 250, 500, 1000)

# Google Cloud Managed Lustre: tier -> (minimum capacity, capacity step) in GiB. Two renderings of
# https://cloud.google.com/managed-lustre/docs/quotas (retrieved 2026-11-22) give minimums of 9,000 / 18,000 /
# 36,000 / 72,000 GiB and of twice that for the 1000 / 500 / 250 / 125 tiers. The larger minimum is valid
# under both; the smaller figure is the step, which divides both.
MANAGED_LUSTRE_TIERS: Mapping[int, tuple[int, int]] = {
    125: (144_000, 72_000), 250: (72_000, 36_000), 500: (36_000, 18_000), 1000: (18_000, 9_000),
}


@dataclass(frozen=True)
class CloudSupport:
    cloud: Cloud
    file_kinds: tuple[str, ...]
    images: tuple[str, ...]               # gpuPools[].image values; None (the default) is always allowed
    block_classes: tuple[str, ...]
    capacity_types: tuple[CapacityType, ...]
    lustre_tiers: tuple[int, ...]         # storage.file.throughputMbpsPerTib for the cloud's Lustre kind
    lustre_kind: str | None               # the storage.file.kind the tiers belong to
    # gpuPools[].image values a pool of AWS accelerators (Trainium / Inferentia) may name: EKS runs them on
    # the AL2023 Neuron AMI (AL2023_x86_64_NEURON), which `al2023-nvidia` (the AL2023 family) selects.
    neuron_images: tuple[str, ...] = ()

    def lists(self) -> dict[str, tuple[str, ...]]:
        """Key path (under the project namespace) -> allowed values, for messages and docs."""
        return {
            "storage.file.kind": self.file_kinds,
            "gpuPools[].image": self.images,
            "storage.block.defaultClass": self.block_classes,
            "gpuPools[].capacity.type": tuple(t.value for t in self.capacity_types),
        }


SUPPORT: Mapping[Cloud, CloudSupport] = {
    Cloud.aws: CloudSupport(
        Cloud.aws,
        file_kinds=("none", "lustre", "efs"),
        images=("al2023-nvidia", "bottlerocket-nvidia"),
        block_classes=("gp3", "io2"),
        capacity_types=(CapacityType.on_demand, CapacityType.spot, CapacityType.reservation,
                        CapacityType.capacity_block),
        lustre_tiers=FSX_LUSTRE_TIERS, lustre_kind="lustre", neuron_images=("al2023-nvidia",),
    ),
    Cloud.gcp: CloudSupport(
        Cloud.gcp,
        file_kinds=("none", "managedLustre", "filestore", "parallelstore"),
        images=("cos", "ubuntu"),
        block_classes=("hyperdisk-balanced", "pd-balanced"),
        capacity_types=(CapacityType.on_demand, CapacityType.spot, CapacityType.reservation,
                        CapacityType.flex_start),
        lustre_tiers=tuple(sorted(MANAGED_LUSTRE_TIERS)), lustre_kind="managedLustre",
    ),
    # A brought cluster keeps its own file tier, images and storage classes; its pools are node labels.
    Cloud.byo: CloudSupport(
        Cloud.byo,
        file_kinds=("none",),
        images=(),
        block_classes=(),
        # Brought nodes are not provisioned here: the capacity type only describes them (and prices them).
        capacity_types=tuple(CapacityType),
        lustre_tiers=(), lustre_kind=None,
    ),
}
