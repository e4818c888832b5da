"""GCP subnets record VPC flow logs (`logConfig`).

A stack rule, because two kinds of subnet cannot take flow logs and are not judged: proxy-only and
Private Service Connect subnets (`purpose`), and subnets of a network created with an RDMA network
profile (`networkProfile` ...-vpc-roce / -vpc-falcon: the GPU-to-GPU networks of A3 Ultra and A4
node pools, which support a reduced feature set and carry only RDMA traffic).
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import GCP_NETWORK, GCP_SUBNET

NO_FLOW_LOG_PURPOSES = ("REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY", "INTERNAL_HTTPS_LOAD_BALANCER",
                        "PRIVATE_SERVICE_CONNECT", "PRIVATE_NAT")
RDMA_PROFILE_MARKERS = ("-vpc-roce", "-vpc-falcon")


def _rdma_network(view: StackView, subnet) -> bool:
    for network in view.referenced(subnet, "network", *GCP_NETWORK):
        profile = network.known("networkProfile")
        if isinstance(profile, str) and any(m in profile for m in RDMA_PROFILE_MARKERS):
            return True
    return False


def check_stack(view: StackView):
    subnets = [s for s in view.of_type(*GCP_SUBNET) if s.known("purpose") not in NO_FLOW_LOG_PURPOSES
               and not _rdma_network(view, s)]
    if not subnets:
        return NotApplicable("the stack has no GCP subnets that take flow logs")
    return [(s.urn, f"{s.title} records no VPC flow logs; set log_config (aggregation_interval 'INTERVAL_5_SEC', "
                    "flow_sampling 0.5, metadata 'INCLUDE_ALL_METADATA').")
            for s in subnets if not s.is_set("logConfig")]


RULE = StackRule(
    name="gcp-subnet-flow-logs",
    description="GCP subnets (other than proxy-only, PSC and RDMA-network subnets) enable VPC flow logs.",
    resource_types=(*GCP_SUBNET, *GCP_NETWORK),
    controls=("CIS-GCP-3.0 3.8", "CKV_GCP_26", "trivy GCP-0029"),
    enforcement_level="mandatory",
    severity="medium",
    check_stack=check_stack,
)
