"""No ClusterRole grants get, list or watch on `secrets` without naming them (`resourceNames`): bound
cluster-wide it reads every namespace's secrets, tokens included. Wildcard resources and verbs are
judged by k8s-rbac-no-wildcards; a namespaced Role is not judged (its reach is one namespace).
Aggregated ClusterRoles are not judged: the control plane fills in their rules.
Source: CIS Kubernetes Benchmark 1.24 5.1.2 "Minimize access to secrets"; Kubernetes RBAC good
practices ("Listing secrets").
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire

CLUSTER_ROLE = ("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",)
READ = {"get", "list", "watch", "*"}


def check(r: ResourceView):
    if r.is_set("aggregationRule"):
        return NotApplicable("an aggregated ClusterRole's rules come from the roles it selects")
    found = []
    for i, rule in enumerate(r.items("rules")):
        if not isinstance(rule, dict) or wire.is_set(rule, "resourceNames"):
            continue
        groups = set(wire.strings(rule, "apiGroups"))
        verbs = sorted(set(wire.strings(rule, "verbs")) & READ)
        if "secrets" in wire.strings(rule, "resources") and groups & {"", "*"} and verbs:
            found.append(f"rules[{i}] ({', '.join(verbs)})")
    if found:
        return NonCompliant(f"{r.title} reads secrets in every namespace through {'; '.join(found)}; use a Role in "
                            "the namespace that holds them, or name the secrets in resourceNames.")
    return Compliant()


RULE = ResourceRule(
    name="k8s-rbac-no-cluster-secrets-read",
    description="ClusterRoles do not grant get/list/watch on all secrets.",
    resource_types=CLUSTER_ROLE,
    controls=("CIS Kubernetes 1.24 5.1.2", "NSA-CISA Kubernetes Hardening: least-privilege RBAC"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
