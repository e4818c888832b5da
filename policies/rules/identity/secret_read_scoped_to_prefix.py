"""Reading secrets is granted on a named secret or a name prefix, never on every secret of the account
or project: a workload identity that reads `*` reads every team's tokens.

- AWS: an identity policy statement that allows secretsmanager:GetSecretValue (or a wildcard covering it)
  on `*` or on `arn:...:secret:*` (any secret) is non-compliant. Source: Service Authorization
  Reference, AWS Secrets Manager (GetSecretValue takes the `Secret` resource type, ARN
  `arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}`).
- GCP: a project-, folder- or organization-level grant of a role that reads secret payloads
  (secretmanager.secretAccessor, .admin) with no IAM condition is non-compliant; a condition on
  `resource.name` limits it to a prefix (IAM docs, "Resource attributes for IAM Conditions":
  secretmanager.googleapis.com). Grants on a single secret (SecretIamMember) are not judged.

A stack rule: a managed policy used as a permissions boundary is a ceiling, not a grant, and is not judged.
"""

import fnmatch
import re

from lzpolicy import NotApplicable, ResourceView, StackRule, StackView, policydoc
from lzpolicy.iam import boundary_policy_urns, policy_documents

IAM_POLICY = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")
GCP_HIERARCHY_GRANTS = ("gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding",
                        "gcp:folder/iAMMember:IAMMember", "gcp:organizations/iAMMember:IAMMember")
SECRET_READ_ROLES = ("roles/secretmanager.secretAccessor", "roles/secretmanager.admin")
ANY_SECRET = re.compile(r"^(\*|arn:[^:]*:secretsmanager:[^:]*:[^:]*:secret:\*)$")


def _aws(r: ResourceView) -> tuple[bool, str | None]:
    """(judged, problem) for one identity policy."""
    judged, problems = False, []
    for where, document in policy_documents(r):
        try:
            statements = policydoc.parse(document)
        except policydoc.PolicyDocumentError:
            continue
        for st in statements:
            if not st.allows or not any(fnmatch.fnmatchcase("secretsmanager:getsecretvalue", a.lower())
                                        for a in st.actions):
                continue
            judged = True
            wide = [res for res in st.resources if ANY_SECRET.match(res)]
            if wide:
                problems.append(f"{st.label} of its {where} reads secrets on {', '.join(wide)}")
    if problems:
        return True, (f"{r.title} lets its holder read every secret: {'; '.join(problems)}; name the secrets or "
                      "the team's prefix (arn:...:secret:<prefix>/teams/<team>/*).")
    return judged, None


def _gcp(r: ResourceView) -> tuple[bool, str | None]:
    if r.known("role") not in SECRET_READ_ROLES:
        return False, None
    if r.is_set("condition"):
        return True, None
    return True, (f"{r.title} grants {r.known('role')} on the whole {r.type.split(':')[1].split('/')[0]} without "
                  "a condition: its member reads every secret; add a condition on resource.name (e.g. startsWith "
                  "the team's prefix).")


def check_stack(view: StackView):
    boundaries = boundary_policy_urns(view)
    judged, out = False, []
    for r in view.of_type(*IAM_POLICY, *GCP_HIERARCHY_GRANTS):
        if r.urn in boundaries:
            continue
        seen, problem = _gcp(r) if r.type in GCP_HIERARCHY_GRANTS else _aws(r)
        judged = judged or seen
        if problem:
            out.append((r.urn, problem))
    if not judged:
        return NotApplicable("the stack grants no secret reads")
    return out


RULE = StackRule(
    name="secret-read-scoped-to-prefix",
    description="Secret reads are granted on named secrets or a prefix, not on every secret.",
    resource_types=(*IAM_POLICY, *GCP_HIERARCHY_GRANTS),
    controls=("NIST SP 800-53 AC-6 (least privilege)", "AWS Well-Architected SEC03-BP02 (grant least privilege access)"),
    enforcement_level="advisory",
    severity="high",
    check_stack=check_stack,
)
