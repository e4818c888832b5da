"""Every S3 bucket has its default-encryption configuration in the stack.

A stack rule: the bucket and its `BucketServerSideEncryptionConfiguration` are separate resources,
matched by the configuration's `bucket` input being computed from the bucket (property dependency)
or naming it. An inline configuration on the bucket (v6 BucketV2, v7 Bucket) also counts.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.s3 import bucket_companions
from lzpolicy.types import S3_BUCKET, S3_SSE


def check_stack(view: StackView):
    buckets = view.of_type(*S3_BUCKET)
    if not buckets:
        return NotApplicable("the stack has no S3 buckets")
    out = []
    for bucket in buckets:
        inline = bucket.is_set("serverSideEncryptionConfiguration") or bucket.is_set(
            "serverSideEncryptionConfigurations")
        if inline or bucket_companions(view, bucket, S3_SSE):
            continue
        out.append((bucket.urn,
                    f"{bucket.title} has no default-encryption configuration in the stack; add an "
                    "aws.s3.BucketServerSideEncryptionConfiguration for it with sse_algorithm 'aws:kms' and a "
                    "customer-managed key."))
    return out


RULE = StackRule(
    name="s3-bucket-encryption-configured",
    description="Every S3 bucket has a server-side encryption configuration resource (or inline configuration).",
    resource_types=(*S3_BUCKET, *S3_SSE),
    controls=("CKV_AWS_19", "pulumi s3-bucket-encryption"),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
