"""Who pays for what: the teams' shares of the shared GPU pools, and the budgets that follow from them.

Pure functions of the typed config and the catalog (no Pulumi). One rule, used by both places that split
money between teams:
  - a team's share of a GPU pool is its nominal GPU quota in the pool over the sum of all teams' nominal
    quotas there (Kueue ClusterQueue `nominalQuota`; borrowing is not a share - it is lent capacity);
  - a pool no team has quota in is nobody's: its cost stays with the environment.
`lz cost --by team` splits a shared pool's charge with the same rule, read back from the ClusterQueues a
plan records (lz/cost/report.py); the budgets use it here, from the config.

Team budgets: `teams[].monthlyBudgetUsd` when set; otherwise the team's share of `budget.maxMonthlyUsd`,
weighted by what the pools cost at max scale (catalog on-demand price x maxNodes): a team holding half of a
p5 pool gets more budget than one holding half of an L4 pool. When a pool's price is unknown the weights
fall back to GPUs at max scale, for every pool (a known and an unknown price cannot be mixed).
"""

from __future__ import annotations

from collections.abc import Mapping

from components.config.model import Cloud, GpuPool, LandingZoneConfig


def pool_quota_shares(quotas: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, float]]:
    """{pool: {team: share}} from {team: {pool: nominal GPUs}}; teams with 0 GPUs in a pool have no share."""
    totals: dict[str, int] = {}
    for per_pool in quotas.values():
        for pool, gpus in per_pool.items():
            totals[pool] = totals.get(pool, 0) + gpus
    shares: dict[str, dict[str, float]] = {}
    for team, per_pool in quotas.items():
        for pool, gpus in per_pool.items():
            if gpus > 0 and totals[pool] > 0:
                shares.setdefault(pool, {})[team] = gpus / totals[pool]
    return shares


def _pool_weight(cloud: Cloud, pool: GpuPool) -> tuple[float | None, int | None]:
    """(on-demand USD/h at maxNodes, GPUs at maxNodes) of a pool; None where the catalog cannot say."""
    from components.catalog import UnknownTypeError, aws_instance_type, gcp_machine_type

    lookups = {Cloud.aws: (aws_instance_type,), Cloud.gcp: (gcp_machine_type,),
               Cloud.byo: (aws_instance_type, gcp_machine_type)}[cloud]
    for lookup in lookups:
        try:
            entry = lookup(pool.instance_type)
        except UnknownTypeError:
            continue
        price = entry.on_demand_usd_per_hour
        return (None if price is None else price * pool.max_nodes), entry.accelerator.count * pool.max_nodes
    gpus = pool.gpus_per_node * pool.max_nodes if pool.gpus_per_node else None
    return None, gpus


def pool_weights(cfg: LandingZoneConfig) -> dict[str, float]:
    """Relative cost weight of each pool: USD/h at max scale, or GPUs at max scale if any price is unknown."""
    raw = {p.name: _pool_weight(cfg.cloud, p) for p in cfg.gpu_pools}
    if raw and all(usd is not None for usd, _ in raw.values()):
        return {name: float(usd) for name, (usd, _) in raw.items()}  # type: ignore[arg-type]
    return {name: float(gpus or 0) for name, (_, gpus) in raw.items()}


def team_budget_shares(cfg: LandingZoneConfig) -> dict[str, float]:
    """Each team's share (0..1) of the environment's GPU cost, by quota share of each pool and pool weight."""
    weights = pool_weights(cfg)
    total = sum(weights.values())
    shares = pool_quota_shares({t.name: t.gpu_quota for t in cfg.teams})
    out = {t.name: 0.0 for t in cfg.teams}
    if total <= 0:
        return out
    for pool, per_team in shares.items():
        for team, share in per_team.items():
            out[team] += share * weights.get(pool, 0.0) / total
    return out


def team_budgets(cfg: LandingZoneConfig) -> dict[str, float]:
    """USD per month for each team's budget: its own `monthlyBudgetUsd`, else its share of
    `budget.maxMonthlyUsd`. A team with neither gets none (config checks ask for one when budgets are on)."""
    limit = cfg.budget.max_monthly_usd
    shares = team_budget_shares(cfg)
    out: dict[str, float] = {}
    for team in cfg.teams:
        if team.monthly_budget_usd is not None:
            out[team.name] = team.monthly_budget_usd
        elif limit is not None and shares[team.name] > 0:
            out[team.name] = round(limit * shares[team.name], 2)
    return out


def budgets_on(cfg: LandingZoneConfig) -> bool:
    """Cloud budgets are built when the environment has a budget or a team states one."""
    return cfg.budget.max_monthly_usd is not None or any(t.monthly_budget_usd is not None for t in cfg.teams)


__all__ = ["budgets_on", "pool_quota_shares", "pool_weights", "team_budget_shares", "team_budgets"]
