"""Cloud Storage buckets use uniform bucket-level access: IAM alone decides, no object ACLs."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GCS_BUCKET


def check(r: ResourceView):
    if r.flag("uniformBucketLevelAccess") is not True:
        return NonCompliant(f"{r.title} allows per-object ACLs; set uniform_bucket_level_access=True so that IAM "
                            "alone governs access.")
    return Compliant()


RULE = ResourceRule(
    name="gcs-bucket-uniform-access",
    description="Cloud Storage buckets enable uniform bucket-level access.",
    resource_types=GCS_BUCKET,
    controls=("CKV_GCP_29", "CIS-GCP-3.0 5.2", "GCP org policy constraints/storage.uniformBucketLevelAccess"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
