"""Matching S3 buckets with their companion resources (encryption, public-access block, policy, ...).

pulumi-aws splits a bucket's settings into separate resources that name the bucket in `bucket`.
The match uses the property dependency the engine records when `bucket` is computed from the bucket
resource (known or not during preview), and falls back to comparing names when the bucket's name is
given literally.
"""

from __future__ import annotations

from .rule import ResourceView, StackView


def bucket_name(bucket: ResourceView) -> str | None:
    value = bucket.known("bucket")
    return value if isinstance(value, str) else None


def bucket_companions(view: StackView, bucket: ResourceView, types: tuple[str, ...]) -> list[ResourceView]:
    name = bucket_name(bucket)
    found = []
    for companion in view.of_type(*types):
        if companion.depends_on(bucket.urn, "bucket") or name is not None and companion.known("bucket") == name:
            found.append(companion)
    return found


def companion_bucket(view: StackView, companion: ResourceView, bucket_types: tuple[str, ...]) -> ResourceView | None:
    """The bucket a companion resource configures, when that bucket is in the stack."""
    for bucket in view.referenced(companion, "bucket", *bucket_types):
        return bucket
    name = companion.known("bucket")
    for bucket in view.of_type(*bucket_types):
        if isinstance(name, str) and bucket_name(bucket) == name:
            return bucket
    return None
