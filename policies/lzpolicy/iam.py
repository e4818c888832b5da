"""Where AWS IAM policy documents live on the resources that carry them."""

from __future__ import annotations

from .rule import ResourceView, StackView
from .types import IAM_POLICY_DOCS, IAM_ROLE


def policy_documents(r: ResourceView) -> list[tuple[str, object]]:
    """(where, document) for every identity policy document a resource carries: the `policy` of
    Policy / RolePolicy / UserPolicy / GroupPolicy, and each of a role's `inlinePolicies`."""
    if r.type in IAM_POLICY_DOCS:
        return [("policy", r.get("policy"))]
    if r.type in IAM_ROLE:
        return [(f"inline policy '{p.get('name') or i}'", p.get("policy"))
                for i, p in enumerate(r.items("inlinePolicies")) if isinstance(p, dict)]
    return []


def boundary_policy_urns(view: StackView) -> set[str]:
    """Managed policies that some role in the stack uses as its permissions boundary: a ceiling, not a
    grant, so service-level wildcards are expected there."""
    urns: set[str] = set()
    policies = view.of_type("aws:iam/policy:Policy")
    arns = {p.known("arn"): p.urn for p in policies if p.known("arn")}
    for role in view.of_type(*IAM_ROLE):
        urns.update(p.urn for p in view.referenced(role, "permissionsBoundary", "aws:iam/policy:Policy"))
        arn = role.known("permissionsBoundary")
        if arn in arns:
            urns.add(arns[arn])
    return urns
