"""A GCP stack enforces the foundation org-policy baseline on its project: uniform bucket access,
public access prevention, no service-account key creation, no external IPs on VMs, OS Login.

A stack rule: each constraint is its own `gcp.orgpolicy.Policy` resource, and what is missing is a
resource. A baseline policy that exists but does not enforce (`enforce` not TRUE; `denyAll` for the
list constraint on external IPs) is reported against that policy. `inheritedConstraints` names
constraints enforced above the project (folder or organisation), outside this stack.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import GCP_ORG_POLICY

BASELINE = {
    "storage.uniformBucketLevelAccess": "enforce",
    "storage.publicAccessPrevention": "enforce",
    "iam.disableServiceAccountKeyCreation": "enforce",
    "compute.vmExternalIpAccess": "denyAll",
    "compute.requireOsLogin": "enforce",
}


def _constraint(policy) -> str:
    name = str(policy.known("name", default="") or "")
    return name.rsplit("/policies/", 1)[-1] if "/policies/" in name else ""


def _enforces(policy, field: str) -> bool:
    rules = policy.items("spec", "rules")
    return any(str(rule.get(field, "")).upper() == "TRUE" for rule in rules if isinstance(rule, dict))


def check_stack(view: StackView):
    if "gcp" not in view.packages():
        return NotApplicable("the stack has no GCP resources")
    inherited = set(view.config.get("inheritedConstraints") or [])
    out = []
    present: set[str] = set()
    for policy in view.of_type(*GCP_ORG_POLICY):
        constraint = _constraint(policy)
        if constraint not in BASELINE:
            continue
        present.add(constraint)
        field = BASELINE[constraint]
        if not _enforces(policy, field):
            out.append((policy.urn, f"{policy.title} sets constraints/{constraint} without enforcing it; give its spec "
                                    f"a rule with {field}: 'TRUE'."))
    missing = [c for c in BASELINE if c not in present and c not in inherited]
    if missing:
        names = ", ".join(f"constraints/{c}" for c in missing)
        out.append((view.stack_urn, f"{view.stack_title} creates GCP resources but does not enforce {names} on its "
                                    "project; add a gcp.orgpolicy.Policy for each, or list them in inheritedConstraints "
                                    "if a folder or the organisation enforces them."))
    return out


RULE = StackRule(
    name="gcp-org-policy-baseline",
    description="A GCP stack enforces the foundation org-policy constraints on its project.",
    resource_types=GCP_ORG_POLICY,
    controls=("constraints/storage.uniformBucketLevelAccess", "constraints/storage.publicAccessPrevention",
              "constraints/iam.disableServiceAccountKeyCreation", "constraints/compute.vmExternalIpAccess",
              "constraints/compute.requireOsLogin", "CIS-GCP-3.0 1.4"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"inheritedConstraints": {
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Baseline constraints (without the constraints/ prefix) enforced above the project."}},
    check_stack=check_stack,
)
