"""GKE nodes run as a dedicated, minimally privileged service account, not the Compute Engine
default service account (which holds roles/editor in projects that did not turn that grant off).

Node pools are judged on `nodeConfig.serviceAccount`; a cluster only on the default pool it keeps
(`removeDefaultNodePool` false).
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER

DEFAULT_SUFFIX = "-compute@developer.gserviceaccount.com"


def check(r: ResourceView):
    if r.type in GKE_CLUSTER and (r.flag("removeDefaultNodePool") is True or r.flag("enableAutopilot") is True):
        return NotApplicable("the cluster keeps no default node pool")
    if not r.is_set("nodeConfig", "serviceAccount"):
        return NonCompliant(f"{r.title} runs its nodes as the Compute Engine default service account; set "
                            "node_config.service_account to a dedicated account with the minimal node roles.")
    account = r.known("nodeConfig", "serviceAccount")
    if isinstance(account, str) and (account == "default" or account.endswith(DEFAULT_SUFFIX)):
        return NonCompliant(f"{r.title} runs its nodes as {account}; set node_config.service_account to a dedicated "
                            "account with the minimal node roles (logging, monitoring, artifact reads).")
    return Compliant()


RULE = ResourceRule(
    name="gke-nodes-dedicated-service-account",
    description="GKE node pools (and a kept default pool) use a dedicated node service account.",
    resource_types=(*GKE_CLUSTER, "gcp:container/nodePool:NodePool"),
    controls=("CIS-GKE-1.6 5.2.1", "CKV2_GCP_1", "trivy GCP-0050"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
