"""Vertex AI Workbench instances have no public IP (`gce_setup.disable_public_ip` true).

pulumi-gcp 10.x `workbench.Instance`: "disable_public_ip: Optional. If true, no external IP will be
assigned to this VM instance" - without it the notebook VM gets an external address (`network_interfaces`:
"If no accessConfigs specified, the instance will have an external internet access through an ephemeral
external IP address"), and an interface's `access_configs` names one explicitly. Users reach the
JupyterLab UI through the Workbench proxy, which needs no public IP; the VM reaches package mirrors
through Cloud NAT or Private Google Access. (The legacy `notebooks.Instance`, `no_public_ip`, is no
longer in pulumi-gcp 10.)
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import WORKBENCH_INSTANCE


def check(r: ResourceView):
    nics = r.items("gceSetup", "networkInterfaces")
    named = [i for i in range(len(nics)) if r.items("gceSetup", "networkInterfaces", i, "accessConfigs")]
    if named:
        return NonCompliant(f"{r.title} gives the notebook VM an external IP (gce_setup.network_interfaces[{named[0]}]."
                            "access_configs); remove access_configs and set gce_setup.disable_public_ip=True.")
    if r.flag("gceSetup", "disablePublicIp") is True:
        return Compliant()
    return NonCompliant(f"{r.title} gives the notebook VM a public IP; set gce_setup.disable_public_ip=True "
                        "(users reach JupyterLab through the Workbench proxy; egress goes through Cloud NAT).")


RULE = ResourceRule(
    name="vertex-workbench-no-public-ip",
    description="Vertex AI Workbench instances do not get a public IP.",
    resource_types=WORKBENCH_INSTANCE,
    controls=("CKV_GCP_89 (legacy notebooks)", "CIS-GCP-3.0 4.9", "GCP org policy constraints/ainotebooks.restrictPublicIp"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
