"""Compute Engine VMs do not turn OS Login off (`enable-oslogin` FALSE in instance metadata).

OS Login ties SSH access to IAM (roles/compute.osLogin, 2-step verification, audit logs). Instance
metadata overrides the project's setting, so an instance that sets it FALSE opts out of a project-wide
OS Login (CIS Google Cloud Foundations 4.4; the organisation policy `constraints/compute.requireOsLogin`
enforces it). Project metadata (`compute.ProjectMetadata`, `ProjectMetadataItem`) that sets it FALSE turns
it off for every VM without its own setting. An instance without the key inherits the project's setting,
which the org-policy baseline rule judges (`constraints/compute.requireOsLogin`).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gce import metadata_flag
from lzpolicy.types import GCE_INSTANCE, GCE_PROJECT_METADATA


def check(r: ResourceView):
    if metadata_flag(r, "enable-oslogin") is False:
        return NonCompliant(f"{r.title} turns OS Login off in its metadata (enable-oslogin FALSE); remove the key "
                            "or set it to TRUE and grant roles/compute.osLogin to the people who need SSH.")
    return Compliant()


RULE = ResourceRule(
    name="gce-instance-os-login-not-disabled",
    description="Compute Engine instances, templates and project metadata do not turn OS Login off.",
    resource_types=(*GCE_INSTANCE, *GCE_PROJECT_METADATA),
    controls=("CIS-GCP-3.0 4.4", "CKV_GCP_34", "GCP org policy constraints/compute.requireOsLogin"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
