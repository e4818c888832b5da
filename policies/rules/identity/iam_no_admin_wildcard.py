"""No IAM policy grants full administrator rights (`Action: *` on `Resource: *`), and no identity
gets the AWS-managed AdministratorAccess policy.

Judges managed and inline policy documents (Policy, RolePolicy, UserPolicy, GroupPolicy, a role's
`inlinePolicies`), policy attachments and a role's `managedPolicyArns`.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView, policydoc
from lzpolicy.iam import policy_documents
from lzpolicy.types import IAM_POLICY_ATTACHMENTS, IAM_POLICY_DOCS, IAM_ROLE

ADMIN_POLICY_SUFFIX = ":iam::aws:policy/AdministratorAccess"


def admin_statements(document) -> list[str]:
    return [st.label for st in policydoc.parse(document)
            if st.allows and {"*", "*:*"} & set(st.actions) and "*" in st.resources]


def check(r: ResourceView):
    problems = []
    for where, document in policy_documents(r):
        try:
            found = admin_statements(document)
        except policydoc.PolicyDocumentError as exc:
            return NonCompliant(f"{r.title} has a {where} that is not a valid IAM policy ({exc}); fix the document.")
        problems += [f"{label} of its {where} allows '*' on '*'" for label in found]
    arns = r.strings("managedPolicyArns") if r.type in IAM_ROLE else []
    if r.type in IAM_POLICY_ATTACHMENTS:
        arns = [str(r.get("policyArn", default=""))]
    problems += ["it attaches the AdministratorAccess policy" for arn in arns if arn.endswith(ADMIN_POLICY_SUFFIX)]
    if problems:
        return NonCompliant(f"{r.title} grants full administrator rights: {'; '.join(problems)}; grant the specific "
                            "actions on the specific resources the workload needs.")
    return Compliant()


RULE = ResourceRule(
    name="iam-no-admin-wildcard",
    description="IAM policies do not allow Action '*' on Resource '*', and AdministratorAccess is not attached.",
    resource_types=(*IAM_POLICY_DOCS, *IAM_ROLE, *IAM_POLICY_ATTACHMENTS),
    controls=("CIS-AWS-3.0 1.16", "FSBP IAM.1", "CKV_AWS_62", "CKV_AWS_1"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
