"""SageMaker notebook instances encrypt their storage volume with a customer managed KMS key
(`kms_key_id`); without one AWS uses an AWS managed key, which key policies and rotation of the
landing zone do not govern. Source: pulumi_aws.sagemaker.NotebookInstance docs (kms_key_id).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SAGEMAKER_NOTEBOOK


def check(r: ResourceView):
    if not r.is_set("kmsKeyId"):
        return NonCompliant(f"{r.title} has no kms_key_id; set it to a customer managed KMS key (the landing zone's data key).")
    return Compliant()


RULE = ResourceRule(
    name="sagemaker-notebook-encrypted",
    description="SageMaker notebook instances set a customer managed KMS key.",
    resource_types=SAGEMAKER_NOTEBOOK,
    controls=("CKV_AWS_22",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
