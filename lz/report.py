"""Render a plan: `pulumi preview --json`-shaped JSON, a human tree, and Markdown for PR comments."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from google.protobuf import json_format
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from components.invariants import present

from .engine.invokes import UNKNOWN
from .engine.monitor import SECRET_SIG, STACK_TYPE, Registration
from .engine.plan import Plan


def redact(value: Any) -> Any:
    """Secrets keep their place but never their value, as `pulumi preview --json` shows them."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) is not None and "value" in value:
            return "[secret]"
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct numbers are doubles; a port or a count is an integer
    return value


def new_state(r: Registration) -> dict[str, Any]:
    return {
        "urn": r.urn, "type": r.type, "custom": r.custom, "id": r.id if r.custom else "",
        "parent": r.parent, "provider": r.provider, "inputs": redact(r.wire_inputs),
        "protect": r.protect, "retainOnDelete": r.retain_on_delete, "dependencies": r.dependencies,
        "propertyDependencies": r.property_dependencies, "ignoreChanges": r.ignore_changes,
        "deleteBeforeReplace": r.delete_before_replace, "aliases": r.aliases,
        "additionalSecretOutputs": r.additional_secret_outputs, "customTimeouts": r.custom_timeouts,
    }


def stack_outputs(plan: Plan) -> dict[str, Any]:
    if plan.run.outputs is None:
        return {}
    return redact(json_format.MessageToDict(plan.run.outputs))


def cost_block(plan: Plan) -> dict[str, Any] | None:
    """The `cost` summary (idle and max-scale $/h and $/month) of a plan that ran."""
    if plan.run.error:
        return None
    if "cost" not in plan.derived:  # priced once, shown in the JSON, the tree and the Markdown
        from .cost import summarize

        plan.derived["cost"] = summarize(plan)
    return plan.derived["cost"]


def plan_json(plan: Plan) -> dict[str, Any]:
    steps = [{"op": "create", "urn": r.urn, "type": r.type, "provider": r.provider, "newState": new_state(r)}
             for r in plan.records]
    doc: dict[str, Any] = {
        "config": {k: ("[secret]" if k in plan.config.secret_keys else v) for k, v in plan.config.values.items()},
        "steps": steps,
        "changeSummary": {"create": len(steps)},
        "policyViolations": [v.as_json() for v in plan.violations],
        # What each provider's Check would say, offline: one entry per finding (see lz/engine/schema.py).
        "schemaFindings": [f.as_json() for f in plan.schema_findings],
        "outputs": stack_outputs(plan),
        "cost": cost_block(plan),
        "journeys": journeys_block(plan),
        "diagnostics": [{"severity": "error", "message": plan.run.error}] if plan.run.error else [],
        "duration": round(plan.seconds.get("total", 0.0), 3),
        "lz": {
            "project": plan.project.name, "stack": plan.stack,
            "policyPacks": [{"name": p.name, "version": p.version, "config": p.config_file, "policies": p.policies}
                            for p in plan.packs],
            "invokes": sorted(set(plan.run.invokes)),
            # What preview would show as [unknown]: unanswered invokes and reads, unknown inputs by URN.
            "unknowns": unknowns_block(plan),
            "schemaCheck": schema_summary(plan),
        },
    }
    return doc


def unknowns_block(plan: Plan) -> dict[str, Any]:
    if "unknowns" not in plan.derived:
        from .engine.invokes import unknowns_summary

        plan.derived["unknowns"] = unknowns_summary(plan.records, plan.run.unanswered)
    return plan.derived["unknowns"]


def _render_unknowns(plan: Plan, console: Console) -> None:
    block = unknowns_block(plan)
    asked = block["invokes"] + block["reads"] + block["components"]
    if not asked and not block["properties"]:
        return
    count = sum(len(paths) for paths in block["properties"].values())
    properties = "input property" if count == 1 else "input properties"
    line = (f"\n[bold]Unknown until apply:[/] {count} {properties} of "
            f"{_count(len(block['properties']), 'resource')} (\\[unknown] in the plan)")
    if asked:
        line += (f"; {len(asked)} {'invoke, read or component' if len(asked) == 1 else 'invokes, reads and components'}"
                 " had no offline answer (answer invokes with --invoke-answers FILE)")
    console.print(line, highlight=False)
    for item in asked:
        args = json_dumps(item["args"])
        console.print(f"  [yellow]{item['kind']}[/] {escape(item['token'])} {escape(args[:120])}", highlight=False)
    for urn, paths in block["properties"].items():
        console.print(f"  [dim]{escape(urn)}[/]: {escape(', '.join(paths))}", highlight=False)


def schema_summary(plan: Plan) -> dict[str, Any] | None:
    """Counters of the provider-schema check (None when it did not run); findings are listed apart."""
    if plan.schema is None:
        return None
    doc = plan.schema.as_json()
    doc.pop("findings")
    doc["strict"] = plan.strict
    return doc


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _schema_line(plan: Plan) -> str:
    report = present(plan.schema, "the schema line is rendered only when the check ran")
    skipped = (f"; skipped {_count(len(report.skipped), 'type')} without an SDK schema "
               f"({_count(report.skipped_resources, 'resource')})" if report.skipped else "")
    return (f"{_count(len(report.findings), 'finding')} in {_count(sum(report.checked.values()), 'resource')} "
            f"of {_count(len(report.checked), 'type')}{skipped}")


def journeys_block(plan: Plan) -> list[dict[str, Any]]:
    """`[{workload, team, pool, verdict, failedStep, detail, steps}]`: the golden workloads' journeys,
    judged by the policy pack's own functions (lz.journeys)."""
    if "journeys" not in plan.derived:  # judged once, shown in the JSON, the table and the Markdown
        from .journeys import plan_journeys

        plan.derived["journeys"] = plan_journeys(plan)
    return plan.derived["journeys"]


def journeys_table(plan: Plan) -> Table | None:
    rows = journeys_block(plan)
    if not rows:
        return None
    table = Table(title="Golden workloads", show_header=True, header_style="bold")
    for column in ("workload", "team", "pool", "verdict", "first failing step"):
        table.add_column(column)
    colour = {"runs": "green", "fails": "red", "unknown": "yellow"}
    for j in rows:
        table.add_row(escape(j["workload"]), escape(j["team"]), escape(j["pool"]),
                      f"[{colour[j['verdict']]}]{j['verdict']}[/]", escape(j["failedStep"] or "-"))
    return table


MAX_SIBLINGS = 12


def _resources(n: int) -> str:
    return _count(n, "resource")


def _components_tree(plan: Plan) -> Tree:
    children: dict[str, list[Registration]] = defaultdict(list)
    for r in plan.records:
        children[r.parent].append(r)
    stack = next((r for r in plan.records if r.type == STACK_TYPE), None)
    root = Tree(f"[bold]{escape(plan.project.name)}[/] / [bold]{escape(plan.stack)}[/]  "
                f"({sum(1 for r in plan.records if r.custom)} resources)")

    def count(urn: str) -> int:
        return sum((1 if c.custom else 0) + count(c.urn) for c in children.get(urn, []))

    def add(node: Tree, urn: str) -> None:
        custom_types = Counter(c.type for c in children.get(urn, []) if c.custom)
        # By type and name, not registration order: the SDK registers from a pool of threads, so that
        # order changes from one run to the next, and so would the tree of an unchanged program.
        components = sorted((c for c in children.get(urn, []) if not c.custom and c.type != STACK_TYPE),
                            key=lambda c: (c.type, c.name))
        component_types = Counter(c.type for c in components)
        folded: set[str] = set()
        for c in components:
            if component_types[c.type] > MAX_SIBLINGS:
                # Hundreds of identical cells say less than one line with their count.
                if c.type not in folded:
                    folded.add(c.type)
                    total = sum(count(x.urn) for x in components if x.type == c.type)
                    node.add(f"[cyan]{escape(c.type)}[/] x{component_types[c.type]}  [dim]{_resources(total)}[/]")
                continue
            branch = node.add(f"[cyan]{escape(c.type)}[/] {escape(c.name)}  [dim]{_resources(count(c.urn))}[/]")
            add(branch, c.urn)
        for type_, n in sorted(custom_types.items()):
            node.add(escape(type_) + (f" x{n}" if n > 1 else ""))

    if stack is not None:
        add(root, stack.urn)
    return root


def _render_schema(plan: Plan, console: Console) -> None:
    if plan.schema is None:
        return
    colour = ("red" if plan.strict else "yellow") if plan.schema.findings else "green"
    console.print(f"[bold]Provider schemas:[/] [{colour}]{escape(_schema_line(plan))}[/]", highlight=False)
    for finding in plan.schema.findings:
        console.print(f"  [{colour}]{escape(finding.path or '(resource)')}[/]  [dim]{escape(finding.urn)}[/]",
                      highlight=False)
        console.print(f"    {finding.problem}", highlight=False, markup=False)
    for type_, reason in sorted(plan.schema.skipped.items()):
        console.print(f"  [dim]skipped {escape(type_)} ({escape(reason)})[/]", highlight=False)


def render_human(plan: Plan, console: Console) -> None:
    if plan.run.error:
        console.print("[bold red]error[/]", highlight=False)
        console.print(plan.run.error, highlight=False, markup=False)
        if plan.schema_findings:  # what the program registered before it failed may say why
            _render_schema(plan, console)
        return
    console.print(_components_tree(plan))
    console.print(f"\n[bold]Plan:[/] {len(plan.records)} to create "
                  f"([dim]{sum(1 for r in plan.records if r.custom)} custom, "
                  f"{sum(1 for r in plan.records if not r.custom)} components[/])")
    for pack in plan.packs:
        cfg = f", config {pack.config_file}" if pack.config_file else ""
        console.print(f"[bold]Policy pack:[/] {pack.name}@{pack.version} ({pack.policies} policies{cfg})")
    by_level: dict[str, list] = defaultdict(list)
    for v in plan.violations:
        by_level[v.enforcement_level].append(v)
    if not plan.violations and plan.packs:
        console.print("[green]No policy violations.[/]")
    for level in ("mandatory", "advisory", "remediate"):
        items = by_level.get(level, [])
        if not items:
            continue
        colour = "red" if level == "mandatory" else "yellow"
        console.print(f"\n[bold {colour}]{level.capitalize()} violations ({len(items)})[/]")
        for v in items:
            console.print(f"  [{colour}]{v.policy_name}[/]  [dim]{escape(v.urn or '(stack)')}[/]", highlight=False)
            console.print(f"    {v.message}", highlight=False, markup=False)
    _render_schema(plan, console)
    _render_unknowns(plan, console)
    journeys = journeys_table(plan)
    if journeys is not None:
        console.print(journeys)
    cost = cost_block(plan)
    if cost:
        hourly, monthly = cost["hourly"], cost["monthly"]
        unknown = f", {cost['unknown']} unpriced" if cost.get("unknown") else ""
        console.print(f"\n[bold]Cost:[/] ${hourly['min']:,.2f}/h idle, ${hourly['max']:,.2f}/h at max scale "
                      f"(${monthly['min']:,.0f} - ${monthly['max']:,.0f} a month{unknown}); details: lz cost {plan.stack}")
        budget = cost.get("budget")
        if budget and not budget["withinBudget"]:
            console.print(f"[bold red]Over budget:[/] max-scale ${monthly['max']:,.0f}/month > "
                          f"${budget['maxMonthlyUsd']:,.0f}")
    from .cost import advisories

    for advisory in advisories(plan):
        console.print(f"[yellow]storage:[/] {escape(advisory)}", highlight=False)
    outputs = stack_outputs(plan)
    if outputs:
        table = Table(title="Outputs", show_header=True, header_style="bold")
        table.add_column("name")
        table.add_column("value", overflow="fold")
        for k, v in sorted(outputs.items()):
            text = v if isinstance(v, str) else json_dumps(v)
            table.add_row(escape(k), escape(text.replace(UNKNOWN, "[unknown]")))
        console.print(table)
    console.print(f"[dim]planned in {plan.seconds.get('total', 0):.2f}s[/]")


def json_dumps(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def render_markdown(plan: Plan) -> str:
    lines = [f"### `lz plan {plan.stack}` — {plan.project.name}", ""]
    if plan.run.error:
        lines += ["**Plan failed:**", "", "```", plan.run.error, "```"]
        if plan.schema_findings:
            lines += _schema_markdown(plan)
        return "\n".join(lines) + "\n"
    types = Counter(r.type for r in plan.records if r.custom)
    lines.append(f"**{sum(types.values())} resources to create** in "
                 f"{sum(1 for r in plan.records if not r.custom and r.type != STACK_TYPE)} components.")
    lines += ["", "<details><summary>Resources by type</summary>", "", "| type | count |", "|---|---:|"]
    lines += [f"| `{t}` | {n} |" for t, n in sorted(types.items())]
    lines += ["", "</details>", ""]
    cost = cost_block(plan)
    if cost:
        hourly, monthly = cost["hourly"], cost["monthly"]
        lines.append(f"💰 **Cost:** ${hourly['min']:,.2f}/h idle, ${hourly['max']:,.2f}/h at max scale "
                     f"(${monthly['min']:,.0f} – ${monthly['max']:,.0f}/month"
                     + (f", {cost['unknown']} unpriced" if cost.get("unknown") else "") + ").")
        lines.append("")
    journeys = journeys_block(plan)
    if journeys:
        lines += ["| golden workload | team | pool | verdict | first failing step |", "|---|---|---|---|---|"]
        lines += [f"| `{j['workload']}` | {j['team']} | {j['pool']} | {j['verdict']} | {j['failedStep'] or '-'} |"
                  for j in journeys]
        lines.append("")
    mandatory = [v for v in plan.violations if v.enforcement_level == "mandatory"]
    advisory = [v for v in plan.violations if v.enforcement_level != "mandatory"]
    status = "❌" if mandatory else "✅"
    lines.append(f"{status} **Policy:** {len(mandatory)} mandatory, {len(advisory)} advisory violations.")
    if plan.violations:
        lines += ["", "| level | policy | resource | message |", "|---|---|---|---|"]
        for v in mandatory + advisory:
            resource = v.urn.rsplit("::", 1)[-1] if v.urn else "(stack)"
            lines.append(f"| {v.enforcement_level} | `{v.policy_name}` | `{resource}` | {v.message} |")
    lines += _schema_markdown(plan)
    return "\n".join(lines) + "\n"


def _schema_markdown(plan: Plan) -> list[str]:
    if plan.schema is None:
        return []
    mark = ("❌" if plan.strict else "⚠️") if plan.schema.findings else "✅"
    lines = ["", f"{mark} **Provider schemas:** {_schema_line(plan)}."]
    if plan.schema.findings:
        lines += ["", "| resource | type | path | problem |", "|---|---|---|---|"]
        for f in plan.schema.findings:
            problem = f.problem.replace("|", "\\|")
            lines.append(f"| `{f.urn.rsplit('::', 1)[-1]}` | `{f.type}` | `{f.path or '(resource)'}` | {problem} |")
    return lines
