"""CloudWatch log groups are encrypted with a customer-managed KMS key.

Flow logs, EKS control-plane logs and audit logs name internal addresses, users and API calls;
CloudWatch's default service-owned encryption gives no separate control over who may read them.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import LOG_GROUP


def check(r: ResourceView):
    if not r.is_set("kmsKeyId"):
        return NonCompliant(f"{r.title} has no customer-managed key; set kms_key_id to a KMS key whose policy "
                            "allows the logs.<region>.amazonaws.com service principal.")
    return Compliant()


RULE = ResourceRule(
    name="log-group-encrypted",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    resource_types=LOG_GROUP,
    controls=("CKV_AWS_158",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
