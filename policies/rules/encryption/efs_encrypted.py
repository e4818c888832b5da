"""EFS file systems are encrypted at rest with a customer-managed KMS key."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EFS


def check(r: ResourceView):
    problems = []
    if r.flag("encrypted") is not True:
        problems.append("is not encrypted at rest")
    if not r.is_set("kmsKeyId"):
        problems.append("has no customer-managed key")
    if problems:
        return NonCompliant(f"{r.title} {' and '.join(problems)}; set encrypted=True and kms_key_id to a "
                            "customer-managed KMS key.")
    return Compliant()


RULE = ResourceRule(
    name="efs-encrypted",
    description="EFS file systems are encrypted at rest with a customer-managed KMS key.",
    resource_types=EFS,
    controls=("FSBP EFS.1", "CKV_AWS_42", "CKV_AWS_184", "awsguard efs-encrypted",
              "pulumi aws-efs-filesystem-disallow-unencrypted-file-system"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
