"""Trust, key and bucket policies do not allow `Principal: *` without a condition that pins the caller.

Judges IAM role trust policies (`assumeRolePolicy`), KMS key policies (`Key.policy`, `KeyPolicy`)
and S3 bucket policies. A statement with a wildcard principal passes when its condition restricts
the caller's organisation, account, source VPC / endpoint or calling service (see
`lzpolicy.policydoc.RESTRICTING_CONDITION_KEYS`); Deny statements always pass.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView, policydoc
from lzpolicy.types import IAM_ROLE, KMS_KEY, KMS_KEY_POLICY, S3_POLICY

DOCUMENT = {IAM_ROLE[0]: "assumeRolePolicy", KMS_KEY[0]: "policy", KMS_KEY_POLICY[0]: "policy",
            S3_POLICY[0]: "policy"}


def check(r: ResourceView):
    prop = DOCUMENT[r.type]
    document = r.get(prop)
    if document is None:
        return NotApplicable(f"no {prop} is set (the service's default policy applies)")
    try:
        statements = policydoc.parse(document)
    except policydoc.PolicyDocumentError as exc:
        return NonCompliant(f"{r.title} has a {prop} that is not a valid policy document ({exc}); fix the document.")
    public = [st.label for st in statements if st.allows and st.public_principal and not st.restricted_by_condition]
    if public:
        return NonCompliant(f"{r.title} allows any principal ('*') in {' and '.join(public)} of its {prop}; name the "
                            "principals, or add a condition on aws:PrincipalOrgID, aws:SourceAccount or aws:SourceVpce.")
    return Compliant()


RULE = ResourceRule(
    name="resource-policy-no-public-principal",
    description="Role trust, KMS key and S3 bucket policies do not allow Principal '*' without a restricting condition.",
    resource_types=(*IAM_ROLE, *KMS_KEY, *KMS_KEY_POLICY, *S3_POLICY),
    controls=("CKV_AWS_60", "CKV_AWS_33", "CKV_AWS_70", "FSBP S3.2"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
