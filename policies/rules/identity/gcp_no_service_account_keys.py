"""No user-managed service-account keys: workloads use Workload Identity and people use their own
credentials. A key is a long-lived secret that leaves Google's control the moment it is exported."""

from lzpolicy import NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GCP_SA_KEY


def check(r: ResourceView):
    return NonCompliant(f"{r.title} creates a user-managed service-account key; remove it and use Workload "
                        "Identity (GKE) or Workload Identity Federation (CI) instead.")


RULE = ResourceRule(
    name="gcp-no-service-account-keys",
    description="No user-managed GCP service-account keys are created.",
    resource_types=GCP_SA_KEY,
    controls=("CIS-GCP-3.0 1.4", "CKV2_GCP_3", "GCP org policy constraints/iam.disableServiceAccountKeyCreation"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
