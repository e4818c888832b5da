"""FinOps for a recorded plan: price every resource from its inputs, compare with a base plan, check
the file tier against the training pools.

For `lz plan`:
    summarize(plan)    -> {"currency", "hourly": {min, max}, "monthly": {min, max}, "unknown", "budget"}
    advisories(plan)   -> ["file-tier-starves-gpus: ...", ...]   (storage advisor findings, one line each)
For `lz cost`: lz/cost_cmd.py.
"""

from __future__ import annotations

from typing import Any

from components.catalog.pricing import round_usd
from components.config.settings import settings_from

from .delta import CostDelta, ItemChange, diff
from .report import (
    CostItem,
    CostReport,
    PlanFileError,
    Row,
    load_plan_json,
    price_plan,
    price_rows,
    rows_from_plan,
    rows_from_plan_json,
)


def budget_usd(plan: Any) -> float | None:
    """`ai-landing-zone:budget.maxMonthlyUsd` of the planned stack, if set (read through the typed model)."""
    settings = settings_from(plan.config.values)
    return settings.budget.max_monthly_usd if settings is not None else None


def summarize(plan: Any, report: CostReport | None = None) -> dict[str, Any]:
    """The `cost` block of `lz plan`: totals at idle and max scale, unpriced count and the budget check."""
    totals = (report or price_plan(plan)).totals
    out: dict[str, Any] = {"currency": "USD", **totals.as_json()}
    limit = budget_usd(plan)
    if limit is not None:
        out["budget"] = {"maxMonthlyUsd": limit, "withinBudget": totals.monthly_max <= limit}
    return out


def storage_summary(plan: Any) -> dict[str, Any] | None:
    """Training read demand (from the config) against the file tier recorded in the plan (its inputs),
    with the advisor's findings. None when the stack config does not validate."""
    from components.storage_advisor import advise, judge, supply_mbps

    config = settings_from(plan.config.values)
    if config is None:
        return None
    advice = advise(config)
    recorded = [s for r in rows_from_plan(plan) if (s := supply_mbps(r.type, r.inputs)) is not None]
    advisories = list(advice.advisories)
    supply = advice.supply_mbps
    if recorded:
        # What the plan builds wins over what the config implies.
        supply = sum(recorded)
        advisories = [a for a in advisories if a.code == "file-tier-sized"]
        advisories += judge(advice.demand, supply, f"the recorded {advice.kind} file tier", advice.kind)
    return {"kind": advice.kind, "demandMbps": advice.demand.mbps, "supplyMbps": supply,
            "pools": [{"pool": p.pool, "gpus": p.gpus, "mbpsPerGpu": p.mbps_per_gpu, "rateSource": p.rate_source,
                       "mbps": p.mbps} for p in advice.demand.pools],
            "choice": None if advice.choice is None else {
                "capacityGib": advice.choice.capacity_gib, "throughputPerTib": advice.choice.throughput_per_tib,
                "monthlyUsd": round_usd(advice.choice.monthly_usd), "rankedByCost": advice.choice.ranked_by_cost,
                "priced": [{"capacityGib": c.capacity_gib, "throughputPerTib": c.throughput_per_tib,
                            "monthlyUsd": round_usd(c.monthly_usd)} for c in advice.choice.priced]},
            "advisories": [a.as_json() for a in advisories]}


def advisories(plan: Any) -> list[str]:
    """Storage advisor findings for `lz plan` to print, one line each (`code: message`)."""
    summary = storage_summary(plan)
    return [f"{a['code']}: {a['message']}" for a in (summary or {}).get("advisories", [])]


__all__ = [
    "CostDelta", "CostItem", "CostReport", "ItemChange", "PlanFileError", "Row", "advisories", "budget_usd", "diff",
    "load_plan_json", "price_plan", "price_rows", "rows_from_plan", "rows_from_plan_json", "storage_summary",
    "summarize",
]
