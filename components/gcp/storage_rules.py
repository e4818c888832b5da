"""Pure storage rules: bucket lifecycle per purpose, and file tier sizing for Managed Lustre (through the
shared storage advisor), Filestore and Parallelstore.

Storage-class minimum durations (Nearline 30 days, Coldline 90, Archive 365) drive the lifecycle
choice: an object moved to a class it leaves early is billed the rest of the minimum anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from components.config.model import BucketPolicy, FileTier, LandingZoneConfig
from components.storage_advisor import (
    MANAGED_LUSTRE_TIERS,
    managed_lustre_capacity_for,
    managed_lustre_prices,
    size_managed_lustre,
    training_demand,
)

PURPOSES = ("datasets", "checkpoints", "artifacts", "logs")

# Versioning where losing or overwriting data is costly. The logs bucket carries a retention policy
# instead, and GCS forbids a retention policy and versioning on the same bucket.
VERSIONED = frozenset({"datasets", "checkpoints", "artifacts"})
# With object lock (`storage.objects.objectLock`, default on in prod) model artifacts are WORM as on AWS,
# where S3 Object Lock keeps them objectLockDays: a bucket retention policy of the same length (locked
# with object lock) is GCS's counterpart, and takes the place of versioning on that bucket.
RETAINED_WHEN_LOCKED = frozenset({"artifacts"})


def retained(purpose: str, object_lock: bool) -> bool:
    """Whether the `purpose` bucket carries a retention policy (the logs bucket always does)."""
    return purpose == "logs" or (object_lock and purpose in RETAINED_WHEN_LOCKED)


def versioned(purpose: str, object_lock: bool) -> bool:
    """Versioning, except where a retention policy already keeps every object (GCS allows one of the two)."""
    return purpose in VERSIONED and not retained(purpose, object_lock)

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


def lifecycle_rules(policy: BucketPolicy, *, versioned: bool = True) -> list[LifecycleRule]:
    """The bucket's lifecycle; no noncurrent-version rule on an unversioned bucket (it could never act)."""
    rules: list[LifecycleRule] = []
    if policy.transition_to_infrequent_days:
        rules.append(LifecycleRule("SetStorageClass", infrequent_class(policy.transition_to_infrequent_days),
                                   age_days=policy.transition_to_infrequent_days, with_state="LIVE",
                                   matches_storage_classes=("STANDARD",)))
    if policy.transition_to_archive_days:
        rules.append(LifecycleRule("SetStorageClass", "ARCHIVE", age_days=policy.transition_to_archive_days,
                                   with_state="LIVE",
                                   matches_storage_classes=("STANDARD", "NEARLINE", "COLDLINE")))
    if policy.noncurrent_version_expiration_days and versioned:
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

FILESTORE_ZONAL = (1_024, 102_400)        # GiB; 10,240 and up in 2,560 GiB steps
PARALLELSTORE = (12_000, 100_000, 4_000)  # min, max, step GiB


@dataclass(frozen=True)
class FileTierSize:
    kind: str
    capacity_gib: int
    throughput_mbps_per_tib: int | None = None
    reason: str = ""


def _round_up(value: int, step: int, floor: int) -> int:
    return max(floor, math.ceil(value / step) * step)


def managed_lustre_size(config: LandingZoneConfig) -> FileTierSize:
    """Configured capacity and tier where given; the storage advisor's cheapest sufficient choice otherwise.

    The result is rounded up to the tier's minimum and step, so a hand-picked capacity is always valid.
    """
    file = config.storage.file
    if file.throughput_mbps_per_tib is not None and file.throughput_mbps_per_tib not in MANAGED_LUSTRE_TIERS:
        raise ValueError(f"storage.file.throughputMbpsPerTib: Managed Lustre tiers are "
                         f"{', '.join(map(str, sorted(MANAGED_LUSTRE_TIERS)))} MB/s per TiB "
                         f"(got {file.throughput_mbps_per_tib})")
    demand = training_demand(config.gpu_pools, config.cloud).mbps
    reason = "configured"
    tier = file.throughput_mbps_per_tib
    capacity = file.capacity_gib
    if tier is None or capacity is None:
        choice = size_managed_lustre(demand, managed_lustre_prices())
        tier = tier or choice.throughput_per_tib
        capacity = capacity or managed_lustre_capacity_for(demand, tier)
        reason = choice.note
    minimum, step = MANAGED_LUSTRE_TIERS[tier]
    return FileTierSize("managedLustre", _round_up(capacity, step, minimum), tier, reason)


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


def file_tier_size(config: LandingZoneConfig) -> FileTierSize | None:
    kind = config.storage.file.kind
    if kind == "managedLustre":
        return managed_lustre_size(config)
    if kind == "filestore":
        return filestore_size(config.storage.file)
    if kind == "parallelstore":
        return parallelstore_size(config.storage.file)
    return None
