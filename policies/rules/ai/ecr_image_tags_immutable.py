"""ECR repositories make image tags immutable: a mutable tag (`MUTABLE`, the default) can be re-pointed
at another image under a running job. `IMMUTABLE_WITH_EXCLUSION` passes (immutable except listed tags);
`MUTABLE_WITH_EXCLUSION` does not. Source: pulumi_aws.ecr.Repository docs (image_tag_mutability: MUTABLE,
IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION; default MUTABLE); Checkov CKV_AWS_51; AWS
Security Hub FSBP ECR.2.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import ECR_REPOSITORY

IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


def check(r: ResourceView):
    value = r.get("imageTagMutability") or "MUTABLE"
    if value not in IMMUTABLE:
        return NonCompliant(f"{r.title} has mutable image tags ({value}); set image_tag_mutability='IMMUTABLE'.")
    return Compliant()


RULE = ResourceRule(
    name="ecr-image-tags-immutable",
    description="ECR repositories set image_tag_mutability to IMMUTABLE.",
    resource_types=ECR_REPOSITORY,
    controls=("FSBP ECR.2", "CKV_AWS_51"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
