"""Accelerator node pools carry the accelerator's NoSchedule taint (`nvidia.com/gpu`, or
`aws.amazon.com/neuron` for Trainium / Inferentia), so only pods that request the device, and
tolerate the taint, land on the most expensive nodes.

EKS managed node groups take `taints[]` with effect NO_SCHEDULE; GKE node pools take
`nodeConfig.taints[]` with the same enum. The taint is judged in the inputs: GKE adds one on its
own only in some cluster shapes, and a plan cannot rely on that.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.gpu import aws_node_group_pool, gke_node_pool
from lzpolicy.types import GKE_NODE_POOL, NODE_GROUP


def check(r: ResourceView):
    pool = aws_node_group_pool(r) if r.type in NODE_GROUP else gke_node_pool(r)
    if pool is None:
        return NotApplicable("not an accelerator node pool")
    taints = r.items("taints") if r.type in NODE_GROUP else r.items("nodeConfig", "taints")
    tainted = any(isinstance(t, dict) and t.get("key") == pool.extended_resource and t.get("effect") == "NO_SCHEDULE"
                  for t in taints)
    if not tainted:
        where = "taints" if r.type in NODE_GROUP else "node_config.taints"
        return NonCompliant(f"{r.title} ({', '.join(pool.types) or 'accelerator AMI'}) lacks the "
                            f"{pool.extended_resource} NoSchedule taint; add {{key: '{pool.extended_resource}', "
                            f"value: 'present', effect: 'NO_SCHEDULE'}} to {where}.")
    return Compliant()


RULE = ResourceRule(
    name="gpu-node-pool-tainted",
    description="GPU / accelerator node pools carry the device's NoSchedule taint (nvidia.com/gpu).",
    resource_types=(*NODE_GROUP, *GKE_NODE_POOL),
    controls=("EKS Best Practices: taint GPU nodes", "GKE: GPU node taints"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
