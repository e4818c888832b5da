"""Accelerator instance and machine types come from the hardware catalog (`components.catalog`)
and, when `allowedGpuTypes` is set, from that list.

The catalog is what the landing zone knows how to build for (EFA layouts, GPU NICs, drivers,
prices); an uncatalogued type would plan, then fail or run without its fabric. Judged: EKS node
groups (`instanceTypes`), launch templates and EC2 instances (`instanceType`) and GKE node pools
(`nodeConfig.machineType`, whose attached `guestAccelerators` must match the catalogued GPU).
CPU-only types are not judged.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.gpu import aws_node_group_pool, aws_type, gcp_type, gke_node_pool, is_aws_accelerator_type
from lzpolicy.types import EC2_INSTANCE, GKE_NODE_POOL, LAUNCH_TEMPLATE, NODE_GROUP

from components.catalog import nearest_names


def _types(r: ResourceView) -> tuple[str, list[str]]:
    """(cloud, accelerator types) a resource launches."""
    if r.type in NODE_GROUP:
        pool = aws_node_group_pool(r)
        return "aws", list(pool.types) if pool else []
    if r.type in GKE_NODE_POOL:
        pool = gke_node_pool(r)
        return "gcp", list(pool.types) if pool else []
    own = r.get("instanceType")
    return "aws", [own] if isinstance(own, str) and is_aws_accelerator_type(own) else []


def check(r: ResourceView):
    cloud, types = _types(r)
    if not types:
        return NotApplicable("launches no accelerator instance type")
    allowed = [str(t) for t in r.config.get("allowedGpuTypes") or []]
    problems = []
    for name in types:
        catalogued = gcp_type(name) if cloud == "gcp" else aws_type(name)
        if catalogued is None:
            nearest = ", ".join(nearest_names(name, cloud)[:3]) or "see components/catalog/gpu_types.yaml"
            problems.append(f"{name} is not in the hardware catalog (nearest: {nearest})")
        elif allowed and name not in allowed:
            problems.append(f"{name} is not in allowedGpuTypes ({', '.join(allowed)})")
    if cloud == "gcp" and not problems:
        machine = gcp_type(types[0])
        attached = {a.get("type") for a in r.items("nodeConfig", "guestAccelerators") if isinstance(a, dict)}
        if machine is not None and attached and attached != {machine.gke_accelerator_type}:
            problems.append(f"{types[0]} carries {machine.gke_accelerator_type}, but guest_accelerators asks for "
                            f"{', '.join(sorted(map(str, attached)))}")
    if problems:
        return NonCompliant(f"{r.title} uses an accelerator type the landing zone does not allow: {'; '.join(problems)}; "
                            "pick a catalogued type listed in allowedGpuTypes (or add the type to the catalog with "
                            "its sources).")
    return Compliant()


RULE = ResourceRule(
    name="gpu-instance-type-allowed",
    description="GPU instance / machine types are in the hardware catalog and in allowedGpuTypes when set.",
    resource_types=(*NODE_GROUP, *GKE_NODE_POOL, *LAUNCH_TEMPLATE, *EC2_INSTANCE),
    controls=("AWS Well-Architected COST02-BP03 (controls on resource types)",),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={"allowedGpuTypes": {
        "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
        "description": "Accelerator instance / machine types allowed in this environment; empty: any catalogued type."}},
    check=check,
)
