"""No user-managed service-account keys: workloads use Workload Identity, CI uses Workload Identity
Federation, people use their own credentials. A key is a long-lived secret that leaves Google's
control the moment it is exported (an uploaded public key is user-managed too).

A stack rule over service accounts and keys: every `gcp.serviceaccount.Key` is reported, against the
key; service accounts without keys are what compliance looks like.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import GCP_SA_KEY

SERVICE_ACCOUNT = ("gcp:serviceaccount/account:Account",)


def check_stack(view: StackView):
    keys = view.of_type(*GCP_SA_KEY)
    if not keys and not view.of_type(*SERVICE_ACCOUNT):
        return NotApplicable("the stack has no service accounts or keys")
    out = []
    for key in keys:
        owners = view.referenced(key, "serviceAccountId", *SERVICE_ACCOUNT)
        whose = f"for service account {owners[0].name}" if owners else "for a service account"
        out.append((key.urn, f"{key.title} creates a user-managed key {whose}; remove it and use Workload Identity "
                             "(GKE) or Workload Identity Federation (CI) instead."))
    return out


RULE = StackRule(
    name="gcp-no-service-account-keys",
    description="No user-managed GCP service-account keys are created.",
    resource_types=(*GCP_SA_KEY, *SERVICE_ACCOUNT),
    controls=("CIS-GCP-3.0 1.4", "CKV2_GCP_3", "GCP org policy constraints/iam.disableServiceAccountKeyCreation"),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
