"""IAM policies that grant do not allow every action of a service (`s3:*`, `ec2:*`) or `*`.

A stack rule, because a managed policy used as a role's permissions boundary is a ceiling, not a
grant: service-level wildcards are how a boundary is written, so boundaries are not judged.
Wildcards below the service level (`s3:Get*`) are left alone; a service-wide wildcard grants
whatever the service adds later, including permission management.
"""

import re

from lzpolicy import NotApplicable, StackRule, StackView, policydoc
from lzpolicy.iam import boundary_policy_urns, policy_documents
from lzpolicy.types import IAM_POLICY_DOCS, IAM_ROLE

SERVICE_WILDCARD = re.compile(r"^(\*|[a-z0-9-]+:\*)$", re.IGNORECASE)


def check_stack(view: StackView):
    carriers = view.of_type(*IAM_POLICY_DOCS, *IAM_ROLE)
    if not carriers:
        return NotApplicable("the stack has no IAM policies or roles")
    boundaries = boundary_policy_urns(view)
    out = []
    for r in carriers:
        if r.urn in boundaries:
            continue
        problems = []
        for where, document in policy_documents(r):
            try:
                statements = policydoc.parse(document)
            except policydoc.PolicyDocumentError:
                continue  # reported by iam-no-admin-wildcard
            for st in statements:
                wild = [a for a in st.actions if SERVICE_WILDCARD.match(a)]
                if st.allows and wild:
                    problems.append(f"{st.label} of its {where} allows {', '.join(wild)}")
        if problems:
            out.append((r.urn, f"{r.title} uses service-wide action wildcards: {'; '.join(problems)}; list the "
                               "actions the workload calls."))
    return out


RULE = StackRule(
    name="iam-no-wildcard-actions",
    description="IAM policies that grant (not permissions boundaries) avoid service-wide action wildcards.",
    resource_types=(*IAM_POLICY_DOCS, *IAM_ROLE),
    controls=("FSBP IAM.21", "CKV_AWS_63"),
    enforcement_level="advisory",
    severity="medium",
    check_stack=check_stack,
)
