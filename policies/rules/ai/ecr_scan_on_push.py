"""ECR repositories scan images on push (`image_scanning_configuration.scan_on_push`), so a model-serving
image with known CVEs is reported before it runs. Registry-level scanning
(`aws.ecr.RegistryScanningConfiguration`) is not read by this rule: a stack that scans at the registry
level sets this rule's level to advisory. Source: pulumi_aws.ecr.Repository docs ("By default, image
scanning must be manually triggered"); Checkov CKV_AWS_163; AWS Security Hub FSBP ECR.1.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import ECR_REPOSITORY


def check(r: ResourceView):
    if r.flag("imageScanningConfiguration", "scanOnPush") is not True:
        return NonCompliant(f"{r.title} does not scan images on push; set "
                            "image_scanning_configuration={'scan_on_push': True}.")
    return Compliant()


RULE = ResourceRule(
    name="ecr-scan-on-push",
    description="ECR repositories scan images on push.",
    resource_types=ECR_REPOSITORY,
    controls=("FSBP ECR.1", "CKV_AWS_163"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
