"""GKE node pools keep auto-repair on (`management.autoRepair`, default true): a GPU node whose
driver or device fails health checks is recreated instead of idling at full price.

Queued-provisioning pools (`queuedProvisioning.enabled`) are not judged: their nodes are replaced
by a new ProvisioningRequest rather than repaired, and GKE documents auto-repair off for them.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_NODE_POOL


def check(r: ResourceView):
    if r.flag("queuedProvisioning", "enabled") is True:
        return NotApplicable("queued-provisioning pools are replaced, not repaired")
    if r.flag("management", "autoRepair") is False:
        return NonCompliant(f"{r.title} turns node auto-repair off; set management.auto_repair=True.")
    return Compliant()


RULE = ResourceRule(
    name="gke-node-auto-repair",
    description="GKE node pools keep node auto-repair on.",
    resource_types=GKE_NODE_POOL,
    controls=("CIS-GKE-1.6 5.5.2", "CKV_GCP_9"),
    enforcement_level="advisory",
    severity="low",
    check=check,
)
