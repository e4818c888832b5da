"""`lz cost STACK`: what a stack costs at idle and at max scale, per resource, component, team and GPU
pool, from the same recorded plan as `lz plan`; `--base FILE` adds the change against a saved plan.

Exit codes: 0 priced; 2 bad input (project, stack config, plan file, grouping) or a program error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from components.names import EXIT_BAD_INPUT, EXIT_OK

GROUPINGS = ("component", "team", "pool", "capacityType", "type")
DEFAULT_GROUPS = ["component", "team", "pool"]


def _groupings(values: list[str] | None) -> list[str]:
    groups = values or DEFAULT_GROUPS
    for g in groups:
        if g not in GROUPINGS and not (g.startswith("tag:") and len(g) > 4):
            raise ValueError(f"--by {g!r}: expected one of {', '.join(GROUPINGS)} or tag:KEY (e.g. tag:cost-center)")
    return groups


def cmd_cost(args: argparse.Namespace, console: Console) -> int:
    from .cost import budget_usd as stack_budget
    from .cost import diff, load_plan_json, price_plan, price_rows, storage_summary
    from .cost.render import render_delta_markdown, render_delta_table, render_markdown, render_table
    from .cost.report import load_saved_plan
    from .engine.plan import PlanRequest, plan
    from .engine.project import ProjectError

    err = Console(stderr=True, soft_wrap=True)  # one line per problem
    try:
        groups = _groupings(args.by)
        base = load_plan_json(args.base) if args.base else None
        if args.plan:  # planned already (`lz plan --all --json-dir DIR`): priced from the saved plan
            result: Any = load_saved_plan(args.plan, args.stack)
        else:
            result = plan(PlanRequest(project_dir=Path(args.C).resolve(), stack=args.stack, use_project_pack=False,
                                      schema_check=False))  # pricing reads registrations only
    except (ValueError, ProjectError) as exc:  # PlanFileError is a ValueError
        err.print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT
    if not args.plan and result.run.error:
        err.print(result.run.error, highlight=False, markup=False)
        return EXIT_BAD_INPUT

    report = price_plan(result)
    storage = storage_summary(result)
    budget = stack_budget(result)
    delta = diff(price_rows(base[0], base[1]), report) if base else None

    if args.json:
        doc: dict[str, Any] = report.as_json(groups)
        if budget is not None:
            doc["budget"] = {"maxMonthlyUsd": budget, "withinBudget": report.totals.monthly_max <= budget}
        doc["storage"] = storage
        if delta is not None:
            doc["delta"] = delta.as_json()
        text = json.dumps(doc, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text)
    if args.markdown:
        sys.stdout.write(render_delta_markdown(delta) if delta is not None else
                         render_markdown(report, group_by=groups, storage=storage, budget=budget))
    if not args.markdown and args.json != "-":
        if delta is not None:
            render_delta_table(delta, console)
        else:
            render_table(report, console, group_by=groups, storage=storage, budget=budget)
    return EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `lz cost` on the `lz` sub-command parser."""
    p = subparsers.add_parser(
        "cost", help="price a stack's plan: $/h idle and at max scale, $/month, per resource, component, team, pool")
    p.add_argument("stack")
    p.add_argument("-C", default=".", metavar="DIR", help="the Pulumi project directory (default: .)")
    p.add_argument("--json", metavar="FILE|-", help="write the cost report as JSON")
    p.add_argument("--markdown", action="store_true",
                   help="print Markdown for a pull-request comment (the delta, with --base)")
    p.add_argument("--base", metavar="FILE",
                   help="compare with a plan saved from the base branch (`lz plan STACK --json FILE`)")
    p.add_argument("--plan", metavar="FILE",
                   help="price this plan of STACK, saved by `lz plan STACK --json FILE` (or --json-dir), "
                        "instead of planning it again")
    p.add_argument("--by", action="append", metavar="GROUP",
                   help=f"group totals by {', '.join(GROUPINGS)} or tag:KEY (repeatable; default: "
                        f"{', '.join(DEFAULT_GROUPS)})")
    p.set_defaults(func=cmd_cost)
    return p
