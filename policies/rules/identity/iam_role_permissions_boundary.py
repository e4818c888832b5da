"""IAM roles carry the landing zone's permissions boundary.

The boundary caps what any role in the account can do, whatever policies are attached later (by a
team, a Helm chart's IRSA role or a mistake). `boundaryPolicyNames` lists the accepted boundary
policy names; when empty any boundary passes. A boundary ARN not yet known during preview (a policy
created in the same update) counts as set.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import IAM_ROLE


def check(r: ResourceView):
    if not r.is_set("permissionsBoundary"):
        return NonCompliant(f"{r.title} has no permissions boundary; set permissions_boundary to the landing "
                            "zone's boundary policy ARN.")
    names = [str(n) for n in r.config.get("boundaryPolicyNames") or []]
    arn = r.known("permissionsBoundary")
    if names and isinstance(arn, str) and not any(arn.endswith(f"/{n}") for n in names):
        return NonCompliant(f"{r.title} uses permissions boundary {arn}, which is not one of the landing zone's "
                            f"({', '.join(names)}); set permissions_boundary to one of them.")
    return Compliant()


RULE = ResourceRule(
    name="iam-role-permissions-boundary",
    description="IAM roles have a permissions boundary (optionally one of the configured boundary policies).",
    resource_types=IAM_ROLE,
    controls=("AWS Well-Architected SEC03-BP05", "AWS IAM best practice: permissions boundaries for delegation"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"boundaryPolicyNames": {
        "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
        "description": "Accepted boundary policy names (the ARN's last path segment); empty: any boundary."}},
    check=check,
)
