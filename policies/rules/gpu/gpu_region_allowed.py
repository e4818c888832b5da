"""Accelerator node pools run only in the regions listed in `allowedRegions` (where the capacity,
quotas, reservations and data-residency approvals are). Without a list the rule has nothing to
judge. AWS pools take their region from the resource's `region`, the provider or `aws:region`;
GKE pools from their `location`.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.gpu import aws_node_group_pool, gke_node_pool
from lzpolicy.types import GKE_NODE_POOL, NODE_GROUP


def check(r: ResourceView):
    pool = aws_node_group_pool(r) if r.type in NODE_GROUP else gke_node_pool(r)
    if pool is None:
        return NotApplicable("not an accelerator node pool")
    allowed = [str(x) for x in r.config.get("allowedRegions") or []]
    if not allowed:
        return NotApplicable("no allowedRegions configured for this environment")
    region = r.region
    if region is None:
        return NonCompliant(f"{r.title} runs in a region the plan cannot determine; set the provider's region "
                            f"(or the pool's location) to one of {', '.join(allowed)}.")
    if region not in allowed:
        return NonCompliant(f"{r.title} runs accelerators in {region}, which is not an allowed GPU region; move it "
                            f"to one of {', '.join(allowed)} or add {region} to allowedRegions.")
    return Compliant()


RULE = ResourceRule(
    name="gpu-region-allowed",
    description="Accelerator node pools run only in allowedRegions.",
    resource_types=(*NODE_GROUP, *GKE_NODE_POOL),
    controls=("GCP org policy constraints/gcp.resourceLocations", "AWS SCP region deny (aws:RequestedRegion)"),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={"allowedRegions": {
        "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
        "description": "Regions accelerator pools may run in (AWS regions and GCP regions); empty: not judged."}},
    check=check,
)
