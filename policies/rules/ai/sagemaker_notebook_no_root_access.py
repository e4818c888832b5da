"""SageMaker notebook instances do not give their users root: `root_access` defaults to `Enabled`.
Source: pulumi_aws.sagemaker.NotebookInstance docs (root_access, default `Enabled`); AWS Security Hub
FSBP SageMaker.3 "Users should not have root access to SageMaker notebook instances".
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SAGEMAKER_NOTEBOOK


def check(r: ResourceView):
    value = r.get("rootAccess") or "Enabled"
    if value != "Disabled":
        return NonCompliant(f"{r.title} gives its users root ({value}{'' if r.is_set('rootAccess') else ', the default'}); "
                            "set root_access='Disabled' and install packages through a lifecycle configuration.")
    return Compliant()


RULE = ResourceRule(
    name="sagemaker-notebook-no-root-access",
    description="SageMaker notebook instances set root_access to Disabled.",
    resource_types=SAGEMAKER_NOTEBOOK,
    controls=("FSBP SageMaker.3",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
