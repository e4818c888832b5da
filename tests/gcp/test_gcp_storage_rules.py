"""Bucket lifecycle rules by purpose and the sizing of the GCP file tiers."""

from __future__ import annotations

import pytest

from components.config.model import BucketPolicy, FileTier, LandingZoneConfig
from components.gcp.storage_rules import (
    LifecycleRule,
    file_tier_size,
    filestore_size,
    infrequent_class,
    lifecycle_problems,
    lifecycle_rules,
    parallelstore_size,
)
from components.storage_advisor import MANAGED_LUSTRE_TIERS


@pytest.mark.parametrize(("days", "cls"), [(1, "NEARLINE"), (30, "NEARLINE"), (89, "NEARLINE"), (90, "COLDLINE"),
                                           (400, "COLDLINE")])
def test_infrequent_class(days, cls):
    assert infrequent_class(days) == cls


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # datasets default: Nearline at 30 days, Archive at 180
        (BucketPolicy(transition_to_infrequent_days=30, transition_to_archive_days=180), [
            LifecycleRule("SetStorageClass", "NEARLINE", age_days=30, with_state="LIVE",
                          matches_storage_classes=("STANDARD",)),
            LifecycleRule("SetStorageClass", "ARCHIVE", age_days=180, with_state="LIVE",
                          matches_storage_classes=("STANDARD", "NEARLINE", "COLDLINE"))]),
        # checkpoints default: old versions go after 14 days
        (BucketPolicy(noncurrent_version_expiration_days=14), [
            LifecycleRule("Delete", days_since_noncurrent=14, with_state="ARCHIVED")]),
        # logs default: Coldline at 90 days, deleted after two years
        (BucketPolicy(transition_to_infrequent_days=90, expiration_days=730), [
            LifecycleRule("SetStorageClass", "COLDLINE", age_days=90, with_state="LIVE",
                          matches_storage_classes=("STANDARD",)),
            LifecycleRule("Delete", age_days=730, with_state="ANY")]),
        (BucketPolicy(), []),
    ],
)
def test_lifecycle_rules(policy, expected):
    assert lifecycle_rules(policy) == expected


@pytest.mark.parametrize(
    ("policy", "problems"),
    [
        (BucketPolicy(transition_to_infrequent_days=30, transition_to_archive_days=180, expiration_days=365), 0),
        (BucketPolicy(transition_to_infrequent_days=90, transition_to_archive_days=60), 1),
        (BucketPolicy(transition_to_infrequent_days=90, expiration_days=30), 1),
        (BucketPolicy(transition_to_infrequent_days=90, transition_to_archive_days=200, expiration_days=100), 1),
    ],
)
def test_lifecycle_problems(policy, problems):
    found = lifecycle_problems("logs", policy)
    assert len(found) == problems
    assert all(p.startswith("storage.objects.logs.") for p in found)


def config(file: dict, pools: list[dict] | None = None) -> LandingZoneConfig:
    return LandingZoneConfig.model_validate({
        "environment": "prod", "cloud": "gcp", "region": "us-central1", "gcpProject": "p",
        "tags": {"costCenter": "cc"}, "storage": {"file": file}, "gpuPools": pools or []})


TRAINING = [{"name": "t", "instanceType": "a3-megagpu-8g", "maxNodes": 8, "purpose": "training",
             "readThroughputPerGpuMbps": 500}]


@pytest.mark.parametrize(
    ("file", "pools", "capacity", "tier"),
    [
        # 8 nodes x 8 GPUs x 500 MB/s = 32,000 MB/s -> 32,000 GiB at 1000 MB/s/TiB -> 36,000 (9,000 steps)
        ({"kind": "managedLustre"}, TRAINING, 36_000, 1000),
        # no training demand: the tier minimum
        ({"kind": "managedLustre"}, [], 18_000, 1000),
        # a configured capacity is rounded up to the tier's step
        ({"kind": "managedLustre", "capacityGib": 20_000, "throughputMbpsPerTib": 500}, [], 36_000, 500),
        ({"kind": "managedLustre", "capacityGib": 200_000, "throughputMbpsPerTib": 125}, [], 216_000, 125),
        # a configured tier, capacity sized for the demand at that tier: 32,000/250*1024 = 131,072 -> 144,000
        ({"kind": "managedLustre", "throughputMbpsPerTib": 250}, TRAINING, 144_000, 250),
    ],
)
def test_managed_lustre_size(file, pools, capacity, tier):
    size = file_tier_size(config(file, pools))
    assert (size.kind, size.capacity_gib, size.throughput_mbps_per_tib) == ("managedLustre", capacity, tier)
    minimum, step = MANAGED_LUSTRE_TIERS[tier]
    assert size.capacity_gib >= minimum and size.capacity_gib % step == 0
    assert size.capacity_gib / 1024 * tier >= (32_000 if pools else 0)  # never starves the GPUs


def test_managed_lustre_rejects_unknown_tiers():
    with pytest.raises(ValueError, match="125, 250, 500, 1000"):
        file_tier_size(config({"kind": "managedLustre", "throughputMbpsPerTib": 200}))


@pytest.mark.parametrize(("gib", "expected"), [(None, 1_024), (500, 1_024), (5_000, 5_000), (10_241, 12_800),
                                               (102_400, 102_400)])
def test_filestore_zonal_size(gib, expected):
    assert filestore_size(FileTier(kind="filestore", capacity_gib=gib)).capacity_gib == expected


@pytest.mark.parametrize(("gib", "expected"), [(None, 12_000), (13_000, 16_000), (100_000, 100_000)])
def test_parallelstore_size(gib, expected):
    assert parallelstore_size(FileTier(kind="parallelstore", capacity_gib=gib)).capacity_gib == expected


@pytest.mark.parametrize(("kind", "gib"), [("filestore", 200_000), ("parallelstore", 120_000)])
def test_file_tiers_refuse_capacities_beyond_their_maximum(kind, gib):
    with pytest.raises(ValueError, match="at most"):
        file_tier_size(config({"kind": kind, "capacityGib": gib}))


def test_no_file_tier():
    assert file_tier_size(config({"kind": "none"})) is None


@pytest.mark.parametrize(("purpose", "object_lock", "retained_", "versioned_"), [
    ("logs", False, True, False),
    ("logs", True, True, False),
    ("artifacts", False, False, True),
    ("artifacts", True, True, False),     # WORM model artifacts: retention policy instead of versioning
    ("checkpoints", True, False, True),
    ("datasets", True, False, True),
])
def test_retention_or_versioning_per_bucket(purpose, object_lock, retained_, versioned_):
    from components.gcp.storage_rules import retained, versioned

    assert retained(purpose, object_lock) is retained_
    assert versioned(purpose, object_lock) is versioned_


def test_no_noncurrent_rule_on_an_unversioned_bucket():
    from components.config.model import BucketPolicy

    policy = BucketPolicy(noncurrent_version_expiration_days=30, expiration_days=730)
    assert [r.days_since_noncurrent for r in lifecycle_rules(policy)] == [30, None]
    assert [r.days_since_noncurrent for r in lifecycle_rules(policy, versioned=False)] == [None]
