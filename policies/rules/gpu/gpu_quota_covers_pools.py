"""The plan never needs more GPU quota than it requests.

What the GPU node groups / node pools need at max scale is recomputed from their recorded inputs with
`components.catalog.quotas` (EC2 vCPUs per instance family and purchase option; GCP GPUs per quota id and
region, and the project-wide GPUS-ALL-REGIONS ceiling they add up to), summed per quota, and compared with the quota requests in the same plan: AWS Service Quotas
(`value`) and GCP Cloud Quotas preferences (`quotaConfig.preferredValue`). A pool that would outgrow its
request - a larger maxNodes, another pool of the same family - can never be launched in full.

Not judged: pools on a reservation or Capacity Block (they launch into capacity bought outside the plan),
pools whose quota the catalog does not know (trn, flex-start: `components/catalog/quotas.py` says which),
and stacks that turn quota requests off (`gpuQuotaRequests: false`, for accounts that already hold more).
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.props import known
from lzpolicy.rule import stack_settings
from lzpolicy.types import GKE_NODE_POOL, LAUNCH_TEMPLATE, NODE_GROUP, QUOTA_PREFERENCE, SERVICE_QUOTA

from components.catalog import UnknownTypeError
from components.catalog.pricing import (
    eks_capacity_type,
    eks_instance_type,
    gke_capacity_type,
    gke_node_counts,
)
from components.catalog.quotas import (
    GCP_ALL_REGIONS_QUOTA,
    GCP_SERVICE,
    QuotaKey,
    QuotaUnknownError,
    aws_pool_quota,
    gcp_pool_quota,
    total_needs,
    with_gcp_global,
)
from components.names import PROJECT


def _number(value) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def needs(view: StackView) -> dict[QuotaKey, tuple[int, list[str]]]:
    """Quota -> (amount at max scale, pools drawing on it)."""
    found: list[tuple[tuple[QuotaKey, int] | None, str]] = []
    for r in view.of_type(*NODE_GROUP):
        # The node group names its launch template by id, an output: find the template by the property
        # dependency instead (the instance type and a reservation target may live only there).
        ref = str(known(r.props, "launchTemplate", "id") or known(r.props, "launchTemplate", "name") or "")
        linked = list(view.referenced(r, "launchTemplate", *LAUNCH_TEMPLATE))
        templates = {ref: dict(linked[-1].props)} if linked else {}
        name = eks_instance_type(r.props, templates)
        top = _number(known(r.props, "scalingConfig", "maxSize"))
        region = r.region
        if name is None or top is None or not region:
            continue
        try:
            found.append((aws_pool_quota(name, eks_capacity_type(r.props, templates), region, int(top)), r.name))
        except (UnknownTypeError, QuotaUnknownError):
            continue
    for r in view.of_type(*GKE_NODE_POOL):
        machine = str(known(r.props, "nodeConfig", "machineType") or "")
        region = r.region
        if not machine or not region:
            continue
        _, top, _ = gke_node_counts(r.props)
        try:
            found.append((gcp_pool_quota(machine, gke_capacity_type(r.props), region, top), r.name))
        except (UnknownTypeError, QuotaUnknownError):
            continue
    totals = with_gcp_global(total_needs(need for need, _ in found))
    gke_pools = [pool for need, pool in found if need and need[0].service == GCP_SERVICE]
    return {key: (amount, gke_pools if key.quota == GCP_ALL_REGIONS_QUOTA else
                  [pool for need, pool in found if need and need[0] == key])
            for key, amount in totals.items()}


def requested(view: StackView) -> dict[QuotaKey, float]:
    out: dict[QuotaKey, float] = {}
    for r in view.of_type(*SERVICE_QUOTA):
        value = _number(r.props.get("value"))
        if value is not None:
            key = QuotaKey(str(r.props.get("serviceCode")), str(r.props.get("quotaCode")),
                           (("region", r.region or ""),))
            out[key] = max(out.get(key, 0.0), value)
    for r in view.of_type(*QUOTA_PREFERENCE):
        value = _number(known(r.props, "quotaConfig", "preferredValue"))
        if value is not None:
            dimensions = known(r.props, "dimensions")
            dims = tuple(sorted((str(k), str(v)) for k, v in (dimensions if isinstance(dimensions, dict) else {}).items()))
            key = QuotaKey(str(r.props.get("service")), str(r.props.get("quotaId")), dims)
            out[key] = max(out.get(key, 0.0), value)
    return out


def check_stack(view: StackView):
    settings = stack_settings()
    if settings is not None and not settings.gpu_quota_requests:
        return NotApplicable(f"{PROJECT}:gpuQuotaRequests is off: the stack requests no GPU quota")
    wanted = needs(view)
    if not wanted:
        return NotApplicable("no GPU node group or node pool draws on a quota the plan can request")
    asked = requested(view)
    problems = []
    for key, (amount, pools) in wanted.items():
        have = asked.get(key)
        unit = "vCPUs" if key.service == "ec2" else "GPUs"
        need = f"{view.stack_title}: GPU pools {', '.join(pools)} need {amount} {unit} of {key.describe()} at max scale"
        if have is None:
            problems.append((view.stack_urn, f"{need}, and the plan requests none: they can be planned but not "
                                             f"launched. Keep {PROJECT}:gpuQuotaRequests on (the landing zone "
                                             "requests it), or add the request."))
        elif have < amount:
            problems.append((view.stack_urn, f"{need}, more than the {have:g} the plan requests: lower maxNodes or "
                                             "raise the request."))
    return problems


RULE = StackRule(
    name="gpu-quota-covers-pools",
    description="The GPU quota the plan requests (AWS Service Quotas, GCP quota preferences) covers its GPU pools "
                "at max scale.",
    resource_types=(*NODE_GROUP, *GKE_NODE_POOL, *SERVICE_QUOTA, *QUOTA_PREFERENCE),
    controls=("AWS Well-Architected REL01-BP01 (aware of service quotas)",
              "Google Cloud Architecture Framework: plan quota for capacity"),
    enforcement_level="mandatory",
    check_stack=check_stack,
)
