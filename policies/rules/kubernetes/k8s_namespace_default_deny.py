"""Every namespace starts from default-deny: a NetworkPolicy selecting all pods (`podSelector: {}`)
with policyTypes Ingress and Egress and no rules, so each allowed flow is a deliberate policy.

A stack rule: the policies are separate objects, matched to the namespace through
`metadata.namespace`. Separate ingress-only and egress-only deny-all policies count too.
Namespaces in `exemptNamespaces` are not judged.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy import props as wire
from lzpolicy.k8s import SYSTEM_NAMESPACES, exempt, objects_in
from lzpolicy.types import K8S_NAMESPACE, K8S_NETWORK_POLICY


def _denies(policy) -> set[str]:
    """The directions a NetworkPolicy denies for every pod of its namespace."""
    spec = policy.get("spec")
    if not isinstance(spec, dict):
        return set()
    selector = spec.get("podSelector")
    if not isinstance(selector, dict) or selector.get("matchLabels") or selector.get("matchExpressions"):
        return set()
    types = set(wire.strings(spec, "policyTypes")) or {"Ingress"}
    denied = set()
    if "Ingress" in types and not wire.items(spec, "ingress"):
        denied.add("Ingress")
    if "Egress" in types and not wire.items(spec, "egress"):
        denied.add("Egress")
    return denied


def check_stack(view: StackView):
    names = list(view.config.get("exemptNamespaces") or SYSTEM_NAMESPACES)
    namespaces = [ns for ns in view.of_type(*K8S_NAMESPACE) if not exempt(ns, names)]
    if not namespaces:
        return NotApplicable("the stack creates no namespaces that need a default-deny policy")
    out = []
    for ns in namespaces:
        denied = set().union(*[_denies(p) for p in objects_in(view, ns, *K8S_NETWORK_POLICY)])
        missing = [d for d in ("Ingress", "Egress") if d not in denied]
        if missing:
            out.append((ns.urn, f"{ns.title} has no default-deny NetworkPolicy for {' and '.join(missing)}; add one "
                                "with pod_selector {} and policy_types ['Ingress', 'Egress'] and no rules, then allow "
                                "the flows the namespace needs."))
    return out


RULE = StackRule(
    name="k8s-namespace-default-deny",
    description="Every namespace has a default-deny NetworkPolicy for ingress and egress.",
    resource_types=(*K8S_NAMESPACE, *K8S_NETWORK_POLICY),
    controls=("NSA-CISA C-0030", "NSA-CISA C-0054", "CIS-EKS-1.7 4.3.2", "CKV2_K8S_6"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"exemptNamespaces": {
        "type": "array", "items": {"type": "string"}, "default": SYSTEM_NAMESPACES,
        "description": "Namespaces not required to have a default-deny policy."}},
    check_stack=check_stack,
)
