"""Pure storage rules: bucket lifecycle per purpose, and file tier sizing for Managed Lustre,
Filestore and Parallelstore.

Storage-class minimum durations (Nearline 30 days, Coldline 90, Archive 365) drive the lifecycle
choice: an object moved to a class it leaves early is billed the rest of the minimum anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from components.config.model import BucketPolicy, FileTier, GpuPool

PURPOSES = ("datasets", "checkpoints", "artifacts", "logs")

# Versioning where losing or overwriting data is costly. The logs bucket carries a retention policy
# instead, and GCS forbids a retention policy and versioning on the same bucket.
VERSIONED = frozenset({"datasets", "checkpoints", "artifacts"})

SOFT_DELETE_DAYS = {"dev": 7, "staging": 7, "prod": 30}


@dataclass(frozen=True)
class LifecycleRule:
    action: Literal["SetStorageClass", "Delete"]
    storage_class: str | None = None
    age_days: int | None = None
    days_since_noncurrent: int | None = None
    with_state: Literal["LIVE", "ARCHIVED", "ANY"] | None = None
    matches_storage_classes: tuple[str, ...] = field(default_factory=tuple)


def infrequent_class(days: int) -> str:
    """Data first idle after 90+ days goes straight to Coldline; earlier transitions to Nearline."""
    return "COLDLINE" if days >= 90 else "NEARLINE"


def lifecycle_rules(policy: BucketPolicy) -> list[LifecycleRule]:
    rules: list[LifecycleRule] = []
    if policy.transition_to_infrequent_days:
        rules.append(LifecycleRule("SetStorageClass", infrequent_class(policy.transition_to_infrequent_days),
                                   age_days=policy.transition_to_infrequent_days, with_state="LIVE",
                                   matches_storage_classes=("STANDARD",)))
    if policy.transition_to_archive_days:
        rules.append(LifecycleRule("SetStorageClass", "ARCHIVE", age_days=policy.transition_to_archive_days,
                                   with_state="LIVE",
                                   matches_storage_classes=("STANDARD", "NEARLINE", "COLDLINE")))
    if policy.noncurrent_version_expiration_days:
        rules.append(LifecycleRule("Delete", days_since_noncurrent=policy.noncurrent_version_expiration_days,
                                   with_state="ARCHIVED"))
    if policy.expiration_days:
        rules.append(LifecycleRule("Delete", age_days=policy.expiration_days, with_state="ANY"))
    return rules


def lifecycle_problems(purpose: str, policy: BucketPolicy) -> list[str]:
    """Transitions that would be billed for nothing, or come after the object is already gone."""
    out = []
    infrequent, archive, expire = (policy.transition_to_infrequent_days, policy.transition_to_archive_days,
                                   policy.expiration_days)
    if infrequent and archive and archive <= infrequent:
        out.append(f"storage.objects.{purpose}.transitionToArchiveDays: must be later than "
                   f"transitionToInfrequentDays ({archive} <= {infrequent})")
    for key, days in (("transitionToInfrequentDays", infrequent), ("transitionToArchiveDays", archive)):
        if days and expire and expire <= days:
            out.append(f"storage.objects.{purpose}.expirationDays: must be later than {key} ({expire} <= {days})")
    return out


# --- file tier -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LustreTier:
    mbps_per_tib: int
    min_gib: int
    step_gib: int          # the step up to `fine_until_gib`; above it capacity grows in `coarse_step_gib`
    fine_until_gib: int
    coarse_step_gib: int
    max_gib: int


# Managed Lustre performance tiers (docs.cloud.google.com/managed-lustre/docs/performance-tiers).
LUSTRE_TIERS = {
    1000: LustreTier(1000, 9_000, 9_000, 1_530_000, 72_000, 10_008_000),
    500: LustreTier(500, 18_000, 18_000, 3_060_000, 144_000, 20_016_000),
    250: LustreTier(250, 36_000, 36_000, 6_120_000, 288_000, 40_032_000),
    125: LustreTier(125, 72_000, 72_000, 12_240_000, 72_000, 12_240_000),
}
DEFAULT_LUSTRE_TIER = 1000

FILESTORE_ZONAL = (1_024, 102_400)      # GiB; 10,240+ in 2,560 GiB steps
PARALLELSTORE = (12_000, 100_000, 4_000)  # min, max, step GiB


@dataclass(frozen=True)
class FileTierSize:
    kind: str
    capacity_gib: int
    throughput_mbps_per_tib: int | None = None
    reason: str = ""


def required_read_mbps(pools: list[GpuPool], gpus_per_node: dict[str, int]) -> float:
    """Aggregate read rate the file tier must sustain: every training GPU at its configured rate."""
    return sum(p.max_nodes * gpus_per_node[p.name] * (p.read_throughput_per_gpu_mbps or 0)
               for p in pools if p.purpose == "training")


def _round_up(value: int, step: int, floor: int) -> int:
    return max(floor, math.ceil(value / step) * step)


def lustre_size(file: FileTier, required_mbps: float) -> FileTierSize:
    tier_key = file.throughput_mbps_per_tib or DEFAULT_LUSTRE_TIER
    if tier_key not in LUSTRE_TIERS:
        raise ValueError(f"storage.file.throughputMbpsPerTib: Managed Lustre tiers are "
                         f"{', '.join(map(str, sorted(LUSTRE_TIERS)))} MB/s per TiB (got {tier_key})")
    tier = LUSTRE_TIERS[tier_key]
    needed_gib = math.ceil(required_mbps / tier.mbps_per_tib * 1024) if required_mbps else 0
    wanted = max(file.capacity_gib or 0, needed_gib, tier.min_gib)
    if wanted <= tier.fine_until_gib:
        capacity = _round_up(wanted, tier.step_gib, tier.min_gib)
    else:
        capacity = tier.fine_until_gib + _round_up(wanted - tier.fine_until_gib, tier.coarse_step_gib, 0)
    if capacity > tier.max_gib:
        raise ValueError(f"storage.file: {capacity} GiB exceeds the {tier.max_gib} GiB maximum of the "
                         f"{tier_key} MB/s/TiB Managed Lustre tier")
    reason = (f"{needed_gib} GiB needed for {required_mbps:.0f} MB/s at {tier_key} MB/s/TiB"
              if needed_gib > (file.capacity_gib or 0) else "configured or tier minimum")
    return FileTierSize("managedLustre", capacity, tier_key, reason)


def filestore_size(file: FileTier) -> FileTierSize:
    lo, hi = FILESTORE_ZONAL
    wanted = max(file.capacity_gib or lo, lo)
    capacity = wanted if wanted < 10_240 else _round_up(wanted, 2_560, 10_240)
    if capacity > hi:
        raise ValueError(f"storage.file.capacityGib: Filestore zonal holds at most {hi} GiB (got {wanted})")
    return FileTierSize("filestore", capacity, None, "configured or tier minimum")


def parallelstore_size(file: FileTier) -> FileTierSize:
    lo, hi, step = PARALLELSTORE
    capacity = _round_up(file.capacity_gib or lo, step, lo)
    if capacity > hi:
        raise ValueError(f"storage.file.capacityGib: Parallelstore holds at most {hi} GiB (got {capacity})")
    return FileTierSize("parallelstore", capacity, None, "configured or tier minimum")
