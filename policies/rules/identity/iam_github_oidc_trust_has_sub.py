"""A role that trusts GitHub Actions' OIDC provider (`token.actions.githubusercontent.com`) pins the
`token.actions.githubusercontent.com:sub` claim to named repositories: without it, a workflow in any
GitHub repository can assume the role. A `sub` of `*` or `repo:*` pins nothing.
Source: GitHub docs, "Configuring OpenID Connect in Amazon Web Services" (the trust policy's
StringLike / StringEquals condition on token.actions.githubusercontent.com:sub); AWS IAM User Guide,
"Creating a role for web identity or OIDC federation" (GitHub: sub condition).
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView, policydoc
from lzpolicy.types import IAM_ROLE

PROVIDER = "token.actions.githubusercontent.com"
SUB = f"{PROVIDER}:sub"
UNPINNED = {"*", "repo:*"}


def _github_statements(statements):
    return [st for st in statements if st.allows
            and any(p.startswith("Federated:") and p.endswith(PROVIDER) for p in st.principals)]


def check(r: ResourceView):
    try:
        statements = _github_statements(policydoc.parse(r.get("assumeRolePolicy")))
    except policydoc.PolicyDocumentError as exc:
        return NonCompliant(f"{r.title} has an assumeRolePolicy that is not a valid policy document ({exc}).")
    if not statements:
        return NotApplicable(f"{r.title} does not trust GitHub Actions' OIDC provider")
    unpinned = []
    for st in statements:
        subs = policydoc.Statement.condition_values(st, "StringEquals", SUB) + \
            policydoc.Statement.condition_values(st, "StringLike", SUB)
        if not subs or set(subs) & UNPINNED:
            unpinned.append(st.label)
    if unpinned:
        return NonCompliant(f"{r.title} trusts GitHub Actions in {' and '.join(unpinned)} without pinning {SUB}; "
                            f"add a StringLike condition on {SUB} such as 'repo:<org>/<repo>:ref:refs/heads/main'.")
    return Compliant()


RULE = ResourceRule(
    name="iam-github-oidc-trust-has-sub",
    description="Roles trusting GitHub Actions OIDC pin the token's sub claim to named repositories.",
    resource_types=IAM_ROLE,
    controls=("GitHub OIDC hardening: sub condition",),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
