"""GKE clusters keep legacy ABAC off (`enable_legacy_abac` false, the default).

Legacy ABAC grants permissions outside Kubernetes RBAC and, once on, lets every service account of the
cluster act with broad rights (CIS GKE Benchmark 5.8.4; GKE hardening guide "Leave legacy ABAC disabled").
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.flag("enableLegacyAbac") is True:
        return NonCompliant(f"{r.title} turns legacy ABAC authorization on; remove enable_legacy_abac=True and grant "
                            "access with Kubernetes RBAC.")
    return Compliant()


RULE = ResourceRule(
    name="gke-legacy-abac-disabled",
    description="GKE clusters do not enable legacy ABAC authorization.",
    resource_types=GKE_CLUSTER,
    controls=("CIS-GKE-1.6 5.8.4", "CKV_GCP_7"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
