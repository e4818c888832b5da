"""Outside prod a GPU pool costs nothing when idle: it scales to zero nodes and starts with none.

A pool is a GPU pool when its instance / machine type is in the accelerator catalog, or it asks for
accelerators some other way (an NVIDIA / Neuron AMI type, a GPU taint, GKE guest accelerators): a
node group whose type lives only in its launch template is still recognised.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import GKE_NODE_POOL, NODE_GROUP

from components.catalog import UnknownTypeError, aws_instance_type, gcp_machine_type
from components.catalog.pricing import gke_node_counts
from components.names import ACCELERATOR_RESOURCES

GPU_TAINTS = ACCELERATOR_RESOURCES


def _catalogued(lookup, name: str) -> bool:
    try:
        lookup(name)
        return True
    except UnknownTypeError:
        return False


def is_gpu_pool(r: ResourceView) -> bool:
    if r.type in NODE_GROUP:
        if any(_catalogued(aws_instance_type, str(t)) for t in r.get("instanceTypes", default=[])):
            return True
        ami = str(r.get("amiType", default=""))
        if "NVIDIA" in ami or "NEURON" in ami or ami.endswith("_GPU"):
            return True
        return any(t.get("key") in GPU_TAINTS for t in r.get("taints", default=[]) if isinstance(t, dict))
    node = r.get("nodeConfig", default={})
    if node.get("guestAccelerators"):
        return True
    return bool(node.get("machineType")) and _catalogued(gcp_machine_type, str(node["machineType"]))


def check(r: ResourceView):
    if r.environment == "prod":
        return NotApplicable("prod keeps its GPU pools' minimum size")
    if not is_gpu_pool(r):
        return NotApplicable(f"{r.name} is not a GPU pool")
    problems = []
    if r.type in NODE_GROUP:
        for key in ("minSize", "desiredSize"):
            size = r.number("scalingConfig", key) or 0
            if size > 0:
                problems.append(f"scalingConfig.{key} is {size:g}")
    else:
        lo, _, how = gke_node_counts(r.props)
        if lo > 0:
            problems.append(f"the pool keeps {lo} node(s) at its minimum ({how})")
        for key in ("initialNodeCount", "nodeCount"):
            count = r.number(key) or 0
            if count > 0:
                problems.append(f"{key} is {count:g}")
    if problems:
        return NonCompliant(
            f"GPU pool '{r.name}' in {r.environment or 'a non-prod'} environment is billed while idle: "
            f"{'; '.join(problems)}. Set minNodes to 0 so the autoscaler removes idle GPU nodes.")
    return Compliant()


RULE = ResourceRule(
    name="gpu-pools-idle-cost-zero-outside-prod",
    description="Outside prod, GPU node groups / node pools scale to zero and start with no nodes.",
    resource_types=(*NODE_GROUP, *GKE_NODE_POOL),
    controls=("AWS Well-Architected COST09-BP03", "GKE cost optimisation: autoscale GPU node pools to zero"),
    enforcement_level="mandatory",
    check=check,
)
