"""No RoleBinding or ClusterRoleBinding grants anything to unauthenticated callers: the group
`system:unauthenticated` or the user `system:anonymous` (what the API server calls a request without
credentials, when anonymous auth is on). Source: Kubernetes docs, "Authenticating: Anonymous
requests"; NSA-CISA Kubernetes Hardening Guide (disable anonymous access).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import K8S_BINDINGS

ANONYMOUS = {("Group", "system:unauthenticated"), ("User", "system:anonymous")}


def check(r: ResourceView):
    bound = [f"{s.get('kind')} {s.get('name')}" for s in r.items("subjects")
             if isinstance(s, dict) and (s.get("kind"), s.get("name")) in ANONYMOUS]
    if bound:
        role = f"{r.get('roleRef', 'kind')} {r.get('roleRef', 'name')}"
        return NonCompliant(f"{r.title} grants {role} to {', '.join(bound)} (anyone who reaches the API server); "
                            "bind named users, groups or service accounts instead.")
    return Compliant()


RULE = ResourceRule(
    name="k8s-rbac-no-anonymous-binding",
    description="No RoleBinding or ClusterRoleBinding binds system:unauthenticated or system:anonymous.",
    resource_types=K8S_BINDINGS,
    controls=("NSA-CISA Kubernetes Hardening: authentication", "Kubernetes docs: anonymous requests"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
