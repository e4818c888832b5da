"""Compute Engine VMs do not run as the Compute Engine default service account.

The default service account (`PROJECT_NUMBER-compute@developer.gserviceaccount.com`) is shared by every
VM that does not name another, and in projects created before the
`iam.automaticIamGrantsForDefaultServiceAccounts` constraint it holds roles/editor; with the
`cloud-platform` scope that is editor on the whole project (CIS Google Cloud Foundations 4.1, 4.2).
A `service_account` block without `email` (or with the alias `default`) attaches the default account, as
checkov CKV_GCP_30 / CKV_GCP_31 and tfsec google-compute-no-default-service-account read it;
pulumi-gcp's `InstanceServiceAccount.email` is optional. A VM without `service_account` has no
credentials at all, which passes.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gce import DEFAULT_SERVICE_ACCOUNT
from lzpolicy.types import GCE_INSTANCE


def check(r: ResourceView):
    if not r.is_set("serviceAccount"):
        return Compliant()
    email = r.get("serviceAccount", "email")
    if email not in (None, "", "default") and not DEFAULT_SERVICE_ACCOUNT.match(str(email)):
        return Compliant()
    scopes = r.strings("serviceAccount", "scopes")
    full = " with the cloud-platform scope" if any(s.rsplit("/", 1)[-1] == "cloud-platform" for s in scopes) else ""
    return NonCompliant(f"{r.title} runs as the Compute Engine default service account{full}; create a dedicated "
                        "service account with only the roles the VM needs and set service_account.email to it.")


RULE = ResourceRule(
    name="gce-instance-no-default-service-account",
    description="Compute Engine instances and templates run as a dedicated service account, not the default one.",
    resource_types=GCE_INSTANCE,
    controls=("CIS-GCP-3.0 4.1", "CIS-GCP-3.0 4.2", "CKV_GCP_30", "CKV_GCP_31"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
