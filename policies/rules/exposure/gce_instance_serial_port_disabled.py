"""Compute Engine VMs keep interactive serial-port access off (`serial-port-enable` metadata not true).

The interactive serial console accepts connections from any IP address and is not governed by
firewall rules (CIS Google Cloud Foundations 4.5); the organisation policy
`constraints/compute.disableSerialPortAccess` turns it off for a whole project. Project metadata
(`compute.ProjectMetadata`, `ProjectMetadataItem`) that enables it opens every VM of the project.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gce import metadata_flag
from lzpolicy.types import GCE_INSTANCE, GCE_PROJECT_METADATA


def check(r: ResourceView):
    if metadata_flag(r, "serial-port-enable") is True:
        return NonCompliant(f"{r.title} enables interactive serial-port access (metadata serial-port-enable), "
                            "which firewall rules do not restrict; remove the key or set it to FALSE.")
    return Compliant()


RULE = ResourceRule(
    name="gce-instance-serial-port-disabled",
    description="Compute Engine instances, templates and project metadata do not enable interactive serial-port access.",
    resource_types=(*GCE_INSTANCE, *GCE_PROJECT_METADATA),
    controls=("CIS-GCP-3.0 4.5", "CKV_GCP_35", "GCP org policy constraints/compute.disableSerialPortAccess"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
