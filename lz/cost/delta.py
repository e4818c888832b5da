"""Cost delta between two priced plans (a saved base-branch plan and the plan of this change), by URN."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.catalog.pricing import round_usd

from .report import CostItem, CostReport, Totals


@dataclass(frozen=True)
class ItemChange:
    status: str  # added | removed | changed
    base: CostItem | None
    head: CostItem | None

    @property
    def urn(self) -> str:
        return (self.head or self.base).urn  # type: ignore[union-attr]

    @property
    def type(self) -> str:
        return (self.head or self.base).type  # type: ignore[union-attr]

    def _monthly(self, which: str) -> tuple[float | None, float | None]:
        item = self.head if which == "head" else self.base
        if item is None:
            return 0.0, 0.0
        return item.charge.monthly_min, item.charge.monthly_max

    @property
    def monthly_delta(self) -> tuple[float | None, float | None]:
        """(min, max) change in USD/month; None where either side is unknown."""
        (b_lo, b_hi), (h_lo, h_hi) = self._monthly("base"), self._monthly("head")
        lo = None if b_lo is None or h_lo is None else h_lo - b_lo
        hi = None if b_hi is None or h_hi is None else h_hi - b_hi
        return lo, hi

    def as_json(self) -> dict[str, Any]:
        lo, hi = self.monthly_delta
        return {"status": self.status, "urn": self.urn, "type": self.type,
                "base": self.base.as_json() if self.base else None,
                "head": self.head.as_json() if self.head else None,
                "monthlyDelta": {"min": round_usd(lo), "max": round_usd(hi)}}


@dataclass(frozen=True)
class CostDelta:
    base: CostReport
    head: CostReport
    changes: tuple[ItemChange, ...]

    @property
    def base_totals(self) -> Totals:
        return self.base.totals

    @property
    def head_totals(self) -> Totals:
        return self.head.totals

    def as_json(self) -> dict[str, Any]:
        b, h = self.base_totals, self.head_totals
        return {"base": {"stack": self.base.stack, **b.as_json()},
                "head": {"stack": self.head.stack, **h.as_json()},
                "monthlyDelta": {"min": round_usd(h.monthly_min - b.monthly_min),
                                 "max": round_usd(h.monthly_max - b.monthly_max)},
                "changes": [c.as_json() for c in self.changes]}


def _same(a: CostItem, b: CostItem) -> bool:
    ca, cb = a.charge, b.charge
    return (round_usd(ca.hourly_min), round_usd(ca.hourly_max), ca.basis) == \
        (round_usd(cb.hourly_min), round_usd(cb.hourly_max), cb.basis)


def identity(urn: str) -> str:
    """A URN without its stack: the same resource of two stacks (or a stack and its saved base) match."""
    return urn.split("::", 1)[-1]


def diff(base: CostReport, head: CostReport) -> CostDelta:
    before = {identity(i.urn): i for i in base.items}
    after = {identity(i.urn): i for i in head.items}
    changes: list[ItemChange] = []
    for urn, item in after.items():
        if urn not in before:
            changes.append(ItemChange("added", None, item))
        elif not _same(before[urn], item):
            changes.append(ItemChange("changed", before[urn], item))
    changes += [ItemChange("removed", item, None) for urn, item in before.items() if urn not in after]

    def weight(change: ItemChange) -> float:
        lo, hi = change.monthly_delta
        return -abs(hi if hi is not None else float("inf"))

    return CostDelta(base=base, head=head, changes=tuple(sorted(changes, key=lambda c: (weight(c), c.urn))))
