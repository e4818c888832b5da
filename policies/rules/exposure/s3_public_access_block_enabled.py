"""S3 public-access blocks turn on all four settings.

Judges bucket-level `BucketPublicAccessBlock` resources and the account-level
`AccountPublicAccessBlock`; that every bucket has one is `s3-bucket-has-public-access-block`.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, S3_PUBLIC_ACCESS_BLOCK

SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SNAKE = {"blockPublicAcls": "block_public_acls", "blockPublicPolicy": "block_public_policy",
         "ignorePublicAcls": "ignore_public_acls", "restrictPublicBuckets": "restrict_public_buckets"}


def check(r: ResourceView):
    off = [SNAKE[s] for s in SETTINGS if r.flag(s) is not True]
    if off:
        return NonCompliant(f"{r.title} leaves {', '.join(off)} off; set all four of block_public_acls, "
                            "block_public_policy, ignore_public_acls and restrict_public_buckets to True.")
    return Compliant()


RULE = ResourceRule(
    name="s3-public-access-block-enabled",
    description="S3 public-access blocks (bucket and account) enable all four block/ignore/restrict settings.",
    resource_types=(*S3_PUBLIC_ACCESS_BLOCK, *S3_ACCOUNT_PUBLIC_ACCESS_BLOCK),
    controls=("FSBP S3.8", "FSBP S3.1", "CIS-AWS-3.0 2.1.4", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
