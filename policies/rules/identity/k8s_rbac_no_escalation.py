"""Kubernetes Roles and ClusterRoles do not grant `bind`, `escalate` or `impersonate`.

`escalate` lets a subject write roles granting more than it holds, `bind` lets it bind any role,
`impersonate` lets it act as another user, group or service account; each turns a namespaced
tenant into a cluster administrator. Aggregated ClusterRoles are not judged.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import K8S_ROLES

ESCALATING = ("bind", "escalate", "impersonate")


def check(r: ResourceView):
    if r.is_set("aggregationRule"):
        return NotApplicable("an aggregated ClusterRole's rules come from the roles it selects")
    found = sorted({verb for rule in r.items("rules") if isinstance(rule, dict)
                    for verb in wire.strings(rule, "verbs") if verb in ESCALATING})
    if found:
        return NonCompliant(f"{r.title} grants the privilege-escalation verb(s) {', '.join(found)}; remove them and "
                            "let cluster administrators create the bindings.")
    return Compliant()


RULE = ResourceRule(
    name="k8s-rbac-no-escalation",
    description="Kubernetes Roles and ClusterRoles do not grant bind, escalate or impersonate.",
    resource_types=K8S_ROLES,
    controls=("CKV_K8S_157", "CKV_K8S_158", "CIS-EKS-1.7 4.1.8"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
