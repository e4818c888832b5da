"""Every S3 bucket records server access logs: who read or wrote training data and model artifacts.

A stack rule that fails closed: access logging is a separate resource (`aws.s3.BucketLogging`) matched
to the bucket through its `bucket` input; a bucket with none is a violation. The bucket's inline
setting (v7 `logging.targetBucket`, v6 `loggings[]`) counts too. Exempt: a bucket that receives the
access logs of another bucket in the stack. AWS advises against a target bucket logging into itself
(each delivery would log another delivery) and S3 delivers access logs only to a bucket in the same
region and account (Amazon S3 User Guide, "Logging requests with server access logging"), so the log
bucket's own reads are left to CloudTrail data events.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.s3 import bucket_companions
from lzpolicy.types import S3_BUCKET, S3_LOGGING


def _inline_logged(bucket) -> bool:
    if bucket.is_set("logging", "targetBucket"):
        return True
    return any(isinstance(v, dict) and v.get("targetBucket") for v in bucket.items("loggings"))


def _log_targets(view: StackView) -> set[str]:
    """URNs of buckets that are the target of a BucketLogging in the stack."""
    targets = set()
    for logging in view.of_type(*S3_LOGGING):
        for bucket in view.referenced(logging, "targetBucket", *S3_BUCKET):
            targets.add(bucket.urn)
        name = logging.known("targetBucket")
        for bucket in view.of_type(*S3_BUCKET):
            if isinstance(name, str) and bucket.known("bucket") == name:
                targets.add(bucket.urn)
    return targets


def check_stack(view: StackView):
    buckets = view.of_type(*S3_BUCKET)
    if not buckets:
        return NotApplicable("the stack has no S3 buckets")
    targets = _log_targets(view)
    out = []
    for bucket in buckets:
        if bucket.urn in targets or _inline_logged(bucket) or bucket_companions(view, bucket, S3_LOGGING):
            continue
        out.append((bucket.urn, f"{bucket.title} has no server access logging in the stack; add an "
                                "aws.s3.BucketLogging for it whose target_bucket is the stack's access-log bucket "
                                "(same region and account)."))
    return out



RULE = StackRule(
    name="s3-bucket-access-logging",
    description="Every S3 bucket (except an access-log target) has server access logging configured.",
    resource_types=(*S3_BUCKET, *S3_LOGGING),
    controls=("CKV_AWS_18", "FSBP S3.9", "CIS-AWS-1.4 3.6"),
    enforcement_level="mandatory",
    severity="medium",
    check_stack=check_stack,
)
