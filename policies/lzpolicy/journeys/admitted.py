"""Step 1, admitted: Kueue (LocalQueue -> ClusterQueue covering or excluding every requested resource,
within nominal quota plus borrowable) and the namespace's ResourceQuota and LimitRange."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from components.workloads.names import KUEUE_QUEUE_LABEL

from .. import props as wire
from ..quantity import parse_quantity, show
from ..rule import ResourceView, StackView
from ..types import K8S_RESOURCE_QUOTA
from .model import (
    CLUSTER_QUEUE,
    FRAMEWORK_OF_KIND,
    K8S_LIMIT_RANGE,
    KUEUE_DEFAULT_FRAMEWORKS,
    LOCAL_QUEUE,
    RESOURCE_FLAVOR,
    Step,
    Workload,
    in_namespace,
    kueue_configuration,
    matches_selector,
    named,
    namespace_labels,
    releases,
)


def queue_name(w: Workload) -> str | None:
    return (w.manifest.get("metadata") or {}).get("labels", {}).get(KUEUE_QUEUE_LABEL)


def kueue_managed(view: StackView, w: Workload) -> bool:
    """Kueue queues the workload: it names a queue, Kueue is installed and integrates its kind."""
    kueue = releases(view, "kueue")
    if not queue_name(w) or not kueue:
        return False
    frameworks = wire.known(kueue_configuration(kueue[0]), "integrations", "frameworks") or KUEUE_DEFAULT_FRAMEWORKS
    return all(f in frameworks for f in FRAMEWORK_OF_KIND[w.kind])


def step_admitted(view: StackView, w: Workload) -> Step:
    requests = w.requests()
    kueue = releases(view, "kueue")
    queue = queue_name(w)
    notes: list[str] = []
    if queue:
        if not kueue:
            if w.kind == "Job" and wire.known(w.manifest, "spec", "suspend"):
                return Step("admitted", False, "the Job is created suspended for Kueue, but no Kueue release is "
                                               "installed: nothing ever unsuspends it")
            notes.append("no Kueue installed: not queued")
        elif kueue_managed(view, w):
            verdict = _kueue_admits(view, w, queue, requests, kueue_configuration(kueue[0]))
            if verdict is not None:
                return verdict
            notes.append(f"Kueue admits it through LocalQueue '{queue}'")
        else:
            notes.append(f"Kueue does not manage {w.kind}s (integrations {', '.join(FRAMEWORK_OF_KIND[w.kind])} not "
                         f"all enabled), so only the namespace quota gates it")
    quota = _quota_admits(view, w, requests)
    if quota is not None:
        return quota
    notes.append("the namespace ResourceQuota and LimitRange admit its pods")
    return Step("admitted", True, "; ".join(notes))


def _excluded(resource: str, config: Mapping[str, Any]) -> bool:
    prefixes = wire.known(config, "resources", "excludeResourcePrefixes") or []
    return any(isinstance(p, str) and resource.startswith(p) for p in prefixes)


def _kueue_admits(view: StackView, w: Workload, queue: str, requests: Mapping[str, Fraction],
                  config: Mapping[str, Any]) -> Step | None:
    lq = next((q for q in in_namespace(view, w.namespace, *LOCAL_QUEUE) if q.known("metadata", "name") == queue),
              None)
    if lq is None:
        return Step("admitted", False, f"no LocalQueue '{queue}' in namespace {w.namespace}: Kueue leaves the "
                                       f"{w.kind} suspended")
    cq_name = lq.known("spec", "clusterQueue")
    cq = named(view, cq_name, *CLUSTER_QUEUE) if isinstance(cq_name, str) else None
    if cq is None:
        return Step("admitted", False, f"LocalQueue '{queue}' points to ClusterQueue '{cq_name}', which the plan "
                                       f"does not create")
    if cq.known("spec", "stopPolicy") in ("Hold", "HoldAndDrain"):
        return Step("admitted", False, f"ClusterQueue '{cq_name}' is stopped (stopPolicy "
                                       f"{cq.known('spec', 'stopPolicy')}): it admits nothing")
    if not matches_selector(cq.known("spec", "namespaceSelector"), namespace_labels(view, w.namespace)):
        return Step("admitted", False, f"ClusterQueue '{cq_name}' does not select namespace {w.namespace}")
    groups = [g for g in (cq.known("spec", "resourceGroups", default=[]) or []) if isinstance(g, dict)]
    covered = {r for g in groups for r in (g.get("coveredResources") or [])}
    missing = sorted(r for r in requests if r not in covered and not _excluded(r, config))
    if missing:
        return Step("admitted", False, f"the pods request {', '.join(missing)}, which ClusterQueue '{cq_name}' does "
                                       f"not cover and Kueue is not configured to exclude "
                                       f"(resources.excludeResourcePrefixes): Kueue reports it unavailable and "
                                       f"never admits the workload")
    flavors = {f.known("metadata", "name"): f for f in view.of_type(*RESOURCE_FLAVOR)}
    selector = w.pod.get("nodeSelector") or {}
    for group in groups:
        wanted = {r: requests[r] * w.pods for r in group.get("coveredResources") or []
                  if r in requests and not _excluded(r, config)}
        if not wanted:
            continue
        reasons = []
        for flavor in group.get("flavors") or []:
            name = flavor.get("name")
            rf = flavors.get(name)
            node_labels = (rf.known("spec", "nodeLabels", default={}) or {}) if rf else {}
            clash = [k for k, v in node_labels.items() if k in selector and selector[k] != v]
            if rf is None:
                reasons.append(f"flavor '{name}' has no ResourceFlavor")
                continue
            if clash:
                continue  # Kueue skips flavors whose node labels contradict the pod's nodeSelector
            short = []
            for resource, need in wanted.items():
                quota = next((r for r in flavor.get("resources") or [] if r.get("name") == resource), None)
                if quota is None:
                    short.append(f"{resource} not in flavor")
                    continue
                limit = _cq_limit(view, cq, name, resource, quota)
                if need > limit:
                    short.append(f"{show(need, resource)} {resource} > {show(limit, resource)} "
                                 f"(nominal plus borrowable)")
            if not short:
                break
            reasons.append(f"flavor '{name}': {', '.join(short)}")
        else:
            return Step("admitted", False, f"ClusterQueue '{cq_name}' cannot fit the workload's {w.pods} pods: "
                                           f"{'; '.join(reasons) or 'no flavor matches its nodeSelector'}")
    return None


def _cq_limit(view: StackView, cq: ResourceView, flavor: str, resource: str, quota: Mapping[str, Any]) -> Fraction:
    """Nominal quota plus what the queue may borrow: its borrowingLimit, and no more than the other
    ClusterQueues of its cohort hold nominally for the same flavor and resource."""
    nominal = parse_quantity(quota.get("nominalQuota")) or Fraction(0)
    cohort = cq.known("spec", "cohort")
    if not cohort:
        return nominal
    lendable = Fraction(0)
    for other in view.of_type(*CLUSTER_QUEUE):
        if other.urn == cq.urn or other.known("spec", "cohort") != cohort:
            continue
        for group in other.known("spec", "resourceGroups", default=[]) or []:
            for f in group.get("flavors") or []:
                if f.get("name") != flavor:
                    continue
                for r in f.get("resources") or []:
                    if r.get("name") == resource:
                        lend = parse_quantity(r.get("nominalQuota")) or Fraction(0)
                        if r.get("lendingLimit") is not None:  # what the queue keeps back from the cohort
                            lend = min(lend, parse_quantity(r.get("lendingLimit")) or Fraction(0))
                        lendable += lend
    limit = quota.get("borrowingLimit")
    borrow = lendable if limit is None else min(lendable, parse_quantity(limit) or Fraction(0))
    return nominal + borrow


def _quota_admits(view: StackView, w: Workload, requests: Mapping[str, Fraction]) -> Step | None:
    limits = w.limits()
    for rq in in_namespace(view, w.namespace, *K8S_RESOURCE_QUOTA):
        hard = rq.known("spec", "hard", default={}) or {}
        for key, value in hard.items():
            cap = parse_quantity(value)
            if cap is None:
                continue
            resource = key.removeprefix("requests.").removeprefix("limits.")
            if key == "pods":
                need = Fraction(w.pods)
            elif key.startswith("limits."):
                need = limits.get(resource, requests.get(resource, Fraction(0))) * w.pods
            elif key.startswith("requests.") or resource in ("cpu", "memory"):
                need = requests.get(resource, Fraction(0)) * w.pods
            else:
                continue
            if need > cap:
                return Step("admitted", False, f"its {w.pods} pods need {show(need, resource)} {resource}, over the "
                                               f"namespace ResourceQuota's {key}={value}: the API server refuses "
                                               f"the pods Kueue admitted")
    for lr in in_namespace(view, w.namespace, *K8S_LIMIT_RANGE):
        for limit in lr.known("spec", "limits", default=[]) or []:
            if limit.get("type") != "Container":
                continue
            for resource, value in (limit.get("max") or {}).items():
                cap = parse_quantity(value)
                for c in w.pod.get("containers") or []:
                    res = c.get("resources") or {}
                    have = parse_quantity((res.get("limits") or {}).get(resource) or
                                          (res.get("requests") or {}).get(resource))
                    if cap is not None and have is not None and have > cap:
                        return Step("admitted", False, f"container '{c.get('name')}' asks {show(have, resource)} "
                                                       f"{resource}, over the LimitRange maximum {value}")
    return None
