"""Step 2, placed: a node pool whose labels satisfy the pods' selector (plus the Kueue flavor's node
labels), whose taints they tolerate and whose nodes can hold one pod; the namespace's Pod Security level."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from components.k8s.gpudirect_policy import GPUDIRECT_LABEL
from components.k8s.gpudirect_policy import pod_violations as gpudirect_violations

from ..efa import node_group_instance_types
from ..gpu import aws_type, gcp_type
from ..quantity import show
from ..rule import ResourceView, StackView
from ..types import (
    GKE_NODE_POOL,
    NODE_GROUP,
)
from .admitted import kueue_managed
from .model import (
    GKE_POOL_LABEL,
    PSS_ENFORCE,
    RESOURCE_FLAVOR,
    Step,
    Workload,
    cluster_kind,
    named,
    namespace_resource,
)


@dataclass(frozen=True)
class NodePool:
    view: ResourceView | None
    name: str
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, str], ...]
    declared: bool = False           # a brought cluster's pool: labels from config, nodes not in the plan


_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}


# GKE labels every GPU node with its accelerator type (GKE docs, "About GPUs in GKE").
GKE_ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator"


def _gke_accelerator(np) -> str | None:
    for acc in np.known("nodeConfig", "guestAccelerators", default=[]) or []:
        if isinstance(acc, dict) and isinstance(acc.get("type"), str):
            return acc["type"]
    machine = np.known("nodeConfig", "machineType")
    catalogued = gcp_type(machine) if isinstance(machine, str) else None
    return catalogued.gke_accelerator_type if catalogued else None


def node_pools(view: StackView) -> list[NodePool]:
    pools = []
    for ng in view.of_type(*NODE_GROUP):
        taints = tuple({"key": t.get("key"), "value": t.get("value") or "",
                        "effect": _EFFECTS.get(t.get("effect"), t.get("effect"))}
                       for t in ng.known("taints", default=[]) or [] if isinstance(t, dict))
        pools.append(NodePool(ng, ng.name, dict(ng.known("labels", default={}) or {}), taints))
    for np in view.of_type(*GKE_NODE_POOL):
        name = np.known("name")
        labels = dict(np.known("nodeConfig", "labels", default={}) or {})
        if isinstance(name, str):
            labels[GKE_POOL_LABEL] = name
        accelerator = _gke_accelerator(np)
        if accelerator:
            labels[GKE_ACCELERATOR_LABEL] = accelerator
        taints = tuple({"key": t.get("key"), "value": t.get("value") or "",
                        "effect": _EFFECTS.get(t.get("effect"), t.get("effect"))}
                       for t in np.known("nodeConfig", "taints", default=[]) or [] if isinstance(t, dict))
        pools.append(NodePool(np, str(name or np.name), labels, taints))
    return pools


def node_selector(view: StackView, w: Workload) -> dict[str, str]:
    """The pods' nodeSelector, plus the ResourceFlavor's node labels Kueue adds when it admits them."""
    selector = dict(w.pod.get("nodeSelector") or {})
    if kueue_managed(view, w):
        rf = named(view, w.pool, *RESOURCE_FLAVOR)
        for k, v in ((rf.known("spec", "nodeLabels", default={}) or {}) if rf else {}).items():
            selector.setdefault(k, v)
    return selector


def pool_for(view: StackView, w: Workload) -> NodePool | None:
    selector = node_selector(view, w)
    found = [p for p in node_pools(view) if all(p.labels.get(k) == v for k, v in selector.items())]
    if found:
        return found[0]
    if cluster_kind(view) == "byo":
        rf = named(view, w.pool, *RESOURCE_FLAVOR)
        if rf is not None:
            labels = rf.known("spec", "nodeLabels", default={}) or {}
            if all(labels.get(k) == v for k, v in selector.items()):
                return NodePool(None, w.pool, labels, (), declared=True)
    return None


def tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, str]) -> bool:
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        op = t.get("operator") or "Equal"
        if t.get("key") in (None, "") and op == "Exists":
            return True
        if t.get("key") != taint.get("key"):
            continue
        if op == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _flavor_tolerations(view: StackView, w: Workload) -> list[Mapping[str, Any]]:
    rf = named(view, w.pool, *RESOURCE_FLAVOR)
    return list((rf.known("spec", "tolerations", default=[]) or []) if rf else [])


def pod_security_violations(pod: Mapping[str, Any], level: str) -> list[str]:
    """What Pod Security admission at `level` rejects in a pod spec (baseline and restricted controls)."""
    if level not in ("baseline", "restricted"):   # privileged, or no Pod Security label: admits anything
        return []
    return gpudirect_violations(pod, (), level=level)


def _node_capacity(view: StackView, pool: NodePool) -> dict[str, Fraction]:
    """A node's capacity per resource from the catalog (accelerators, vCPU, memory), {} if unknown."""
    if pool.view is None:
        return {}
    if pool.view.type in NODE_GROUP:
        types = node_group_instance_types(view, pool.view)
        aws = aws_type(types[0]) if types else None
        if aws is None:
            return {}
        return {aws.accelerator.k8s_resource: Fraction(aws.accelerator.count), "cpu": Fraction(aws.vcpu),
                "memory": Fraction(aws.memory_gib).limit_denominator() * 2**30}
    machine = pool.view.known("nodeConfig", "machineType")
    gcp = gcp_type(machine) if isinstance(machine, str) else None
    if gcp is None:
        return {}
    return {gcp.accelerator.k8s_resource: Fraction(gcp.accelerator.count), "cpu": Fraction(gcp.vcpu),
            "memory": Fraction(gcp.memory_gib).limit_denominator() * 2**30}


def _exceeds_node(view: StackView, pool: NodePool, w: Workload) -> str | None:
    capacity = _node_capacity(view, pool)
    for resource, need in w.requests().items():
        have = capacity.get(resource)
        if have is not None and need > have:
            return f"{show(need, resource)} {resource} (a node has {show(have, resource)})"
    return None


def step_placed(view: StackView, w: Workload) -> Step:
    pool = pool_for(view, w)
    selector = node_selector(view, w)
    if pool is None:
        return Step("placed", False, f"no node pool carries the labels its nodeSelector asks for "
                                     f"({', '.join(f'{k}={v}' for k, v in selector.items())}): the pods stay Pending")
    # Kueue adds the admitting ResourceFlavor's tolerations to the pods it admits, and only to those.
    injected = _flavor_tolerations(view, w) if kueue_managed(view, w) else []
    tolerations = [*(w.pod.get("tolerations") or []), *injected]
    untolerated = [t for t in pool.taints if t.get("effect") in ("NoSchedule", "NoExecute")
                   and not tolerates(tolerations, t)]
    if untolerated:
        shown = ", ".join(f"{t['key']}={t.get('value', '')}:{t['effect']}" for t in untolerated)
        return Step("placed", False, f"node pool '{pool.name}' is tainted {shown}, which the pods do not tolerate")
    too_big = _exceeds_node(view, pool, w)
    if too_big:
        return Step("placed", False, f"one pod asks for {too_big}: no node of pool '{pool.name}' has that much")
    ns = namespace_resource(view, w.namespace)
    level = (ns.known("metadata", "labels", PSS_ENFORCE) if ns else None) or "privileged"
    rejected = pod_security_violations(w.pod, level)
    if rejected:
        return Step("placed", False, f"namespace {w.namespace} enforces Pod Security '{level}', which rejects the "
                                     f"pod spec the path needs ({'; '.join(rejected)})")
    # A GPUDirect namespace relaxes Pod Security only behind the ValidatingAdmissionPolicy its label binds;
    # the pod must pass that policy too (the same rules, evaluated from the same allow-list).
    flavours = (ns.known("metadata", "labels", GPUDIRECT_LABEL) if ns else None) or ""
    if flavours:
        denied = gpudirect_violations(w.pod, flavours.split("-"), w.pod_annotations)
        if denied:
            return Step("placed", False, f"the GPUDirect admission policy of namespace {w.namespace} rejects the pod "
                                         f"spec ({'; '.join(denied)})")
    how = "declared pool" if pool.declared else f"node pool '{pool.name}'"
    return Step("placed", True, f"{how} matches its selector and taints; Pod Security '{level}' admits it")
