"""S3 ownership controls disable ACLs (object ownership `BucketOwnerEnforced`), so access is
governed by policies alone. Buckets created since April 2023 default to this; the rule judges an
explicit `BucketOwnershipControls` that would turn ACLs back on."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import S3_OWNERSHIP


def check(r: ResourceView):
    ownership = r.get("rule", "objectOwnership")
    if ownership != "BucketOwnerEnforced":
        return NonCompliant(f"{r.title} sets object_ownership '{ownership}', which keeps ACLs in force; set "
                            "rule.object_ownership to 'BucketOwnerEnforced'.")
    return Compliant()


RULE = ResourceRule(
    name="s3-bucket-acls-disabled",
    description="S3 bucket ownership controls use BucketOwnerEnforced (ACLs disabled).",
    resource_types=S3_OWNERSHIP,
    controls=("FSBP S3.12", "CKV2_AWS_65"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
