"""Every tenant namespace has a ResourceQuota that caps CPU and memory (`requiredResources`), so
one team cannot starve the others or the GPU nodes' system pods.

A stack rule: quotas are separate objects, matched through `metadata.namespace`. A quota resource
name counts with or without its `requests.` / `limits.` prefix. Namespaces in
`exemptNamespaces` (system and node-agent namespaces) are not judged.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.k8s import SYSTEM_NAMESPACES, exempt, objects_in
from lzpolicy.types import K8S_NAMESPACE, K8S_RESOURCE_QUOTA

from components.names import EXTERNAL_SECRETS_NAMESPACE, GPU_OPERATOR_NAMESPACE, KUEUE_NAMESPACE

DEFAULT_EXEMPT = [*SYSTEM_NAMESPACES, GPU_OPERATOR_NAMESPACE, KUEUE_NAMESPACE, EXTERNAL_SECRETS_NAMESPACE]
DEFAULT_REQUIRED = ["cpu", "memory"]


def _capped(quota) -> set[str]:
    hard = quota.get("spec", "hard")
    if not isinstance(hard, dict):
        return set()
    return {key.split(".", 1)[1] if key.startswith(("requests.", "limits.")) else key for key in hard}


def check_stack(view: StackView):
    names = list(view.config.get("exemptNamespaces") or DEFAULT_EXEMPT)
    required = list(view.config.get("requiredResources") or DEFAULT_REQUIRED)
    namespaces = [ns for ns in view.of_type(*K8S_NAMESPACE) if not exempt(ns, names)]
    if not namespaces:
        return NotApplicable("the stack creates no tenant namespaces")
    out = []
    for ns in namespaces:
        capped = set().union(*[_capped(q) for q in objects_in(view, ns, *K8S_RESOURCE_QUOTA)])
        missing = [res for res in required if res not in capped]
        if missing:
            keys = ", ".join(f"requests.{res}, limits.{res}" for res in missing)
            out.append((ns.urn, f"{ns.title} has no ResourceQuota capping {' and '.join(missing)}; add a ResourceQuota "
                                f"in it whose spec.hard sets {keys}."))
    return out


RULE = StackRule(
    name="k8s-namespace-resource-quota",
    description="Every tenant namespace has a ResourceQuota capping CPU and memory.",
    resource_types=(*K8S_NAMESPACE, *K8S_RESOURCE_QUOTA),
    controls=("NSA-CISA C-0270", "NSA-CISA C-0271", "CIS-EKS-1.7 4.6.1"),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={
        "exemptNamespaces": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_EXEMPT,
                             "description": "Namespaces not required to have a quota."},
        "requiredResources": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_REQUIRED,
                              "description": "Resources every tenant quota must cap (cpu, memory, nvidia.com/gpu...)."}},
    check_stack=check_stack,
)
