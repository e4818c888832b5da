"""GKE nodes are Shielded VMs with secure boot and integrity monitoring: clusters keep shielded nodes
on (`enableShieldedNodes`, default true) and node pools turn secure boot on
(`nodeConfig.shieldedInstanceConfig.enableSecureBoot`, default false) without turning integrity
monitoring off. GPU drivers installed by GKE are signed and load under secure boot.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.type in GKE_CLUSTER:
        if r.flag("enableShieldedNodes") is False:
            return NonCompliant(f"{r.title} turns Shielded GKE nodes off; remove enable_shielded_nodes=False.")
        return Compliant()
    problems = []
    if r.flag("nodeConfig", "shieldedInstanceConfig", "enableSecureBoot") is not True:
        problems.append("secure boot is off")
    if r.flag("nodeConfig", "shieldedInstanceConfig", "enableIntegrityMonitoring") is False:
        problems.append("integrity monitoring is off")
    if problems:
        return NonCompliant(f"{r.title}: {' and '.join(problems)}; set node_config.shielded_instance_config with "
                            "enable_secure_boot=True and enable_integrity_monitoring=True.")
    return Compliant()


RULE = ResourceRule(
    name="gke-node-secure-boot",
    description="GKE clusters keep Shielded nodes on; node pools enable secure boot and integrity monitoring.",
    resource_types=(*GKE_CLUSTER, "gcp:container/nodePool:NodePool"),
    controls=("CIS-GKE-1.6 5.5.5", "CIS-GKE-1.6 5.5.6", "CIS-GKE-1.6 5.5.7", "CKV_GCP_68", "CKV_GCP_71", "CKV_GCP_72"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
