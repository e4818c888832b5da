"""IAM users get permissions only through groups: no inline user policy and no managed policy attached to a
user (CIS AWS Foundations 3.0 1.15, Security Hub FSBP IAM.2).

Judges `aws.iam.UserPolicy` (inline), `UserPoliciesExclusive` with policy names, `UserPolicyAttachment`,
`UserPolicyAttachmentsExclusive` with policy ARNs, and `PolicyAttachment`s that name users. People use
the identity provider and roles; a user with its own policies is a permission set that no group review sees.
A `PolicyAttachment` to groups is what compliance looks like; one to roles only is not judged.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import IAM_POLICY_ATTACHMENT, IAM_USER_POLICY, IAM_USER_POLICY_ATTACHMENT

FIX = ("attach the policy to a group (aws.iam.GroupPolicyAttachment) and add the user to it, or give the "
       "workload a role instead of a user.")


def check(r: ResourceView):
    if r.type in IAM_POLICY_ATTACHMENT:
        users = r.strings("users")
        if users:
            return NonCompliant(f"{r.title} attaches a policy directly to user(s) {', '.join(users)}; {FIX}")
        if r.strings("groups"):
            return Compliant()
        return NotApplicable("the attachment names no users or groups")
    if r.type == "aws:iam/userPoliciesExclusive:UserPoliciesExclusive" and not r.strings("policyNames"):
        return Compliant()
    if r.type == "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive" and not r.strings("policyArns"):
        return Compliant()
    kind = "an inline policy" if r.type in IAM_USER_POLICY else "a managed policy"
    return NonCompliant(f"{r.title} gives a user {kind} of its own; {FIX}")


RULE = ResourceRule(
    name="iam-user-permissions-via-groups",
    description="IAM users receive permissions only through groups (no user policies or user attachments).",
    resource_types=(*IAM_USER_POLICY, *IAM_USER_POLICY_ATTACHMENT, *IAM_POLICY_ATTACHMENT),
    controls=("CIS-AWS-3.0 1.15", "FSBP IAM.2", "CKV_AWS_40",
              "pulumi compliance-policies iam PolicyAttachment / UserPolicyAttachment onlyPermissionsViaGroups"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
