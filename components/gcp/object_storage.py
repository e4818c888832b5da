"""Object tier: one GCS bucket per purpose (datasets, checkpoints, artifacts, logs).

Every bucket: uniform bucket-level access, public access prevention enforced, CMEK (the storage
service agent is granted the key first), soft delete, and lifecycle transitions from the config.
Datasets, checkpoints and artifacts are versioned; the logs bucket has a retention policy instead,
and so do artifacts when object lock is on (prod: WORM model artifacts, as S3 Object Lock keeps them on
AWS). Retention policies are locked when object lock is on - GCS allows only one of versioning and a
retention policy on a bucket, and a locked retention policy cannot be removed or shortened for the
bucket's lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.config.model import ObjectTier

from .common import GcpContext
from .storage_rules import PURPOSES, SOFT_DELETE_DAYS, LifecycleRule, lifecycle_rules, retained, versioned

DAY = 86_400


@dataclass(frozen=True)
class ObjectStorageArgs:
    ctx: GcpContext
    objects: ObjectTier
    object_lock: bool                  # the effective setting (`LandingZoneConfig.object_lock`: on in prod)
    kms_key: pulumi.Input[str]
    key_grants: list[pulumi.Resource]


def lifecycle_args(rule: LifecycleRule) -> gcp.storage.BucketLifecycleRuleArgs:
    return gcp.storage.BucketLifecycleRuleArgs(
        action=gcp.storage.BucketLifecycleRuleActionArgs(type=rule.action, storage_class=rule.storage_class),
        condition=gcp.storage.BucketLifecycleRuleConditionArgs(
            age=rule.age_days, days_since_noncurrent_time=rule.days_since_noncurrent, with_state=rule.with_state,
            matches_storage_classes=list(rule.matches_storage_classes) or None))


class ObjectStorage(pulumi.ComponentResource):
    """`lz:gcp:ObjectStorage`: `.buckets[purpose]`."""

    def __init__(self, name: str, args: ObjectStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:ObjectStorage", name, None, opts)
        ctx, objects, lock = args.ctx, args.objects, args.object_lock
        self.buckets: dict[str, gcp.storage.Bucket] = {}
        for purpose in PURPOSES:
            retention = None
            if retained(purpose, lock):
                # The provider schema types retentionPeriod as a string of seconds
                # (pulumi_gcp/storage/_inputs.py BucketRetentionPolicyArgs: `pulumi.Input[str]`).
                retention = gcp.storage.BucketRetentionPolicyArgs(
                    retention_period=str(objects.object_lock_days * DAY), is_locked=lock)
            self.buckets[purpose] = gcp.storage.Bucket(
                f"{name}-{purpose}", name=ctx.bucket_name(purpose),
                project=ctx.project, location=ctx.region.upper(), storage_class="STANDARD",
                uniform_bucket_level_access=True, public_access_prevention="enforced",
                versioning=gcp.storage.BucketVersioningArgs(enabled=versioned(purpose, lock)),
                encryption=gcp.storage.BucketEncryptionArgs(default_kms_key_name=args.kms_key),
                soft_delete_policy=gcp.storage.BucketSoftDeletePolicyArgs(
                    retention_duration_seconds=SOFT_DELETE_DAYS[ctx.environment] * DAY),
                lifecycle_rules=[lifecycle_args(r) for r in lifecycle_rules(
                    getattr(objects, purpose), versioned=versioned(purpose, lock))],
                retention_policy=retention,
                # A bucket that still holds objects is never deleted by the stack.
                force_destroy=False,
                labels=ctx.labelled(purpose=purpose),
                opts=ctx.stateful(self, opts, depends_on=args.key_grants))
        self.register_outputs({p: b.url for p, b in self.buckets.items()})
