"""No Service Account User or Service Account Token Creator grant on a project, folder or organisation.

Granted there, `roles/iam.serviceAccountUser` lets the principal act as every service account of the
project (and attach any of them to VMs and jobs), and `roles/iam.serviceAccountTokenCreator` lets it mint
tokens for every one of them (CIS Google Cloud Foundations 1.6). Grant them on the one service account
the principal needs instead (`gcp.serviceaccount.IAMMember`), which this rule does not judge.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gcpiam import grants
from lzpolicy.types import GCP_HIERARCHY_IAM_BINDING, GCP_HIERARCHY_IAM_MEMBER, GCP_HIERARCHY_IAM_POLICY

IMPERSONATION_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")


def check(r: ResourceView):
    found = sorted({f"{role} to {member}" for role, member in grants(r) if role in IMPERSONATION_ROLES})
    if found:
        return NonCompliant(f"{r.title} grants {', '.join(found)} on the whole project, folder or organisation, "
                            "which covers every service account in it; grant the role on the one service account "
                            "needed (gcp.serviceaccount.IAMMember) instead.")
    return Compliant()


RULE = ResourceRule(
    name="gcp-no-project-service-account-user",
    description="Projects, folders and organisations grant no Service Account User or Token Creator role.",
    resource_types=(*GCP_HIERARCHY_IAM_MEMBER, *GCP_HIERARCHY_IAM_BINDING, *GCP_HIERARCHY_IAM_POLICY),
    controls=("CIS-GCP-3.0 1.6", "CKV_GCP_41", "CKV_GCP_49"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
