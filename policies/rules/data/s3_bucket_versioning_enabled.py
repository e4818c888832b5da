"""Every S3 bucket keeps versioning on (`Enabled`): an overwritten checkpoint or a deleted dataset
object stays recoverable (lifecycle rules expire old versions to bound the cost).

A stack rule that fails closed: the versioning setting is a separate resource
(`aws.s3.BucketVersioning`) matched to the bucket through its `bucket` input, and a bucket with none
is as unversioned as one whose configuration says `Suspended`. The bucket's inline setting (v7
`versioning.enabled`, v6 `versionings[].enabled`) counts too.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.s3 import bucket_companions
from lzpolicy.types import S3_BUCKET, S3_VERSIONING


def _inline_enabled(bucket) -> bool:
    if bucket.flag("versioning", "enabled"):
        return True
    return any(isinstance(v, dict) and v.get("enabled") is True for v in bucket.items("versionings"))


def check_stack(view: StackView):
    buckets = view.of_type(*S3_BUCKET)
    if not buckets:
        return NotApplicable("the stack has no S3 buckets")
    out = []
    for bucket in buckets:
        configs = bucket_companions(view, bucket, S3_VERSIONING)
        for config in configs:
            status = config.get("versioningConfiguration", "status")
            if status != "Enabled":
                out.append((config.urn, f"{config.title} sets versioning status {status or 'unset'} on "
                                        f"'{bucket.name}'; set versioning_configuration.status='Enabled' and "
                                        "expire noncurrent versions with a lifecycle rule."))
        if not configs and not _inline_enabled(bucket):
            out.append((bucket.urn, f"{bucket.title} has no versioning configuration in the stack; add an "
                                    "aws.s3.BucketVersioning for it with status 'Enabled' and expire noncurrent "
                                    "versions with a lifecycle rule."))
    return out


RULE = StackRule(
    name="s3-bucket-versioning-enabled",
    description="Every S3 bucket has versioning enabled (a BucketVersioning resource with status Enabled).",
    resource_types=(*S3_BUCKET, *S3_VERSIONING),
    controls=("CKV_AWS_21", "FSBP S3.14"),
    enforcement_level="advisory",
    severity="medium",
    check_stack=check_stack,
)
