"""SageMaker notebook instances do not have direct internet access: `direct_internet_access` defaults to
`Enabled`, which gives the notebook a SageMaker-managed route to the internet outside the VPC's controls.
Set it to `Disabled` (with `subnet_id` and `security_groups`, which AWS then requires).
Source: pulumi_aws.sagemaker.NotebookInstance docs (values `Enabled` (default) / `Disabled`); AWS
Security Hub FSBP SageMaker.1 "SageMaker notebook instances should not have direct internet access".
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SAGEMAKER_NOTEBOOK


def check(r: ResourceView):
    value = r.get("directInternetAccess") or "Enabled"
    if value != "Disabled":
        return NonCompliant(f"{r.title} has direct internet access ({value}{'' if r.is_set('directInternetAccess') else ', the default'}); "
                            "set direct_internet_access='Disabled' with subnet_id and security_groups, and reach the "
                            "internet through the VPC's NAT and endpoints.")
    return Compliant()


RULE = ResourceRule(
    name="sagemaker-notebook-no-direct-internet",
    description="SageMaker notebook instances set direct_internet_access to Disabled.",
    resource_types=SAGEMAKER_NOTEBOOK,
    controls=("FSBP SageMaker.1", "CKV_AWS_122"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
