"""Step 3, capacity: something brings the pool up from its minimum to the job's nodes (EKS
cluster-autoscaler with IAM to scale, GKE autoscaling, a ProvisioningRequest check for flex-start)."""

from __future__ import annotations

from .. import props as wire
from ..rule import ResourceView, StackView
from ..types import (
    EKS_CLUSTER,
    GKE_NODE_POOL,
    IAM_ROLE,
    NODE_GROUP,
)
from .admitted import queue_name
from .awsiam import role_allows
from .model import (
    ADMISSION_CHECK,
    CA_SET_DESIRED,
    CLUSTER_QUEUE,
    EKS_POD_IDENTITY,
    GKE_QUEUED_CLASS,
    IRSA_ANNOTATION,
    LOCAL_QUEUE,
    PROVISIONING_CONFIG,
    PROVISIONING_CONTROLLER,
    Step,
    Unknown,
    Workload,
    in_namespace,
    named,
    releases,
)
from .placed import (
    NodePool,
    pool_for,
)


def _pool_bounds(pool: NodePool) -> tuple[float | None, float | None]:
    if pool.view is None:
        return None, None
    v = pool.view
    if v.type in NODE_GROUP:
        return wire.number(v.known("scalingConfig", "minSize")), wire.number(v.known("scalingConfig", "maxSize"))
    auto = v.known("autoscaling")
    if isinstance(auto, dict):
        lo = auto.get("totalMinNodeCount", auto.get("minNodeCount"))
        hi = auto.get("totalMaxNodeCount", auto.get("maxNodeCount"))
        zones = len(v.known("nodeLocations", default=[]) or []) or 1
        per_zone = "totalMaxNodeCount" not in auto
        return (wire.number(lo), (wire.number(hi) or 0) * (zones if per_zone else 1))
    count = wire.number(v.known("nodeCount")) or wire.number(v.known("initialNodeCount"))
    return count, count


def step_capacity(view: StackView, w: Workload) -> Step:
    pool = pool_for(view, w)
    if pool is None:
        return Step("capacity", False, "no node pool to bring up (see placed)")
    if pool.declared:
        return Step("capacity", True, f"brought pool '{pool.name}': its nodes exist (maxNodes is what there is)")
    lo, hi = _pool_bounds(pool)
    if hi is not None and hi < w.nodes:
        return Step("capacity", False, f"node pool '{pool.name}' can grow to {wire.integer_text(hi)} nodes, fewer "
                                       f"than the {w.nodes} the job needs")
    if lo is not None and lo >= w.nodes:
        return Step("capacity", True, f"node pool '{pool.name}' keeps {wire.integer_text(lo)} nodes running")
    if pool.view is not None and pool.view.type in GKE_NODE_POOL:
        return _gke_capacity(view, w, pool, pool.view)
    return _eks_capacity(view, w, pool)


def _gke_capacity(view: StackView, w: Workload, pool: NodePool, np: ResourceView) -> Step:
    """`np`: the pool's GKE node pool resource (the caller checked its type)."""
    if not isinstance(np.known("autoscaling"), dict):
        return Step("capacity", False, f"node pool '{pool.name}' has no autoscaling and too few nodes")
    if wire.truthy(np.known("queuedProvisioning", "enabled")):
        checks = _provisioning_checks(view, w, GKE_QUEUED_CLASS)
        if not checks:
            return Step("capacity", False, f"node pool '{pool.name}' uses queued provisioning (flex-start), which only "
                                           f"a ProvisioningRequest of class {GKE_QUEUED_CLASS} creates nodes for, and "
                                           f"the ClusterQueue of namespace {w.namespace} has no admission check "
                                           f"({PROVISIONING_CONTROLLER}) that asks for it on flavor '{w.pool}': "
                                           f"Kueue never asks for the capacity")
        return Step("capacity", True, f"flex-start pool '{pool.name}' scaled through ProvisioningRequest "
                                      f"admission check {', '.join(checks)}")
    return Step("capacity", True, f"GKE cluster autoscaler scales node pool '{pool.name}'")


def _provisioning_checks(view: StackView, w: Workload, provisioning_class: str | None = None) -> list[str]:
    """ProvisioningRequest admission checks that apply to the workload in its ClusterQueue: controller
    `kueue.x-k8s.io/provisioning-request`, on the workload's flavor (`onFlavors`, empty: all), whose
    ProvisioningRequestConfig has `provisioning_class` (when given) and manages a resource the pods
    request (`managedResources`, empty: all) - Kueue leaves other pod sets out of the request."""
    lq = next((q for q in in_namespace(view, w.namespace, *LOCAL_QUEUE)
               if q.known("metadata", "name") == queue_name(w)), None)
    cq = named(view, lq.known("spec", "clusterQueue"), *CLUSTER_QUEUE) if lq else None
    if cq is None:
        return []
    names = [n for n in cq.known("spec", "admissionChecks", default=[]) or [] if isinstance(n, str)]
    for rule in cq.known("spec", "admissionChecksStrategy", "admissionChecks", default=[]) or []:
        if isinstance(rule, dict) and rule.get("name") and (not rule.get("onFlavors") or w.pool in rule["onFlavors"]):
            names.append(rule["name"])
    requested = set(w.requests())
    found = []
    for name in names:
        ac = named(view, name, *ADMISSION_CHECK)
        if ac is None or ac.known("spec", "controllerName") != PROVISIONING_CONTROLLER:
            continue
        params = ac.known("spec", "parameters", default={}) or {}
        config = named(view, params.get("name"), *PROVISIONING_CONFIG) if params.get("name") else None
        if config is None:
            continue  # Kueue marks the check inactive without its ProvisioningRequestConfig
        if provisioning_class and config.known("spec", "provisioningClassName") != provisioning_class:
            continue
        managed = set(config.known("spec", "managedResources", default=[]) or [])
        if managed and not managed & requested:
            continue
        found.append(name)
    return found


def _eks_capacity(view: StackView, w: Workload, pool: NodePool) -> Step:
    autoscalers = releases(view, "cluster-autoscaler")
    if not autoscalers:
        karpenter = releases(view, "karpenter")
        if karpenter:
            return Step("capacity", None, "Karpenter is installed; whether its NodePools cover this pool is not "
                                          "judged by this check")
        return Step("capacity", False, f"node group '{pool.name}' starts at {wire.integer_text(_pool_bounds(pool)[0])} "
                                       f"nodes and no node autoscaler (cluster-autoscaler) is installed: nothing "
                                       f"reads its node-template tags, so the job waits forever")
    ca = autoscalers[0]
    clusters = view.of_type(*EKS_CLUSTER)
    discovered = ca.known("values", "autoDiscovery", "clusterName")
    cluster_names = {c.known("name") for c in clusters} - {None}
    if not (discovered in cluster_names or any(ca.depends_on(c.urn, "values") for c in clusters)):
        return Step("capacity", False, f"cluster-autoscaler's autoDiscovery.clusterName ({discovered!r}) is not this "
                                       f"cluster: it does not discover the node group's Auto Scaling group")
    roles = _autoscaler_roles(view, ca)
    if not roles:
        return Step("capacity", False, "cluster-autoscaler has no IAM role (IRSA annotation or Pod Identity "
                                       "association): it cannot call SetDesiredCapacity")
    try:
        allowed = any(role_allows(view, role, CA_SET_DESIRED, "*", resource_any=True) for role in roles)
    except Unknown as exc:
        return Step("capacity", None, f"cluster-autoscaler's IAM policy is not known until apply ({exc})")
    if not allowed:
        return Step("capacity", False, f"cluster-autoscaler's role may not call {CA_SET_DESIRED}")
    return Step("capacity", True, f"cluster-autoscaler discovers this cluster and may scale node group '{pool.name}'")


def _autoscaler_roles(view: StackView, release: ResourceView) -> list[ResourceView]:
    roles = view.referenced(release, "values", *IAM_ROLE)
    arn = release.known("values", "rbac", "serviceAccount", "annotations", IRSA_ANNOTATION)
    roles += [r for r in view.of_type(*IAM_ROLE) if arn and role_arn_matches(r, arn) and r not in roles]
    ns = release.known("namespace") or "kube-system"
    sa = release.known("values", "rbac", "serviceAccount", "name")
    for assoc in view.of_type(*EKS_POD_IDENTITY):
        if assoc.known("namespace") == ns and (sa is None or assoc.known("serviceAccount") == sa):
            roles += [r for r in view.referenced(assoc, "roleArn", *IAM_ROLE) if r not in roles]
    return roles


def role_arn_matches(role: ResourceView, arn: str) -> bool:
    name = role.known("name")
    return isinstance(name, str) and (arn.endswith(f":role/{name}") or arn.endswith(f"/{name}"))
