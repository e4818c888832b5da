"""In prod, Cloud Storage buckets encrypt with a customer-managed Cloud KMS key (CMEK).

Outside prod Google-managed encryption is accepted: CMEK adds a key per bucket and per-operation
KMS charges that dev and staging data does not warrant.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GCS_BUCKET


def check(r: ResourceView):
    if r.environment not in ("prod", None):
        return NotApplicable(f"CMEK is required in prod only (environment: {r.environment})")
    if not r.is_set("encryption", "defaultKmsKeyName"):
        return NonCompliant(f"{r.title} uses Google-managed encryption in prod; set encryption.default_kms_key_name "
                            "to a Cloud KMS key the Cloud Storage service agent may use.")
    return Compliant()


RULE = ResourceRule(
    name="gcs-bucket-cmek-in-prod",
    description="In prod, Cloud Storage buckets use a customer-managed encryption key.",
    resource_types=GCS_BUCKET,
    controls=("trivy GCP-0066", "GCP org policy constraints/gcp.restrictNonCmekServices"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
