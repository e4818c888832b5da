"""Checks that need more than one key, or the hardware catalog, to decide."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from .model import Cloud, LandingZoneConfig

if TYPE_CHECKING:
    from . import ConfigProblem


def pool_gpus_per_node(cloud: Cloud, instance_type: str) -> int:
    from components.catalog import aws_instance_type, gcp_machine_type

    if cloud is Cloud.gcp:
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


def semantic_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    from . import ConfigProblem

    problems: list[ConfigProblem] = []

    if cfg.cloud is Cloud.gcp:
        if not cfg.region:
            problems.append(ConfigProblem("region", "required when cloud is gcp (e.g. us-central1)"))
        if not cfg.gcp_project:
            problems.append(ConfigProblem("gcpProject", "required when cloud is gcp"))
    if cfg.cloud is Cloud.byo:
        if not cfg.kubernetes.kubeconfig_secret:
            problems.append(ConfigProblem(
                "kubernetes.kubeconfigSecret",
                "required when cloud is byo: the config key of the kubeconfig, set with `pulumi config set --secret`",
            ))
        if cfg.storage.file.kind not in ("none",):
            problems.append(ConfigProblem("storage.file.kind", "must be none when cloud is byo (bring your own file tier)"))

    names = Counter(p.name for p in cfg.gpu_pools)
    capacity: dict[str, int] = {}
    for i, pool in enumerate(cfg.gpu_pools):
        where = f"gpuPools[{i}]"
        if names[pool.name] > 1:
            problems.append(ConfigProblem(f"{where}.name", f"duplicate pool name {pool.name!r}; names must be unique"))
        problem = _lookup_problem(cfg.cloud, pool.instance_type)
        if problem:
            problems.append(ConfigProblem(f"{where}.instanceType", problem))
            continue
        if cfg.cloud is not Cloud.byo:
            capacity[pool.name] = pool.max_nodes * pool_gpus_per_node(cfg.cloud, pool.instance_type)
        zones = cfg.network.zones
        for key, zone in (("zone", pool.zone), ("capacity.zone", pool.capacity.zone)):
            if zone and zones and zone not in zones:
                problems.append(ConfigProblem(
                    f"{where}.{key}", f"zone {zone!r} is not one of network.zones ({', '.join(zones)})"))
        if pool.zone and pool.capacity.zone and pool.zone != pool.capacity.zone:
            problems.append(ConfigProblem(
                f"{where}.zone", f"must equal capacity.zone {pool.capacity.zone!r}: the reservation decides the zone"))

    if cfg.max_gpus is not None and capacity:
        total = sum(capacity.values())
        if total > cfg.max_gpus:
            problems.append(ConfigProblem(
                "maxGpus", f"pools can scale to {total} GPUs, more than maxGpus {cfg.max_gpus}; lower maxNodes or raise maxGpus"))

    team_names = Counter(t.name for t in cfg.teams)
    nominal: Counter[str] = Counter()
    for i, team in enumerate(cfg.teams):
        if team_names[team.name] > 1:
            problems.append(ConfigProblem(f"teams[{i}].name", f"duplicate team name {team.name!r}; names must be unique"))
        for pool_name, gpus in team.gpu_quota.items():
            if pool_name not in names:
                known = ", ".join(sorted(names)) or "none defined"
                problems.append(ConfigProblem(
                    f"teams[{i}].gpuQuota.{pool_name}", f"unknown pool {pool_name!r}; pools: {known}"))
            else:
                nominal[pool_name] += gpus
    for pool_name, total in nominal.items():
        if pool_name in capacity and total > capacity[pool_name]:
            problems.append(ConfigProblem(
                "teams",
                f"nominal GPU quota for pool {pool_name!r} is {total}, more than its {capacity[pool_name]} GPUs at "
                "maxNodes; lower the quotas (borrowing between teams is set with borrowingLimit, not by overcommitting)",
            ))
    return problems
