"""Cloud Storage buckets enforce public access prevention.

Unset or "inherited" depends on an organisation policy the stack cannot see, so only "enforced"
passes.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GCS_BUCKET


def check(r: ResourceView):
    value = r.get("publicAccessPrevention")
    if value != "enforced":
        return NonCompliant(f"{r.title} sets public_access_prevention to {value or 'nothing'} ('inherited' depends on "
                            "an org policy the stack cannot see); set it to 'enforced'.")
    return Compliant()


RULE = ResourceRule(
    name="gcs-bucket-public-access-prevented",
    description="Cloud Storage buckets set publicAccessPrevention 'enforced'.",
    resource_types=GCS_BUCKET,
    controls=("CKV_GCP_114", "CIS-GCP-3.0 5.1", "GCP org policy constraints/storage.publicAccessPrevention",
              "pulumi gcp-storage-bucket-enforce-public-access-prevention"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
