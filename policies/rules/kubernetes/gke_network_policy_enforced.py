"""GKE clusters enforce NetworkPolicy: GKE Dataplane V2 (`datapathProvider` ADVANCED_DATAPATH)
or the Calico add-on (`networkPolicy.enabled`). Without either, the default-deny policies the
platform creates are accepted by the API server and silently ignored."""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.flag("enableAutopilot") is True:
        return NotApplicable("Autopilot clusters always run Dataplane V2")
    if r.get("datapathProvider") == "ADVANCED_DATAPATH" or r.flag("networkPolicy", "enabled") is True:
        return Compliant()
    return NonCompliant(f"{r.title} does not enforce NetworkPolicy; set datapath_provider='ADVANCED_DATAPATH' "
                        "(Dataplane V2) so the namespaces' default-deny policies take effect.")


RULE = ResourceRule(
    name="gke-network-policy-enforced",
    description="GKE Standard clusters enforce NetworkPolicy (Dataplane V2 or network_policy enabled).",
    resource_types=GKE_CLUSTER,
    controls=("CKV_GCP_12", "CIS-GKE-1.6 5.6.7", "gcp-policy-library gke_restrict_pod_traffic"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
