"""No basic (primitive) role - roles/owner, roles/editor, roles/viewer - is granted on a project,
folder or organisation: they span every service and predate IAM's least privilege."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gcpiam import grants
from lzpolicy.types import GCP_HIERARCHY_IAM_BINDING, GCP_HIERARCHY_IAM_MEMBER, GCP_HIERARCHY_IAM_POLICY

PRIMITIVE = ("roles/owner", "roles/editor", "roles/viewer")


def check(r: ResourceView):
    found = sorted({f"{role} to {member}" for role, member in grants(r) if role in PRIMITIVE})
    if found:
        return NonCompliant(f"{r.title} grants the basic role(s) {', '.join(found)}; grant predefined or custom "
                            "roles scoped to the services the principal uses.")
    return Compliant()


RULE = ResourceRule(
    name="gcp-no-primitive-roles",
    description="Projects, folders and organisations grant no basic roles (owner, editor, viewer).",
    resource_types=(*GCP_HIERARCHY_IAM_MEMBER, *GCP_HIERARCHY_IAM_BINDING, *GCP_HIERARCHY_IAM_POLICY),
    controls=("CKV_GCP_115", "CKV_GCP_116", "CKV_GCP_117", "CIS-GCP-3.0 1.5",
              "GCP org policy constraints/iam.automaticIamGrantsForDefaultServiceAccounts"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
