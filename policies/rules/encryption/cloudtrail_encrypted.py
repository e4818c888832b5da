"""CloudTrail trails encrypt their log files with a customer-managed KMS key (SSE-KMS)."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import TRAIL


def check(r: ResourceView):
    if not r.is_set("kmsKeyId"):
        return NonCompliant(f"{r.title} writes log files with S3-managed encryption only; set kms_key_id to a "
                            "customer-managed KMS key whose policy lets CloudTrail encrypt.")
    return Compliant()


RULE = ResourceRule(
    name="cloudtrail-encrypted",
    description="CloudTrail trails encrypt log files with a customer-managed KMS key.",
    resource_types=TRAIL,
    controls=("FSBP CloudTrail.2", "CIS-AWS-3.0 3.5", "CKV_AWS_35"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
