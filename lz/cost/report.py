"""Price a recorded plan: every registration (type + wire inputs + parent chain) through
`components.catalog.pricing`, attributed to its component, team and GPU pool."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from components.catalog import default_catalog, default_price_book
from components.catalog.pricing import (
    HOURS_PER_MONTH,
    Charge,
    PricingContext,
    attribution,
    price_resource,
    round_usd,
)
from components.finops import pool_quota_shares
from components.names import PROJECT

from ..engine.monitor import STACK_TYPE, unwrap_secrets

CURRENCY = "USD"
UNTAGGED = "(untagged)"
NO_COMPONENT = "(stack)"


@dataclass(frozen=True)
class Row:
    """One resource as a plan records it; from a live `Plan` or from the steps of a saved plan JSON."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    id: str
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class SavedConfig:
    values: Mapping[str, Any]


@dataclass(frozen=True)
class SavedPlan:
    """A plan saved by `lz plan STACK --json FILE` (or `--json-dir`), priced without planning again."""

    stack: str
    config: SavedConfig
    rows: tuple[Row, ...]


def load_saved_plan(path: str, stack: str) -> SavedPlan:
    """The saved plan of `stack` in `path`: its rows and the config it was planned with. A plan of another
    stack, or one whose landing-zone settings were masked as secrets, is refused (PlanFileError)."""
    doc = _read_plan_file(path)
    rows = rows_from_plan_json(doc, path)
    saved_stack = (doc.get("lz") or {}).get("stack")
    if saved_stack != stack:
        raise PlanFileError(f"--plan {path}: a plan of stack {saved_stack!r}, not {stack!r}")
    config = doc.get("config")
    if not isinstance(config, dict):
        raise PlanFileError(f"--plan {path}: no 'config' object (write it with `lz plan {stack} --json FILE`)")
    masked = sorted(k for k, v in config.items() if v == "[secret]" and k.startswith(f"{PROJECT}:"))
    if masked:
        raise PlanFileError(f"--plan {path}: {', '.join(masked)} is saved as [secret], and the budget and "
                            f"file-tier checks need it: run `lz cost {stack}` without --plan")
    return SavedPlan(stack=stack, config=SavedConfig(values=config), rows=tuple(rows))


def rows_from_plan(plan: Any) -> list[Row]:
    if isinstance(plan, SavedPlan):
        return list(plan.rows)
    return [Row(urn=r.urn, type=r.type, name=r.name, custom=r.custom, parent=r.parent, id=r.id or "",
                inputs=unwrap_secrets(r.wire_inputs)) for r in plan.records]


class PlanFileError(ValueError):
    pass


def rows_from_plan_json(doc: Any, source: str = "plan file") -> list[Row]:
    """Rows from `lz plan STACK --json FILE` output (or `pulumi preview --json`): steps[].newState."""
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list):
        raise PlanFileError(f"{source}: not a plan JSON (expected an object with a 'steps' list, as written "
                            "by `lz plan STACK --json FILE`)")
    rows = []
    for i, step in enumerate(doc["steps"]):
        state = step.get("newState") if isinstance(step, dict) else None
        if not isinstance(state, dict):
            if isinstance(step, dict) and step.get("op") in ("delete", "discard", "read-discard"):
                continue
            raise PlanFileError(f"{source}: steps[{i}] has no newState")
        urn = str(state.get("urn") or step.get("urn") or "")
        if not urn:
            raise PlanFileError(f"{source}: steps[{i}].newState has no urn")
        rows.append(Row(urn=urn, type=str(state.get("type") or step.get("type") or ""), name=urn.rsplit("::", 1)[-1],
                        custom=bool(state.get("custom", True)), parent=str(state.get("parent") or ""),
                        id=str(state.get("id") or ""), inputs=state.get("inputs") or {}))
    return rows


def _read_plan_file(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise PlanFileError(f"cannot read plan file {path}: {exc}") from None


def load_plan_json(path: str) -> tuple[str, list[Row]]:
    """(stack, rows) of a saved plan file."""
    doc = _read_plan_file(path)
    stack = (doc.get("lz") or {}).get("stack") if isinstance(doc, dict) else None
    return str(stack or path), rows_from_plan_json(doc, path)


@dataclass(frozen=True)
class CostItem:
    urn: str
    type: str
    name: str
    component: str
    component_type: str
    team: str
    charge: Charge
    inputs: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def known(self) -> bool:
        return self.charge.known

    @property
    def pool(self) -> str | None:
        """Node groups / node pools: the pool's name, else the resource's own name."""
        return None if self.charge.pool is None else (self.charge.pool or self.name)

    def group_key(self, by: str) -> str:
        if by == "component":
            return self.component
        if by == "team":
            return self.team
        if by == "pool":
            return self.pool or "(not a node pool)"
        if by == "capacityType":
            return self.charge.capacity_type or "(n/a)"
        if by == "type":
            return self.type
        if by.startswith("tag:"):
            return attribution(self.inputs, by[4:]) or UNTAGGED
        raise ValueError(f"unknown grouping {by!r}; use component, team, pool, capacityType, type or tag:KEY")

    def as_json(self) -> dict[str, Any]:
        c = self.charge
        out: dict[str, Any] = {
            "urn": self.urn, "type": self.type, "component": self.component, "team": self.team,
            "capacityType": c.capacity_type,
            "hourly": {"min": round_usd(c.hourly_min), "max": round_usd(c.hourly_max)},
            "monthly": {"min": round_usd(c.monthly_min), "max": round_usd(c.monthly_max)},
            "basis": c.basis,
        }
        if self.pool is not None:
            out["pool"] = {"name": self.pool, "instanceType": c.instance_type,
                           "nodes": {"min": c.nodes[0], "max": c.nodes[1]} if c.nodes else None}
        if c.price_keys:
            out["priceKeys"] = list(c.price_keys)
        return out


@dataclass(frozen=True)
class Totals:
    hourly_min: float
    hourly_max: float
    unknown: int

    @property
    def monthly_min(self) -> float:
        return self.hourly_min * HOURS_PER_MONTH

    @property
    def monthly_max(self) -> float:
        return self.hourly_max * HOURS_PER_MONTH

    def as_json(self) -> dict[str, Any]:
        return {"hourly": {"min": round_usd(self.hourly_min), "max": round_usd(self.hourly_max)},
                "monthly": {"min": round_usd(self.monthly_min), "max": round_usd(self.monthly_max)},
                "unknown": self.unknown}


def totals(items: Iterable[CostItem]) -> Totals:
    lo = hi = 0.0
    unknown = 0
    for item in items:
        if not item.known:
            unknown += 1
            continue
        lo += item.charge.hourly_min or 0.0
        hi += item.charge.hourly_max or 0.0
    return Totals(lo, hi, unknown)


_CLUSTER_QUEUE = ":ClusterQueue"
_QUEUE_API = "kubernetes:kueue.x-k8s.io/"
_NOT_GPU = ("cpu", "memory", "ephemeral-storage", "pods")


def queue_quotas(rows: Iterable[Row]) -> dict[str, dict[str, int]]:
    """{team: {pool: nominal GPUs}} from the Kueue ClusterQueues a plan records (one per team, named after it;
    a GPU pool is a flavor, named after the pool; CPU and memory are not GPUs)."""
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        if not (row.type.startswith(_QUEUE_API) and row.type.endswith(_CLUSTER_QUEUE)):
            continue
        team = str((row.inputs.get("metadata") or {}).get("name") or "")
        if not team:
            continue
        for group in (row.inputs.get("spec") or {}).get("resourceGroups") or []:
            for flavor in group.get("flavors") or []:
                gpus = sum(int(float(r.get("nominalQuota") or 0)) for r in flavor.get("resources") or []
                           if r.get("name") not in _NOT_GPU)
                if gpus > 0:
                    out.setdefault(team, {})[str(flavor.get("name"))] = gpus
    return out


def _scaled(item: CostItem, share: float, team: str) -> CostItem:
    c = item.charge
    charge = dataclasses.replace(
        c, hourly_min=None if c.hourly_min is None else c.hourly_min * share,
        hourly_max=None if c.hourly_max is None else c.hourly_max * share)
    return dataclasses.replace(item, team=team, charge=charge)


@dataclass(frozen=True)
class CostReport:
    stack: str
    items: tuple[CostItem, ...]
    free_resources: int
    # {pool: {team: share}}: each team's share of a GPU pool, its nominal GPU quota over all teams' there
    # (components.finops.pool_quota_shares, read back from the plan's ClusterQueues).
    pool_shares: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def totals(self) -> Totals:
        return totals(self.items)

    def attributed(self) -> tuple[CostItem, ...]:
        """The items with each shared GPU pool split between the teams by their share of its queue quota;
        a pool no team has quota in keeps its own tag."""
        out: list[CostItem] = []
        for item in self.items:
            shares = self.pool_shares.get(item.pool or "") if item.pool is not None else None
            if shares:
                out.extend(_scaled(item, share, team) for team, share in sorted(shares.items()))
            else:
                out.append(item)
        return tuple(out)

    def groups(self, by: str) -> dict[str, Totals]:
        buckets: dict[str, list[CostItem]] = defaultdict(list)
        for item in (self.attributed() if by == "team" else self.items):
            buckets[item.group_key(by)].append(item)
        return {k: totals(v) for k, v in sorted(buckets.items(), key=lambda kv: -totals(kv[1]).hourly_max)}

    def price_sources(self) -> dict[str, Any]:
        """Every catalog figure used, with region, date and the citations of its sources."""
        book, catalog = default_price_book(), default_catalog()
        out: dict[str, Any] = {}
        for key in sorted({k for item in self.items for k in item.charge.price_keys}):
            if ":" in key:  # an instance / machine type: "aws:p5.48xlarge"
                cloud, name = key.split(":", 1)
                entry = catalog.types(cloud).get(name)
                if entry is None:
                    continue
                out[key] = {"usd": entry.price.on_demand_usd_per_hour, "unit": "per instance-hour, on-demand",
                            "region": entry.price.region, "asOf": entry.price.as_of.isoformat(),
                            "sources": catalog.citations(entry.sources["price"])}
            elif key in book.prices:
                p = book.prices[key]
                out[key] = {"usd": p.usd, "unit": p.unit, "region": p.region, "asOf": p.as_of.isoformat(),
                            "verified": p.verified, "sources": [book.sources[s] for s in p.sources]}
        return out

    def as_json(self, group_by: Iterable[str] = ("component", "team", "pool")) -> dict[str, Any]:
        t = self.totals
        doc = {"stack": self.stack, "currency": CURRENCY, "hoursPerMonth": HOURS_PER_MONTH,
               **{k: v for k, v in t.as_json().items() if k in ("hourly", "monthly")},
               "unknown": t.unknown, "complete": t.unknown == 0,
               "items": [i.as_json() for i in self.items],
               "groups": {by: {k: v.as_json() for k, v in self.groups(by).items()} for by in group_by},
               "freeResources": self.free_resources,
               "poolShares": {pool: {team: round(share, 4) for team, share in sorted(shares.items())}
                              for pool, shares in sorted(self.pool_shares.items())},
               "priceSources": self.price_sources()}
        return doc


def _components(rows: list[Row]) -> dict[str, Row]:
    return {r.urn: r for r in rows if not r.custom and r.type != STACK_TYPE}


def _nearest_component(row: Row, by_urn: Mapping[str, Row], components: Mapping[str, Row]) -> Row | None:
    seen = set()
    parent = row.parent
    while parent and parent not in seen:
        seen.add(parent)
        if parent in components:
            return components[parent]
        up = by_urn.get(parent)
        parent = up.parent if up else ""
    return None


def price_rows(stack: str, rows: list[Row]) -> CostReport:
    context = PricingContext.of((r.type, r.id, r.inputs) for r in rows if r.custom)
    by_urn = {r.urn: r for r in rows}
    components = _components(rows)
    items: list[CostItem] = []
    free = 0
    for row in rows:
        if not row.custom or row.type.startswith("pulumi:providers:"):
            continue
        charge = price_resource(row.type, row.inputs, context)
        if charge is None:
            free += 1
            continue
        component = _nearest_component(row, by_urn, components)
        items.append(CostItem(urn=row.urn, type=row.type, name=row.name,
                              component=component.name if component else NO_COMPONENT,
                              component_type=component.type if component else "",
                              team=attribution(row.inputs, "team") or UNTAGGED, charge=charge, inputs=row.inputs))
    return CostReport(stack=stack, items=tuple(items), free_resources=free,
                      pool_shares=pool_quota_shares(queue_quotas(rows)))


def price_plan(plan: Any) -> CostReport:
    return price_rows(plan.stack, rows_from_plan(plan))
