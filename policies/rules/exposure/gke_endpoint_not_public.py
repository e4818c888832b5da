"""GKE control planes are private in prod, and reachable only from authorised networks elsewhere.

A cluster passes when its IP endpoint is private (`privateClusterConfig.enablePrivateEndpoint`)
or disabled (`controlPlaneEndpointsConfig.ipEndpointsConfig.enabled` false: the IAM-gated DNS
endpoint only). Outside prod a public IP endpoint is accepted when master authorized networks list
CIDRs, none of them 0.0.0.0/0, and Google Cloud public IPs are not let in.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import GKE_CLUSTER

OPEN = {"0.0.0.0/0", "::/0"}


def check(r: ResourceView):
    if r.flag("privateClusterConfig", "enablePrivateEndpoint") is True:
        return Compliant()
    if r.flag("controlPlaneEndpointsConfig", "ipEndpointsConfig", "enabled") is False:
        return Compliant()
    blocks = [b for b in r.items("masterAuthorizedNetworksConfig", "cidrBlocks") if isinstance(b, dict)]
    cidrs = [str(b.get("cidrBlock")) for b in blocks]
    authorised = r.is_set("masterAuthorizedNetworksConfig") and bool(cidrs) and not set(cidrs) & OPEN and \
        wire.truthy(r.get("masterAuthorizedNetworksConfig", "gcpPublicCidrsAccessEnabled")) is not True
    environment = r.environment
    if authorised and environment in ("dev", "staging"):
        return Compliant()
    if not authorised:
        return NonCompliant(f"{r.title} has a public control-plane endpoint open to the internet; set "
                            "private_cluster_config.enable_private_endpoint=True (outside prod, at least list your "
                            "office or VPN ranges in master_authorized_networks_config.cidr_blocks).")
    return NonCompliant(f"{r.title} has a public control-plane endpoint in {environment or 'an unknown environment'} "
                        f"(authorised: {', '.join(cidrs)}); in prod set private_cluster_config.enable_private_endpoint"
                        "=True or disable the IP endpoint and use the DNS endpoint.")


RULE = ResourceRule(
    name="gke-endpoint-not-public",
    description="GKE control-plane endpoints are private in prod and limited to authorised networks elsewhere.",
    resource_types=GKE_CLUSTER,
    controls=("CIS-GKE-1.6 5.6.3", "CIS-GKE-1.6 5.6.4", "CKV_GCP_18", "CKV_GCP_20", "gcp-policy-library allow_only_private_cluster"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
