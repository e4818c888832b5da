"""No GCP IAM grant names allUsers or allAuthenticatedUsers.

Judges member, binding and policy resources on the project / folder / organisation and on the
resources a landing zone creates (buckets, KMS keys and key rings, service accounts, Artifact
Registry repositories, secrets, BigQuery datasets), and BigQuery datasets' own access entries
(`Dataset.accesses`, `DatasetAccess`: `specialGroup: allAuthenticatedUsers`, `iamMember: allUsers`).
A malformed `policyData` is left to the provider to reject.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gcpiam import PUBLIC_MEMBERS, grants
from lzpolicy.types import (
    BIGQUERY_DATASET,
    BIGQUERY_DATASET_ACCESS,
    GCP_IAM_BINDING,
    GCP_IAM_MEMBER,
    GCP_IAM_POLICY,
)


def check(r: ResourceView):
    public = sorted({f"{member} as {role}" for role, member in grants(r) if member in PUBLIC_MEMBERS})
    if public:
        return NonCompliant(f"{r.title} grants {', '.join(public)}, which makes the resource public; grant the role "
                            "to specific users, groups or service accounts instead.")
    return Compliant()


RULE = ResourceRule(
    name="gcp-iam-no-public-members",
    description="GCP IAM members, bindings and policies, and BigQuery dataset access entries, do not grant roles "
                "to allUsers or allAuthenticatedUsers.",
    resource_types=(*GCP_IAM_MEMBER, *GCP_IAM_BINDING, *GCP_IAM_POLICY, *BIGQUERY_DATASET, *BIGQUERY_DATASET_ACCESS),
    controls=("CKV_GCP_28", "CKV_GCP_112", "CKV_GCP_113", "CKV_GCP_101", "CKV2_GCP_6", "CKV2_GCP_8",
              "CIS-GCP-3.0 5.1", "CIS-GCP-3.0 7.1", "CKV_GCP_15", "GCP org policy constraints/iam.allowedPolicyMemberDomains"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
