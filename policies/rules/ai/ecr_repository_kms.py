"""ECR repositories encrypt images with KMS (`encryption_configurations[].encryption_type: KMS`); the
default is AES256 with an AWS-owned key. Source: pulumi_aws.ecr.Repository docs (encryption_type AES256
or KMS, default AES256); Checkov CKV_AWS_136.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import ECR_REPOSITORY


def check(r: ResourceView):
    types = [c.get("encryptionType") for c in r.items("encryptionConfigurations") if isinstance(c, dict)]
    if "KMS" not in types:
        return NonCompliant(f"{r.title} is encrypted with {types[0] if types and types[0] else 'AES256 (the default)'}; set "
                            "encryption_configurations=[{'encryption_type': 'KMS', 'kms_key': <key ARN>}].")
    return Compliant()


RULE = ResourceRule(
    name="ecr-repository-kms",
    description="ECR repositories are encrypted with KMS.",
    resource_types=ECR_REPOSITORY,
    controls=("CKV_AWS_136",),
    enforcement_level="advisory",
    severity="low",
    check=check,
)
