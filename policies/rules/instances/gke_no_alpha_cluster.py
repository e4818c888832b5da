"""GKE clusters are not alpha clusters (`enable_kubernetes_alpha` false, the default).

Alpha clusters run unsupported Kubernetes alpha features, are not covered by the GKE SLA, cannot be
upgraded and are deleted after 30 days (GKE docs, "Alpha clusters"); CIS GKE Benchmark 5.10.2 keeps
them out of production.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.flag("enableKubernetesAlpha") is True:
        return NonCompliant(f"{r.title} is an alpha cluster (no SLA, no upgrades, deleted after 30 days); remove "
                            "enable_kubernetes_alpha=True.")
    return Compliant()


RULE = ResourceRule(
    name="gke-no-alpha-cluster",
    description="GKE clusters are not alpha clusters.",
    resource_types=GKE_CLUSTER,
    controls=("CIS-GKE-1.6 5.10.2",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
