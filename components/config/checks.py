"""Checks that need more than one key, the hardware catalog, or the cloud, to decide.

`semantic_problems` is the one validation pipeline after the schema: every named check below, then the
cloud's own checks (`CLOUD_CHECKS`), all before anything is registered, under `lz validate`, `lz plan`
and a real `pulumi up` alike. Each check reports one problem per mistake, with the full key path.
What a cloud supports is a table (`support.SUPPORT`); `supported_values` is the only check that reads it,
so a value is never rejected twice.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from components.names import KUEUE_CPU_FLAVOR, RESERVED_NAMESPACES

from .model import CapacityType, Cloud, GpuPool, LandingZoneConfig
from .support import SUPPORT

if TYPE_CHECKING:
    from . import ConfigProblem

Check = Callable[[LandingZoneConfig], "Iterator[ConfigProblem]"]


def _problem(path: str, message: str) -> ConfigProblem:
    from . import ConfigProblem

    return ConfigProblem(path, message)


def pool_gpus_per_node(cloud: Cloud, instance_type: str) -> int:
    from components.catalog import UnknownTypeError, aws_instance_type, gcp_machine_type

    if cloud is Cloud.gcp:
        return gcp_machine_type(instance_type).accelerator.count
    if cloud is Cloud.byo:  # a brought node may be either cloud's type
        try:
            return aws_instance_type(instance_type).accelerator.count
        except UnknownTypeError:
            return gcp_machine_type(instance_type).accelerator.count
    return aws_instance_type(instance_type).accelerator.count


def _lookup_problem(cloud: Cloud, instance_type: str) -> str | None:
    from components.catalog import UnknownTypeError, aws_instance_type, gcp_machine_type

    lookups = {Cloud.aws: [aws_instance_type], Cloud.gcp: [gcp_machine_type],
               Cloud.byo: [aws_instance_type, gcp_machine_type]}[cloud]
    errors = []
    for lookup in lookups:
        try:
            lookup(instance_type)
            return None
        except UnknownTypeError as exc:
            errors.append(str(exc))
    return "; ".join(errors)


def _catalogued(cfg: LandingZoneConfig) -> dict[str, int]:
    """GPUs at maxNodes of each pool whose hardware is known (catalog, or gpusPerNode on byo)."""
    out = {}
    for pool in cfg.gpu_pools:
        if pool.gpus_per_node is not None and cfg.cloud is Cloud.byo:
            out[pool.name] = pool.max_nodes * pool.gpus_per_node
        elif _lookup_problem(cfg.cloud, pool.instance_type) is None:
            out[pool.name] = pool.max_nodes * pool_gpus_per_node(cfg.cloud, pool.instance_type)
    return out


def _allowed(values: tuple[str, ...], cloud: Cloud) -> str:
    return ", ".join(values) if values else f"none on {cloud.value}"


def _neuron(cloud: Cloud, pool: GpuPool) -> bool:
    """A pool of AWS's own accelerators (Trainium / Inferentia), by the catalog."""
    from components.catalog import UnknownTypeError, aws_instance_type

    if cloud is not Cloud.aws:
        return False
    try:
        return aws_instance_type(pool.instance_type).accelerator.vendor == "aws"
    except UnknownTypeError:
        return False  # pool_hardware reports the unknown type


# --- the named checks -------------------------------------------------------------------------------

def required_cloud_keys(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    if cfg.cloud is Cloud.gcp:
        if not cfg.region:
            yield _problem("region", "required when cloud is gcp (e.g. us-central1)")
        if not cfg.gcp_project:
            yield _problem("gcpProject", "required when cloud is gcp")
    if cfg.cloud is Cloud.byo and not cfg.kubernetes.kubeconfig_secret:
        yield _problem("kubernetes.kubeconfigSecret",
                       "required when cloud is byo: the config key of the kubeconfig, set with "
                       "`pulumi config set --secret`")


def supported_values(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """Values that exist in the schema but not on this cloud (the `support.SUPPORT` table)."""
    support = SUPPORT[cfg.cloud]
    cloud = cfg.cloud.value
    kind = cfg.storage.file.kind
    if kind not in support.file_kinds:
        yield _problem("storage.file.kind", f"must be one of {_allowed(support.file_kinds, cfg.cloud)} when cloud "
                                            f"is {cloud} (got {kind!r})")
    tier = cfg.storage.file.throughput_mbps_per_tib
    if tier is not None and kind == support.lustre_kind and tier not in support.lustre_tiers:
        yield _problem("storage.file.throughputMbpsPerTib",
                       f"must be one of {', '.join(map(str, support.lustre_tiers))} MB/s per TiB for {kind} "
                       f"(got {tier})")
    block_class = cfg.storage.block.default_class
    if block_class and block_class not in support.block_classes:
        allowed = _allowed(support.block_classes, cfg.cloud)
        if cfg.cloud is Cloud.byo:
            allowed = "none (a brought cluster keeps its own classes; list them in kubernetes.storageClasses)"
        yield _problem("storage.block.defaultClass",
                       f"must be one of {allowed} when cloud is {cloud} (got {block_class!r})")
    for i, pool in enumerate(cfg.gpu_pools):
        if pool.image is not None and pool.image not in support.images:
            yield _problem(f"gpuPools[{i}].image", f"must be one of {_allowed(support.images, cfg.cloud)} when "
                                                   f"cloud is {cloud} (got {pool.image!r})")
        elif pool.image is not None and pool.image not in support.neuron_images and _neuron(cfg.cloud, pool):
            yield _problem(f"gpuPools[{i}].image",
                           f"{pool.instance_type} (Trainium / Inferentia) runs the AL2023 Neuron AMI: must be one of "
                           f"{_allowed(support.neuron_images, cfg.cloud)} or unset (got {pool.image!r})")
        if pool.capacity.type not in support.capacity_types:
            allowed = ", ".join(t.value for t in support.capacity_types)
            yield _problem(f"gpuPools[{i}].capacity.type", f"must be one of {allowed} when cloud is {cloud} "
                                                           f"(got {pool.capacity.type.value!r})")


def pool_names(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    names = Counter(p.name for p in cfg.gpu_pools)
    for i, pool in enumerate(cfg.gpu_pools):
        if names[pool.name] > 1:
            yield _problem(f"gpuPools[{i}].name", f"duplicate pool name {pool.name!r}; names must be unique")
        if pool.name == KUEUE_CPU_FLAVOR:
            yield _problem(f"gpuPools[{i}].name",
                           f"{pool.name!r} is the name of the platform's CPU/memory flavor; rename the pool")


def pool_hardware(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    for i, pool in enumerate(cfg.gpu_pools):
        where = f"gpuPools[{i}]"
        if pool.gpus_per_node is not None and cfg.cloud is not Cloud.byo:
            yield _problem(f"{where}.gpusPerNode", f"only for cloud byo; on {cfg.cloud.value} the catalog gives "
                                                   f"the GPUs of {pool.instance_type}")
        # A brought pool may be hardware no catalog lists: then gpusPerNode says what it holds.
        if cfg.cloud is Cloud.byo and pool.gpus_per_node is not None:
            continue
        problem = _lookup_problem(cfg.cloud, pool.instance_type)
        if problem:
            if cfg.cloud is Cloud.byo:
                problem += "; or set gpusPerNode for hardware outside the catalog"
            yield _problem(f"{where}.instanceType", problem)


def pool_zones(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    zones = cfg.network.zones
    for i, pool in enumerate(cfg.gpu_pools):
        where = f"gpuPools[{i}]"
        for key, zone in (("zone", pool.zone), ("capacity.zone", pool.capacity.zone)):
            if zone and zones and zone not in zones:
                yield _problem(f"{where}.{key}", f"zone {zone!r} is not one of network.zones ({', '.join(zones)})")
        if pool.zone and pool.capacity.zone and pool.zone != pool.capacity.zone:
            yield _problem(f"{where}.zone",
                           f"must equal capacity.zone {pool.capacity.zone!r}: the reservation decides the zone")


def reserved_capacity(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """Reservations pin a pool: they decide the zone and the placement."""
    reserved = (CapacityType.reservation, CapacityType.capacity_block)
    if cfg.cloud is not Cloud.aws:
        return
    for i, pool in enumerate(cfg.gpu_pools):
        kind = pool.capacity.type
        if kind in reserved and not pool.capacity.zone:
            yield _problem(f"gpuPools[{i}].capacity.zone",
                           f"required with capacity type {kind.value} on AWS: the zone the reservation is in "
                           "(the pool is pinned there)")
        if kind in reserved and pool.placement == "compact":
            yield _problem(f"gpuPools[{i}].placement",
                           f"compact conflicts with capacity type {kind.value}: the reservation decides placement, "
                           "and a placement group it was not made in makes launches fail; omit placement")


def gpu_cap(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    capacity = _catalogued(cfg)
    if cfg.max_gpus is not None and capacity:
        total = sum(capacity.values())
        if total > cfg.max_gpus:
            yield _problem("maxGpus", f"pools can scale to {total} GPUs, more than maxGpus {cfg.max_gpus}; lower "
                                      "maxNodes or raise maxGpus")


def brought_pool_selectors(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """Kueue tells brought pools apart only by node labels; equal selectors would mix their quotas."""
    if cfg.cloud is not Cloud.byo:
        return
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for i, pool in enumerate(cfg.gpu_pools):
        selector = tuple(sorted({**cfg.kubernetes.gpu_node_selector, **pool.labels}.items()))
        if selector in seen:
            yield _problem(f"gpuPools[{i}].labels",
                           f"pool {pool.name!r} selects the same nodes as pool {seen[selector]!r}; give each "
                           "brought pool a node label that only its nodes carry")
        seen.setdefault(selector, pool.name)


def cloud_only_keys(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    if cfg.kubernetes.gcs_fuse_buckets and cfg.cloud is not Cloud.gcp:
        yield _problem("kubernetes.gcsFuseBuckets", f"only for cloud gcp (got cloud {cfg.cloud.value})")
    if cfg.cloud is not Cloud.aws and cfg.logging.audit_replica_region:
        yield _problem("logging.auditReplicaRegion", f"aws only (S3 Cross-Region Replication of CloudTrail's "
                                                     f"bucket); on {cfg.cloud.value} leave it unset (got "
                                                     f"{cfg.logging.audit_replica_region})")
    if cfg.cloud is not Cloud.aws:
        for i, team in enumerate(cfg.teams):
            if team.people:
                yield _problem(f"teams[{i}].people", "is AWS only (IAM principals of the team's human role); on GCP "
                                                     "and brought clusters people get the namespace through `group`")
    if cfg.cloud is Cloud.byo and cfg.naming.scheme.value != "stack":
        yield _problem("naming.scheme", f"aws and gcp only: a brought cluster names nothing itself; leave it unset "
                                        f"(got {cfg.naming.scheme.value!r})")
    if cfg.cloud is not Cloud.gcp and cfg.kubernetes.gke_security_group:
        yield _problem("kubernetes.gkeSecurityGroup", "is GCP only (Google Groups for RBAC on GKE)")
    if cfg.cloud is not Cloud.aws and cfg.kubernetes.admin_principals:
        yield _problem("kubernetes.adminPrincipals", f"aws only (EKS access entries); on {cfg.cloud.value} grant the "
                                                     "deploy identity cluster access in the cloud's own IAM (got "
                                                     f"{', '.join(cfg.kubernetes.admin_principals)})")


def teams(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    names = Counter(t.name for t in cfg.teams)
    pools = {p.name for p in cfg.gpu_pools}
    for i, team in enumerate(cfg.teams):
        if names[team.name] > 1:
            yield _problem(f"teams[{i}].name", f"duplicate team name {team.name!r}; names must be unique")
        if team.name in RESERVED_NAMESPACES or team.name.startswith("kube-"):
            yield _problem(f"teams[{i}].name", f"{team.name!r} is the team's namespace name and is reserved "
                                               f"({', '.join(RESERVED_NAMESPACES)} and kube-*); choose another name")
        for pool_name in team.gpu_quota:
            if pool_name not in pools:
                known = ", ".join(sorted(pools)) or "none defined"
                yield _problem(f"teams[{i}].gpuQuota.{pool_name}", f"unknown pool {pool_name!r}; pools: {known}")


def quota_within_capacity(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    if cfg.kubernetes.allow_quota_overcommit:
        return
    capacity = _catalogued(cfg)
    nominal: Counter[str] = Counter()
    for team in cfg.teams:
        for pool_name, gpus in team.gpu_quota.items():
            nominal[pool_name] += gpus
    for pool_name, total in nominal.items():
        if pool_name in capacity and total > capacity[pool_name]:
            yield _problem("teams", f"nominal GPU quota for pool {pool_name!r} is {total}, more than its "
                                    f"{capacity[pool_name]} GPUs at maxNodes; lower the quotas (borrowing between "
                                    "teams is set with borrowingLimit), or set kubernetes.allowQuotaOvercommit: "
                                    "true if overcommitting is intended")


def reservation_size(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """A pool that targets a reservation launches only into it: it cannot scale past what it holds."""
    for i, pool in enumerate(cfg.gpu_pools):
        held = pool.capacity.reserved_nodes
        if held is not None and pool.max_nodes > held:
            yield _problem(f"gpuPools[{i}].maxNodes",
                           f"{pool.max_nodes} is more than capacity.reservedNodes {held}: a pool on a "
                           f"{pool.capacity.type.value} launches only into it; lower maxNodes or state the "
                           "reservation's real size")


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def budgets(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """Budgets as resources: where they live, who hears of them, and that each team gets an amount."""
    from components.finops import budgets_on, team_budgets

    for i, email in enumerate(cfg.notifications.emails):
        if not _EMAIL.match(email):
            yield _problem(f"notifications.emails[{i}]", f"must be an email address such as "
                                                         f"platform-oncall@example.com (got {email!r})")
    if len(set(cfg.notifications.emails)) != len(cfg.notifications.emails):
        yield _problem("notifications.emails", "lists an address twice")
    if cfg.budget.billing_account and cfg.cloud is not Cloud.gcp:
        yield _problem("budget.billingAccount", f"gcp only (the Cloud Billing account GCP budgets live on); on "
                                                f"{cfg.cloud.value} leave it unset (got {cfg.budget.billing_account})")
    if not budgets_on(cfg):
        return
    if cfg.cloud is Cloud.gcp and not cfg.budget.billing_account:
        yield _problem("budget.billingAccount", "required on gcp when budget.maxMonthlyUsd or a team's "
                                                "monthlyBudgetUsd is set: the billing account (XXXXXX-XXXXXX-XXXXXX) "
                                                "the budgets are created on")
    if cfg.cloud is Cloud.byo:
        return  # a brought cluster has no cloud budget; maxMonthlyUsd still caps the plan's cost
    amounts = team_budgets(cfg)
    for i, team in enumerate(cfg.teams):
        if team.name not in amounts:
            yield _problem(f"teams[{i}].monthlyBudgetUsd",
                           f"required for team {team.name!r}: it has no GPU quota, so it has no share of "
                           "budget.maxMonthlyUsd to derive a budget from (or budget.maxMonthlyUsd is unset)")
    limit = cfg.budget.max_monthly_usd
    stated = sum(t.monthly_budget_usd or 0 for t in cfg.teams)
    if limit is not None and stated > limit:
        yield _problem("teams", f"the teams' monthlyBudgetUsd add up to {stated:g} USD, more than "
                                f"budget.maxMonthlyUsd {limit:g}; lower them or raise the environment's budget")


CHECKS: tuple[Check, ...] = (
    required_cloud_keys, supported_values, pool_names, pool_hardware, pool_zones, reserved_capacity, gpu_cap,
    brought_pool_selectors, cloud_only_keys, teams, quota_within_capacity, reservation_size, budgets,
)

# The cloud's own rules (network layouts, lifecycle rules, GKE label prefixes...) live beside the cloud's
# components, as pure functions of the typed config; the pipeline runs them here, before registration.
CLOUD_CHECKS: dict[Cloud, str] = {
    Cloud.aws: "components.aws.config_checks:aws_problems",
    Cloud.gcp: "components.gcp.config_checks:gcp_problems",
}


# A cloud check takes the typed config and the stack's provider keys (`aws:region`, `gcp:project`: the keys
# of other namespaces, fully qualified), which the project's model does not hold.
CloudCheck = Callable[[LandingZoneConfig, Mapping[str, Any]], "list[ConfigProblem]"]


def cloud_checks(cloud: Cloud) -> CloudCheck | None:
    target = CLOUD_CHECKS.get(cloud)
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def semantic_problems(cfg: LandingZoneConfig, provider: Mapping[str, Any] | None = None) -> list[ConfigProblem]:
    problems = [problem for check in CHECKS for problem in check(cfg)]
    cloud = cloud_checks(cfg.cloud)
    if cloud is not None:
        problems += cloud(cfg, provider or {})
    return problems
