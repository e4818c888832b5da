"""Artifact Registry repositories that store artifacts encrypt them with a customer-managed key
(`kms_key_name`).

Standard and remote (caching) repositories store artifacts; virtual repositories only route requests to
other repositories and are not judged (pulumi-gcp 10.x `artifactregistry.Repository.mode`:
STANDARD_REPOSITORY, VIRTUAL_REPOSITORY, REMOTE_REPOSITORY). Public readers are judged by
`gcp-iam-no-public-members`, which reads repository IAM members, bindings and policies.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import ARTIFACT_REGISTRY_REPOSITORY


def check(r: ResourceView):
    if r.get("mode") == "VIRTUAL_REPOSITORY":
        return NotApplicable("a virtual repository stores no artifacts of its own")
    if r.is_set("kmsKeyName"):
        return Compliant()
    return NonCompliant(f"{r.title} encrypts its artifacts with a Google-managed key; set kms_key_name to a Cloud KMS "
                        "key the Artifact Registry service agent may use.")


RULE = ResourceRule(
    name="artifact-registry-cmek",
    description="Artifact Registry standard and remote repositories use a customer-managed encryption key.",
    resource_types=ARTIFACT_REGISTRY_REPOSITORY,
    controls=("CKV_GCP_84", "GCP org policy constraints/gcp.restrictNonCmekServices"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
