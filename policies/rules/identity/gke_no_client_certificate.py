"""GKE clusters do not issue client certificates (`master_auth.client_certificate_config.issue_client_certificate`
false, the default).

A client certificate is a long-lived credential that cannot be revoked without rotating the cluster's CA;
people and workloads authenticate with Google identities instead (CIS GKE Benchmark 5.8.1; GKE hardening
guide "Disable client certificate authentication").
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.flag("masterAuth", "clientCertificateConfig", "issueClientCertificate") is True:
        return NonCompliant(f"{r.title} issues a client certificate for the control plane; set master_auth."
                            "client_certificate_config.issue_client_certificate=False (or remove master_auth).")
    return Compliant()


RULE = ResourceRule(
    name="gke-no-client-certificate",
    description="GKE clusters do not issue client certificates.",
    resource_types=GKE_CLUSTER,
    controls=("CIS-GKE-1.6 5.8.1", "CKV_GCP_13"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
