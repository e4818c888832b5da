"""Compute Engine VMs do not accept project-wide SSH keys: `block-project-ssh-keys` is TRUE, or OS Login
is on (`enable-oslogin` TRUE), which replaces metadata-based SSH keys with IAM-granted access
(cloud.google.com/compute/docs/oslogin: with OS Login enabled, the VM does not accept SSH keys stored
in project or instance metadata).

A project-wide key opens every VM of the project to whoever holds it (CIS Google Cloud Foundations 4.3).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gce import metadata_flag
from lzpolicy.types import GCE_INSTANCE


def check(r: ResourceView):
    if metadata_flag(r, "block-project-ssh-keys") is True or metadata_flag(r, "enable-oslogin") is True:
        return Compliant()
    return NonCompliant(f"{r.title} accepts project-wide SSH keys; set metadata block-project-ssh-keys='TRUE' "
                        "(or enable-oslogin='TRUE' and grant roles/compute.osLogin).")


RULE = ResourceRule(
    name="gce-instance-block-project-ssh-keys",
    description="Compute Engine instances and templates block project-wide SSH keys (or use OS Login).",
    resource_types=GCE_INSTANCE,
    controls=("CIS-GCP-3.0 4.3", "CKV_GCP_32"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
