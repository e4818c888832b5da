"""Every S3 bucket has its own public-access block in the stack.

A stack rule: the block is a separate resource (`aws.s3.BucketPublicAccessBlock`) matched to the
bucket through its `bucket` input. An account-level block in the same stack covers every bucket of
the account, so it satisfies the rule too.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.s3 import bucket_companions
from lzpolicy.types import S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, S3_BUCKET, S3_PUBLIC_ACCESS_BLOCK


def check_stack(view: StackView):
    buckets = view.of_type(*S3_BUCKET)
    if not buckets:
        return NotApplicable("the stack has no S3 buckets")
    if view.of_type(*S3_ACCOUNT_PUBLIC_ACCESS_BLOCK):
        return []
    return [(b.urn, f"{b.title} has no public-access block in the stack; add an aws.s3.BucketPublicAccessBlock "
                    "for it with all four settings True.")
            for b in buckets if not bucket_companions(view, b, S3_PUBLIC_ACCESS_BLOCK)]


RULE = StackRule(
    name="s3-bucket-has-public-access-block",
    description="Every S3 bucket has a BucketPublicAccessBlock (or the account has an AccountPublicAccessBlock).",
    resource_types=(*S3_BUCKET, *S3_PUBLIC_ACCESS_BLOCK, *S3_ACCOUNT_PUBLIC_ACCESS_BLOCK),
    controls=("CKV2_AWS_6", "FSBP S3.8", "CIS-AWS-3.0 2.1.4"),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
