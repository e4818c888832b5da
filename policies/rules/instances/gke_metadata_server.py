"""GKE node pools run the GKE metadata server (`workloadMetadataConfig.mode` GKE_METADATA) and keep
the legacy metadata endpoints off: pods then see only their own Workload Identity credentials,
never the node's service account or the kube-env bootstrap secrets.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.type in GKE_CLUSTER and (r.flag("removeDefaultNodePool") is True or r.flag("enableAutopilot") is True):
        return NotApplicable("the cluster keeps no default node pool")
    problems = []
    mode = r.get("nodeConfig", "workloadMetadataConfig", "mode")
    if mode != "GKE_METADATA":
        problems.append(f"workload_metadata_config.mode is {mode or 'unset'}")
    if str(r.get("nodeConfig", "metadata", "disable-legacy-endpoints", default="true")).lower() == "false":
        problems.append("the legacy metadata endpoints are enabled")
    if problems:
        return NonCompliant(f"{r.title} exposes node metadata to pods: {'; '.join(problems)}; set "
                            "node_config.workload_metadata_config.mode='GKE_METADATA' and keep "
                            "disable-legacy-endpoints 'true'.")
    return Compliant()


RULE = ResourceRule(
    name="gke-metadata-server",
    description="GKE node pools use the GKE metadata server and keep legacy metadata endpoints disabled.",
    resource_types=(*GKE_CLUSTER, "gcp:container/nodePool:NodePool"),
    controls=("CIS-GKE-1.6 5.4.1", "CKV_GCP_69", "trivy GCP-0048", "trivy GCP-0057"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
