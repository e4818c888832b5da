"""Secrets Manager secrets (API tokens, Hugging Face and registry credentials) are encrypted with a
customer managed KMS key (`kms_key_id`); without one Secrets Manager uses the account's `aws/secretsmanager`
key, whose policy cannot be narrowed. Source: pulumi_aws.secretsmanager.Secret docs (kms_key_id);
Checkov CKV_AWS_149.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SECRET


def check(r: ResourceView):
    key = r.known("kmsKeyId")  # an ARN computed from a key in the same stack is a customer managed key
    if not r.is_set("kmsKeyId") or (isinstance(key, str) and key.endswith("alias/aws/secretsmanager")):
        return NonCompliant(f"{r.title} uses the AWS managed key aws/secretsmanager; set kms_key_id to a customer "
                            "managed key.")
    return Compliant()


RULE = ResourceRule(
    name="secretsmanager-secret-cmk",
    description="Secrets Manager secrets are encrypted with a customer managed KMS key.",
    resource_types=SECRET,
    controls=("CKV_AWS_149",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
