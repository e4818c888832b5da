"""Kueue objects and the quota maths behind them, as pure functions.

One ResourceFlavor per GPU pool (its node labels, and tolerations Kueue adds to admitted pods), one
ClusterQueue per team in a shared cohort, one LocalQueue in each team namespace, and the workload
priority classes. Objects are dicts in the shape `kueue.x-k8s.io/v1beta1` defines.

Quota model (the namespace ResourceQuota and the ClusterQueue must agree, or Kueue admits a job
whose pods the API server then refuses):
- a team's nominal GPUs in a pool are `team.gpuQuota[pool]`; its queue lists only those pools;
- in each of them it may borrow up to `team.borrowingLimit` more GPUs that other teams leave idle
  (unset: no borrowing);
- so the namespace GPU quota is, per accelerator resource, the sum over its pools of nominal plus
  borrowing limit: exactly the most Kueue can admit for it;
- CPU and memory come from one unlabelled flavor, never borrowed, equal to the ResourceQuota. Unless
  the team config sets them, they are what its GPUs come with: a floor for CPU-only work plus, per
  pool, the vCPUs and memory of the nodes its nominal plus borrowable GPUs fill (`team_compute`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from components.config.model import GpuPool, Taint, Team
from components.names import KUEUE_CPU_FLAVOR, NVIDIA_GPU_RESOURCE
from components.platform_inputs import GpuPoolHandle

from .manifests import NAME_LABEL, Manifest

KUEUE_API = "kueue.x-k8s.io/v1beta1"
COHORT = "gpu-platform"
CPU_FLAVOR = KUEUE_CPU_FLAVOR         # CPU and memory, any node
LOCAL_QUEUE = "default"            # Kueue puts jobs without a queue-name label in a LocalQueue of this name
GPU_TAINT_KEY = NVIDIA_GPU_RESOURCE  # every GPU pool carries it (NoSchedule), whatever its value

# ProvisioningRequest admission checks (Kueue "Provisioning Admission Check Controller"): Kueue creates a
# ProvisioningRequest for an admitted-in-quota workload and admits it only once the class's controller
# reports the capacity Provisioned.
PROVISIONING_CONTROLLER = "kueue.x-k8s.io/provisioning-request"
# GKE flex-start / queued provisioning (Dynamic Workload Scheduler), GKE's own ProvisioningRequest class.
GKE_QUEUED_PROVISIONING = "queued-provisioning.gke.io"
# cluster-autoscaler's all-or-nothing class (FAQ, "Supported ProvisioningClasses", CA 1.30.2+). On AWS
# AtomicIncreaseSize is not implemented, so CA falls back to a normal increase of the one node group
# (core/scaleup/orchestrator/executor.go): Kueue still admits only once every node of the request is up.
BEST_EFFORT_ATOMIC = "best-effort-atomic-scale-up.autoscaling.x-k8s.io"
_CHECK_NAMES = {GKE_QUEUED_PROVISIONING: "queued-provisioning", BEST_EFFORT_ATOMIC: "atomic-scale-up"}


@dataclass(frozen=True)
class PriorityTier:
    name: str
    value: int
    preempts: bool
    description: str


# Pod PriorityClasses and Kueue WorkloadPriorityClasses share these names and values.
# training is 0, the priority of a pod that names no class, so unlabelled work is training.
PRIORITY_TIERS: tuple[PriorityTier, ...] = (
    PriorityTier("inference", 10000, True, "Serving: admitted first, may preempt training and batch."),
    PriorityTier("training", 0, True, "Training: the default tier (priority of pods that name no class)."),
    PriorityTier("batch", -10000, False, "Preemptible batch work: never preempts, is preempted first."),
)


# --- quota maths -----------------------------------------------------------------------------------

def pool_capacity(pool: GpuPoolHandle) -> int:
    """GPUs (or accelerator devices) the pool has at its maximum size."""
    return pool.max_nodes * pool.gpus_per_node


def nominal_by_pool(teams: Iterable[Team]) -> Counter[str]:
    total: Counter[str] = Counter()
    for team in teams:
        total.update(team.gpu_quota)
    return total


def overcommitted(teams: Sequence[Team], pools: Sequence[GpuPoolHandle]) -> dict[str, tuple[int, int]]:
    """Pools whose summed nominal quota exceeds their capacity: {pool: (nominal, capacity)}."""
    nominal = nominal_by_pool(teams)
    return {p.name: (nominal[p.name], pool_capacity(p)) for p in pools if nominal[p.name] > pool_capacity(p)}


def borrowing(team: Team) -> int:
    return team.borrowing_limit or 0


def team_pools(team: Team, pools: Sequence[GpuPoolHandle]) -> list[GpuPoolHandle]:
    """The pools a team runs in: those it has nominal quota in."""
    return [p for p in pools if team.gpu_quota.get(p.name, 0) > 0]


# Room for CPU-only work (data preparation, notebooks, controllers) on top of the GPU nodes' share:
# the fixed team defaults before quotas were derived from GPUs.
CPU_FLOOR = 64
MEMORY_FLOOR_GIB = 256


def team_compute(team: Team, pools: Sequence[GpuPoolHandle]) -> tuple[str, str]:
    """(cpu, memory) quantities of the team's quota: the config's, or derived from its GPUs.

    Derived: the floor plus, in every pool the team has quota in, the vCPUs and memory of the nodes
    that its nominal plus borrowable GPUs fill (whole nodes, at most the pool's size), from the
    catalog. A pool whose node size is unknown (a brought pool outside the catalog) adds nothing.
    """
    cpu, memory_gib = CPU_FLOOR, MEMORY_FLOOR_GIB
    for pool in team_pools(team, pools):
        if pool.node_cpu is None or pool.node_memory_gib is None:
            continue
        nodes = min(math.ceil((team.gpu_quota[pool.name] + borrowing(team)) / pool.gpus_per_node), pool.max_nodes)
        cpu += nodes * pool.node_cpu
        memory_gib += math.floor(nodes * pool.node_memory_gib)
    return (team.cpu or str(cpu), team.memory or f"{memory_gib}Gi")


def with_compute(team: Team, pools: Sequence[GpuPoolHandle]) -> Team:
    """The team with its effective CPU and memory quota filled in (what ResourceQuota and ClusterQueue use)."""
    cpu, memory = team_compute(team, pools)
    return team.model_copy(update={"cpu": cpu, "memory": memory})


def namespace_gpus(team: Team, pools: Sequence[GpuPoolHandle]) -> dict[str, int]:
    """The namespace ResourceQuota per accelerator resource: nominal quota plus what may be borrowed.

    Every resource the cluster's pools offer is listed, 0 where the team has nothing, so a team
    without quota cannot take accelerators outside Kueue either.
    """
    resources = sorted({p.resource_name for p in pools}) or [GPU_TAINT_KEY]
    caps = dict.fromkeys(resources, 0)
    for pool in team_pools(team, pools):
        caps[pool.resource_name] += team.gpu_quota[pool.name] + borrowing(team)
    return caps


# --- objects ---------------------------------------------------------------------------------------

def pool_tolerations(pool: GpuPool | None) -> list[dict[str, str]]:
    """The GPU taint (any value) and the pool's own extra taints."""
    tolerations = [{"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}]
    for taint in (pool.taints if pool else []):
        tolerations.append(taint_toleration(taint))
    return tolerations


def daemonset_tolerations(pools: Sequence[GpuPool | None]) -> list[dict[str, str]]:
    """What the GPU stack's DaemonSets tolerate: the GPU taint and every pool's own taints, once each."""
    tolerations = pool_tolerations(None)
    for pool in pools:
        tolerations += [t for t in pool_tolerations(pool) if t not in tolerations]
    return tolerations


def taint_toleration(taint: Taint) -> dict[str, str]:
    if taint.value:
        return {"key": taint.key, "operator": "Equal", "value": taint.value, "effect": taint.effect}
    return {"key": taint.key, "operator": "Exists", "effect": taint.effect}


def resource_flavor(pool: GpuPoolHandle, labels: Mapping[str, str], tolerations: list[dict[str, str]]) -> Manifest:
    return {"apiVersion": KUEUE_API, "kind": "ResourceFlavor", "metadata": {"name": pool.name, "labels": dict(labels)},
            "spec": {"nodeLabels": dict(pool.node_labels), "tolerations": tolerations}}


def cpu_flavor(labels: Mapping[str, str]) -> Manifest:
    return {"apiVersion": KUEUE_API, "kind": "ResourceFlavor",
            "metadata": {"name": CPU_FLAVOR, "labels": dict(labels)}, "spec": {}}


def cluster_queue(team: Team, namespace: str, pools: Sequence[GpuPoolHandle],
                  labels: Mapping[str, str]) -> Manifest:
    team = with_compute(team, pools)
    groups: list[dict[str, Any]] = [{
        "coveredResources": ["cpu", "memory"],
        "flavors": [{"name": CPU_FLAVOR, "resources": [
            {"name": "cpu", "nominalQuota": team.cpu, "borrowingLimit": 0},
            {"name": "memory", "nominalQuota": team.memory, "borrowingLimit": 0},
        ]}],
    }]
    usable = team_pools(team, pools)
    if usable:
        # Kueue requires every flavor of a group to list every covered resource, in the same order.
        covered = sorted({p.resource_name for p in usable})
        flavors = []
        for pool in usable:
            flavors.append({"name": pool.name, "resources": [
                {"name": resource,
                 "nominalQuota": team.gpu_quota[pool.name] if resource == pool.resource_name else 0,
                 "borrowingLimit": borrowing(team) if resource == pool.resource_name else 0}
                for resource in covered
            ]})
        groups.append({"coveredResources": covered, "flavors": flavors})
    strategy = admission_checks_strategy(usable)
    return {
        "apiVersion": KUEUE_API, "kind": "ClusterQueue", "metadata": {"name": team.name, "labels": dict(labels)},
        "spec": {
            "cohort": COHORT,
            # Only the team's own namespace may submit to its queue.
            "namespaceSelector": {"matchLabels": {NAME_LABEL: namespace}},
            "queueingStrategy": "BestEffortFIFO",
            "preemption": {
                "reclaimWithinCohort": "Any",             # take back lent nominal quota
                "borrowWithinCohort": {"policy": "Never"},
                "withinClusterQueue": "LowerPriority",    # inference preempts the team's own batch
            },
            "resourceGroups": groups,
            **({"admissionChecksStrategy": strategy} if strategy else {}),
        },
    }


def admission_check_name(provisioning_class: str) -> str:
    return _CHECK_NAMES[provisioning_class]


def provisioning_classes(pools: Sequence[GpuPoolHandle]) -> list[str]:
    return sorted({p.provisioning_class for p in pools if p.provisioning_class})


def provisioning_request_config(provisioning_class: str, managed_resources: Sequence[str],
                                labels: Mapping[str, str]) -> Manifest:
    """Only pod sets requesting `managed_resources` (the accelerators) get a ProvisioningRequest."""
    return {"apiVersion": KUEUE_API, "kind": "ProvisioningRequestConfig",
            "metadata": {"name": admission_check_name(provisioning_class), "labels": dict(labels)},
            "spec": {"provisioningClassName": provisioning_class, "managedResources": sorted(managed_resources)}}


def admission_check(provisioning_class: str, labels: Mapping[str, str]) -> Manifest:
    name = admission_check_name(provisioning_class)
    return {"apiVersion": KUEUE_API, "kind": "AdmissionCheck", "metadata": {"name": name, "labels": dict(labels)},
            "spec": {"controllerName": PROVISIONING_CONTROLLER,
                     "parameters": {"apiGroup": "kueue.x-k8s.io", "kind": "ProvisioningRequestConfig",
                                    "name": name}}}


def admission_checks_strategy(usable: Sequence[GpuPoolHandle]) -> dict[str, Any] | None:
    """The checks of the team's queue: each provisioning class on the flavors of the pools that use it."""
    checks = [{"name": admission_check_name(cls),
               "onFlavors": [p.name for p in usable if p.provisioning_class == cls]}
              for cls in provisioning_classes(usable)]
    return {"admissionChecks": checks} if checks else None


def local_queue(namespace: str, cluster_queue_name: str, labels: Mapping[str, str]) -> Manifest:
    return {"apiVersion": KUEUE_API, "kind": "LocalQueue",
            "metadata": {"name": LOCAL_QUEUE, "namespace": namespace, "labels": dict(labels)},
            "spec": {"clusterQueue": cluster_queue_name}}


def workload_priority_class(tier: PriorityTier, labels: Mapping[str, str]) -> Manifest:
    # Kueue's WorkloadPriorityClass keeps value and description at the top level, not in a spec.
    return {"apiVersion": KUEUE_API, "kind": "WorkloadPriorityClass",
            "metadata": {"name": tier.name, "labels": dict(labels)},
            "value": tier.value, "description": tier.description}
