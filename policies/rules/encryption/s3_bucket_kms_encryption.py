"""S3 default encryption uses AWS KMS (`aws:kms` or `aws:kms:dsse`), not S3-managed keys.

Judges the encryption configuration resources (v7 `BucketServerSideEncryptionConfiguration`, v6
`...V2`) and a bucket's inline configuration where one is set (v6 BucketV2
`serverSideEncryptionConfigurations`, v7 Bucket `serverSideEncryptionConfiguration`). A bucket
without an inline configuration is left to `s3-bucket-encryption-configured`, which requires the
separate resource.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import S3_BUCKET, S3_SSE

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _rules(r: ResourceView) -> list:
    if r.type in S3_SSE:
        return r.items("rules")
    inline = r.items("serverSideEncryptionConfiguration") + r.items("serverSideEncryptionConfigurations")
    return [rule for config in inline if isinstance(config, dict) for rule in wire.items(config, "rules")
            + wire.items(config, "rule")]


def check(r: ResourceView):
    rules = [rule for rule in _rules(r) if isinstance(rule, dict)]
    if r.type in S3_BUCKET and not rules:
        return NotApplicable("the bucket has no inline encryption configuration; a separate resource sets it")
    algorithms = [wire.dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") for rule in rules]
    weak = [str(a) for a in algorithms if a not in KMS_ALGORITHMS]
    if not rules or weak:
        found = ", ".join(weak) if weak else "no default-encryption rule"
        return NonCompliant(
            f"{r.title} encrypts with {found} instead of AWS KMS; set "
            "apply_server_side_encryption_by_default.sse_algorithm to 'aws:kms' with a customer-managed key "
            "(kms_master_key_id) and bucket_key_enabled.")
    return Compliant()


RULE = ResourceRule(
    name="s3-bucket-kms-encryption",
    description="S3 default encryption uses AWS KMS keys (aws:kms / aws:kms:dsse).",
    resource_types=(*S3_SSE, *S3_BUCKET),
    controls=("FSBP S3.17", "CKV_AWS_145", "pulumi aws-s3-bucket-configure-server-side-encryption-kms"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
