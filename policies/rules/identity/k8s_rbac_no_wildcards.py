"""Kubernetes Roles and ClusterRoles do not use `*` for verbs, resources or API groups.

Aggregated ClusterRoles are not judged: the control plane fills in their rules from the roles they
select.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import K8S_ROLES


def check(r: ResourceView):
    if r.is_set("aggregationRule"):
        return NotApplicable("an aggregated ClusterRole's rules come from the roles it selects")
    found = []
    for i, rule in enumerate(r.items("rules")):
        if not isinstance(rule, dict):
            continue
        wild = [field for field in ("verbs", "resources", "apiGroups") if "*" in wire.strings(rule, field)]
        if wild:
            found.append(f"rules[{i}] ({', '.join(wild)})")
    if found:
        return NonCompliant(f"{r.title} grants '*' in {'; '.join(found)}; list the verbs, resources and API groups "
                            "the subject needs.")
    return Compliant()


RULE = ResourceRule(
    name="k8s-rbac-no-wildcards",
    description="Kubernetes Roles and ClusterRoles do not use wildcards for verbs, resources or API groups.",
    resource_types=K8S_ROLES,
    controls=("CKV_K8S_49", "CIS-EKS-1.7 4.1.3", "NSA-CISA Kubernetes Hardening: least-privilege RBAC"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
