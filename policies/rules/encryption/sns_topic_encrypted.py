"""SNS topics encrypt messages at rest with a KMS key (`kms_master_key_id`); SNS does not encrypt topics
unless a key is set. Sources: pulumi_aws.sns.Topic docs (kms_master_key_id); Amazon SNS developer guide,
"Encryption at rest"; Checkov CKV_AWS_26.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SNS_TOPIC


def check(r: ResourceView):
    if not r.is_set("kmsMasterKeyId"):
        return NonCompliant(f"{r.title} is not encrypted at rest; set kms_master_key_id (a customer managed key, or "
                            "alias/aws/sns).")
    return Compliant()


RULE = ResourceRule(
    name="sns-topic-encrypted",
    description="SNS topics set a KMS key for encryption at rest.",
    resource_types=SNS_TOPIC,
    controls=("CKV_AWS_26",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
