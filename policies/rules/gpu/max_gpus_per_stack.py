"""The stack's accelerator pools cannot scale past a cap: the sum over pools of max nodes times
accelerators per node (GPUs, or Neuron devices on Trainium) stays within the cap. The cap is the
smaller of the policy config's `maxGpus` (the organisation's ceiling for the environment) and the
stack's own `ai-landing-zone:maxGpus`, whichever are set.

A stack rule: the cap is on the sum. The violation is reported against the largest pool, where
shrinking helps most. Pools whose size or type cannot be read are left out of the sum (an
uncatalogued type is `gpu-instance-type-allowed`'s to report). GKE per-zone limits count once per
zone of the pool (`nodeLocations`; a regional pool without them is assumed to span 3 zones).
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.gpu import aws_node_group_pool, count_text, gke_node_pool
from lzpolicy.rule import stack_settings
from lzpolicy.types import GKE_NODE_POOL, NODE_GROUP

from components.names import PROJECT

REGIONAL_ZONES = 3  # GKE's default zone count for a regional cluster


def cap(view: StackView) -> int | None:
    caps = []
    configured = view.config.get("maxGpus")
    if isinstance(configured, (int, float)) and not isinstance(configured, bool):
        caps.append(int(configured))
    settings = stack_settings()  # a malformed stack value is left to the config validation, which names it
    if settings is not None and settings.max_gpus is not None:
        caps.append(settings.max_gpus)
    return min(caps) if caps else None


def check_stack(view: StackView):
    pools = [p for p in (
        *(aws_node_group_pool(r) for r in view.of_type(*NODE_GROUP)),
        *(gke_node_pool(r, cluster_zones=REGIONAL_ZONES) for r in view.of_type(*GKE_NODE_POOL)),
    ) if p is not None]
    if not pools:
        return NotApplicable("the stack has no accelerator node pools")
    limit = cap(view)
    if limit is None:
        return NotApplicable(f"no maxGpus configured (policy config or {PROJECT}:maxGpus)")
    sized = [(p.max_accelerators, p) for p in pools if p.max_accelerators is not None]
    total = sum(n for n, _ in sized)
    if total <= limit:
        return []
    largest = max(sized, key=lambda item: (item[0], item[1].view.name))[1]
    parts = ", ".join(f"{p.view.name} {count_text(n)}" for n, p in sorted(sized, key=lambda i: -i[0]))
    return [(largest.view.urn,
             f"{largest.view.title} and the other accelerator pools can scale to {count_text(total)} accelerators "
             f"({parts}), over the cap of {limit}; lower the pools' max sizes (largest first) or raise maxGpus.")]


RULE = StackRule(
    name="max-gpus-per-stack",
    description="Accelerators at max scale across all pools stay within maxGpus.",
    resource_types=(*NODE_GROUP, *GKE_NODE_POOL),
    controls=("AWS Well-Architected COST02-BP05 (implement cost controls)", "GPU quota guardrail"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"maxGpus": {
        "type": "integer", "minimum": 0,
        "description": f"Cap on accelerators at max scale; the stack's {PROJECT}:maxGpus may set a lower one."}},
    check_stack=check_stack,
)
