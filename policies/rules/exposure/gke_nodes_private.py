"""GKE nodes have no external IP addresses.

Clusters enable private nodes (`privateClusterConfig.enablePrivateNodes`). A node pool that sets
`networkConfig.enablePrivateNodes` overrides the cluster and is judged on it; one that does not
inherits the cluster's setting.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER, GKE_NODE_POOL


def check(r: ResourceView):
    if r.type in GKE_NODE_POOL:
        own = r.flag("networkConfig", "enablePrivateNodes")
        if own is None:
            return NotApplicable("the pool inherits the cluster's private-nodes setting")
        if own is False:
            return NonCompliant(f"{r.title} gives its nodes external IP addresses (network_config.enable_private_nodes"
                                "=False); remove the override or set it to True.")
        return Compliant()
    if r.flag("privateClusterConfig", "enablePrivateNodes") is not True:
        return NonCompliant(f"{r.title} gives its nodes external IP addresses; set "
                            "private_cluster_config.enable_private_nodes=True and use Cloud NAT for egress.")
    return Compliant()


RULE = ResourceRule(
    name="gke-nodes-private",
    description="GKE clusters and node pools use private nodes (no external IPs).",
    resource_types=(*GKE_CLUSTER, *GKE_NODE_POOL),
    controls=("CIS-GKE-1.6 5.6.5", "CKV_GCP_64", "CKV_GCP_25", "GCP org policy constraints/compute.vmExternalIpAccess"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
