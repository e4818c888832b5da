"""GKE clusters enable Workload Identity, so pods get Google credentials of their own Kubernetes
service account rather than the node's. Autopilot clusters always have it."""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.flag("enableAutopilot") is True:
        return NotApplicable("Autopilot clusters always use Workload Identity")
    if not r.is_set("workloadIdentityConfig", "workloadPool"):
        return NonCompliant(f"{r.title} does not enable Workload Identity; set workload_identity_config.workload_pool "
                            "to '<project>.svc.id.goog'.")
    return Compliant()


RULE = ResourceRule(
    name="gke-workload-identity",
    description="GKE Standard clusters enable Workload Identity.",
    resource_types=GKE_CLUSTER,
    controls=("CIS-GKE-1.6 5.2.2", "pulumi gke-workload-identity-enabled"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
