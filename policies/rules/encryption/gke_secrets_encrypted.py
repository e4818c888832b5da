"""GKE clusters encrypt Kubernetes secrets at the application layer with a Cloud KMS key."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER


def check(r: ResourceView):
    if r.get("databaseEncryption", "state") != "ENCRYPTED" or not r.is_set("databaseEncryption", "keyName"):
        return NonCompliant(f"{r.title} does not encrypt Kubernetes secrets with Cloud KMS; set database_encryption "
                            "state 'ENCRYPTED' with key_name of a Cloud KMS key the GKE service agent may use.")
    return Compliant()


RULE = ResourceRule(
    name="gke-secrets-encrypted",
    description="GKE clusters use application-layer secrets encryption with Cloud KMS (databaseEncryption).",
    resource_types=GKE_CLUSTER,
    controls=("CIS-GKE-1.6 5.3.1",),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
