"""Resource policies do not allow `Principal: *` without a condition that pins the caller.

Judges every AWS resource whose input carries a resource policy with a principal
(`lzpolicy.policydoc.RESOURCE_POLICY_INPUTS`: IAM role trust, KMS key policies, S3 bucket policies,
ECR repository and registry policies, SQS queue and SNS topic policies (inline or standalone), EFS
file-system policies, Secrets Manager secret policies, Backup vault, OpenSearch domain, Glacier vault
and CloudWatch Logs resource policies), and Lambda permissions whose `principal` is `*`. A statement
with a wildcard principal (`"*"`, `{"AWS": "*"}`, or Allow with NotPrincipal) passes when its
condition restricts the caller's organisation, account, source VPC / endpoint or calling service
(`lzpolicy.policydoc.RESTRICTING_CONDITION_KEYS`); Deny statements always pass. Documents built
with `Output.apply` arrive as JSON strings once known; while unknown during preview the SDK reports
that the rule could not run.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView, policydoc
from lzpolicy.types import LAMBDA_PERMISSION

# Lambda permission arguments and the condition keys Lambda writes them as.
PERMISSION_CONDITIONS = {"sourceArn": "aws:SourceArn", "sourceAccount": "aws:SourceAccount",
                         "principalOrgId": "aws:PrincipalOrgID"}


def _lambda_permission(r: ResourceView):
    statement = policydoc.permission_statement(
        r.get("principal"), {key: r.get(arg) for arg, key in PERMISSION_CONDITIONS.items()})
    if policydoc.public_statements([statement]):
        url = " (a public function URL)" if r.get("functionUrlAuthType") == "NONE" else ""
        return NonCompliant(f"{r.title} lets any principal ('*') invoke the function{url}; name the principal, or "
                            "set source_arn, source_account or principal_org_id.")
    return Compliant()


def check(r: ResourceView):
    if r.type in LAMBDA_PERMISSION:
        return _lambda_permission(r)
    prop = policydoc.RESOURCE_POLICY_INPUTS[r.type]
    document = r.get(prop)
    if document is None:
        return NotApplicable(f"no {prop} is set (the service's default policy applies)")
    try:
        statements = policydoc.parse(document)
    except policydoc.PolicyDocumentError as exc:
        return NonCompliant(f"{r.title} has a {prop} that is not a valid policy document ({exc}); fix the document.")
    public = [st.label for st in policydoc.public_statements(statements)]
    if public:
        return NonCompliant(f"{r.title} allows any principal ('*') in {' and '.join(public)} of its {prop}; name the "
                            "principals, or add a condition on aws:PrincipalOrgID, aws:SourceAccount or aws:SourceVpce.")
    return Compliant()


RULE = ResourceRule(
    name="resource-policy-no-public-principal",
    description="Resource policies (trust, KMS, S3, ECR, SQS, SNS, EFS, Secrets Manager, Lambda permissions and "
                "others) do not allow Principal '*' without a restricting condition.",
    resource_types=(*policydoc.RESOURCE_POLICY_INPUTS, *LAMBDA_PERMISSION),
    controls=("CKV_AWS_60", "CKV_AWS_33", "CKV_AWS_70", "FSBP S3.2", "FSBP Lambda.1"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
