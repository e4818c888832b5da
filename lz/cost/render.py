"""Render a cost report or delta: a terminal table, and Markdown fit for a pull-request comment."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from components.catalog.pricing import HOURS_PER_MONTH

from .delta import CostDelta
from .report import CostReport, Totals


def usd(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "unknown"
    sign = "+" if signed and value > 0 else ""
    if value != 0 and abs(value) < 0.01:
        return f"{sign}{value:,.4f}"
    return f"{sign}{value:,.2f}"


def span(lo: float | None, hi: float | None, *, signed: bool = False) -> str:
    if lo is not None and hi is not None and round(lo, 4) == round(hi, 4):
        return usd(lo, signed=signed)
    return f"{usd(lo, signed=signed)} .. {usd(hi, signed=signed)}"


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _totals_line(t: Totals) -> str:
    tail = f"; {t.unknown} item(s) unpriced, so these are lower bounds" if t.unknown else ""
    return (f"{span(t.hourly_min, t.hourly_max)} USD/h, {span(t.monthly_min, t.monthly_max)} USD/month "
            f"(idle .. max scale, {HOURS_PER_MONTH} h/month{tail})")


def render_table(report: CostReport, console: Console, *, group_by: list[str], storage: dict[str, Any] | None = None,
                 budget: float | None = None) -> None:
    table = Table(title=f"Cost of {report.stack} (USD, list prices)", header_style="bold", show_lines=False)
    for col, justify in (("resource", "left"), ("type", "left"), ("component", "left"), ("team", "left"),
                         ("capacity", "left"), ("$/h idle", "right"), ("$/h max", "right"),
                         ("$/month max", "right"), ("basis", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for item in sorted(report.items, key=lambda i: -(i.charge.hourly_max or 0)):
        c = item.charge
        table.add_row(escape(item.name), escape(item.type.split(":")[-1]), escape(item.component),
                      escape(item.team), escape(c.capacity_type or ""), usd(c.hourly_min), usd(c.hourly_max),
                      usd(c.monthly_max), escape(c.basis))
    console.print(table)
    for by in group_by:
        groups = Table(title=f"By {by}", header_style="bold")
        for col in (by, "$/h idle", "$/h max", "$/month idle", "$/month max", "unpriced"):
            groups.add_column(col, justify="left" if col == by else "right")
        for key, t in report.groups(by).items():
            groups.add_row(escape(key), usd(t.hourly_min), usd(t.hourly_max), usd(t.monthly_min),
                           usd(t.monthly_max), str(t.unknown))
        console.print(groups)
    t = report.totals
    console.print(f"[bold]Total:[/] {escape(_totals_line(t))}", highlight=False)
    if budget is not None:
        over = t.monthly_max > budget
        colour = "red" if over else "green"
        console.print(f"[bold]Budget:[/] [{colour}]{usd(budget)} USD/month; max scale "
                      f"{'exceeds' if over else 'is within'} it ({usd(t.monthly_max)})[/]", highlight=False)
    if storage:
        _render_storage(storage, console)
    console.print(f"[dim]{report.free_resources} resources carry no charge of their own.[/]")


def _render_storage(storage: dict[str, Any], console: Console) -> None:
    demand, supply = storage.get("demandMbps"), storage.get("supplyMbps")
    console.print(f"[bold]File tier:[/] {escape(str(storage.get('kind')))}; training read demand "
                  f"{demand:,.0f} MB/s, supply "
                  f"{'unknown' if supply is None else format(supply, ',.0f') + ' MB/s'}", highlight=False)
    for a in storage.get("advisories", []):
        colour = "yellow" if a["level"] == "warning" else "dim"
        console.print(f"  [{colour}]{escape(a['code'])}[/]: {escape(a['message'])}", highlight=False)


def render_markdown(report: CostReport, *, group_by: list[str], storage: dict[str, Any] | None = None,
                    budget: float | None = None) -> str:
    t = report.totals
    lines = [f"### Cost of `{report.stack}`", "", f"**{_totals_line(t)}**", ""]
    if budget is not None:
        over = t.monthly_max > budget
        lines += [f"{'❌' if over else '✅'} Budget {usd(budget)} USD/month: max scale "
                  f"{'exceeds' if over else 'is within'} it ({usd(t.monthly_max)}).", ""]
    for by in group_by:
        lines += [f"| {by} | $/h idle | $/h max | $/month max | unpriced |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {k} | {usd(v.hourly_min)} | {usd(v.hourly_max)} | {usd(v.monthly_max)} | {v.unknown} |"
                  for k, v in report.groups(by).items()]
        lines.append("")
    lines += ["<details><summary>Items</summary>", "",
              "| resource | type | $/h idle | $/h max | $/month max | basis |", "|---|---|---:|---:|---:|---|"]
    for item in sorted(report.items, key=lambda i: -(i.charge.hourly_max or 0)):
        c = item.charge
        lines.append(f"| `{item.name}` | `{item.type}` | {usd(c.hourly_min)} | {usd(c.hourly_max)} | "
                     f"{usd(c.monthly_max)} | {c.basis} |")
    lines += ["", "</details>", ""]
    if storage:
        lines.append(f"**File tier** ({storage.get('kind')}): demand {storage['demandMbps']:,.0f} MB/s, supply "
                     + ("unknown" if storage.get("supplyMbps") is None else f"{storage['supplyMbps']:,.0f} MB/s"))
        lines += [f"- {a['level']}: {a['message']}" for a in storage.get("advisories", [])]
        lines.append("")
    return "\n".join(lines) + "\n"


def render_delta_table(delta: CostDelta, console: Console) -> None:
    b, h = delta.base_totals, delta.head_totals
    table = Table(title=f"Cost change {delta.base.stack} -> {delta.head.stack} (USD/month)", header_style="bold")
    for col, justify in (("", "left"), ("resource", "left"), ("type", "left"), ("before", "right"),
                         ("after", "right"), ("change", "right")):
        table.add_column(col, justify=justify, overflow="fold")
    mark = {"added": "+", "removed": "-", "changed": "~"}
    for c in delta.changes:
        before = span(c.base.charge.monthly_min, c.base.charge.monthly_max) if c.base else ""
        after = span(c.head.charge.monthly_min, c.head.charge.monthly_max) if c.head else ""
        table.add_row(mark[c.status], escape(_short(c.urn)), escape(c.type.split(":")[-1]), before, after,
                      span(*c.monthly_delta, signed=True))
    console.print(table)
    console.print(f"[bold]Before:[/] {escape(_totals_line(b))}", highlight=False)
    console.print(f"[bold]After:[/]  {escape(_totals_line(h))}", highlight=False)
    console.print(f"[bold]Change:[/] {span(h.monthly_min - b.monthly_min, h.monthly_max - b.monthly_max, signed=True)}"
                  " USD/month (idle .. max scale)", highlight=False)


def render_delta_markdown(delta: CostDelta) -> str:
    b, h = delta.base_totals, delta.head_totals
    change = span(h.monthly_min - b.monthly_min, h.monthly_max - b.monthly_max, signed=True)
    lines = [f"### Cost change for `{delta.head.stack}`", "",
             f"**{change} USD/month** (idle .. max scale): "
             f"{span(b.monthly_min, b.monthly_max)} → {span(h.monthly_min, h.monthly_max)} USD/month.", ""]
    if h.unknown or b.unknown:
        lines += [f"_Unpriced items: {b.unknown} before, {h.unknown} after; totals are lower bounds._", ""]
    if not delta.changes:
        lines.append("No priced resource changed.")
        return "\n".join(lines) + "\n"
    lines += ["| | resource | type | before | after | change |", "|---|---|---|---:|---:|---:|"]
    mark = {"added": "➕", "removed": "➖", "changed": "✏️"}
    for c in delta.changes:
        before = span(c.base.charge.monthly_min, c.base.charge.monthly_max) if c.base else ""
        after = span(c.head.charge.monthly_min, c.head.charge.monthly_max) if c.head else ""
        lines.append(f"| {mark[c.status]} | `{_short(c.urn)}` | `{c.type}` | {before} | {after} | "
                     f"{span(*c.monthly_delta, signed=True)} |")
    return "\n".join(lines) + "\n"
