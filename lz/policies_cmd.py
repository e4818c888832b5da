"""`lz policies`: the guardrails in the project's CrossGuard pack, with their metadata.

    lz policies                 a table (rule, area, level per environment, controls)
    lz policies --json          [{name, resourceTypes, controls, enforcementLevel, description, ...}]
    lz policies --markdown      the guardrail table of docs/guardrails.md

The rules are read from the pack's own registry (`policies/lzpolicy/registry.py`), so what is listed
is what `lz plan` runs; the per-environment levels come from `policies/config/<env>.json`, resolved the
way the engine resolves a `--policy-pack-config` file (`all`, then the policy's own entry).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from components.names import ENVIRONMENTS, EXIT_BAD_INPUT, EXIT_OK

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACK = ROOT / "policies"


class PackLoadError(Exception):
    pass


def load_rules(pack: Path = DEFAULT_PACK) -> list[Any]:
    """The pack's rules (ResourceRule / StackRule objects), imported from the pack directory."""
    pack = pack.resolve()
    if not (pack / "lzpolicy" / "registry.py").exists():
        raise PackLoadError(f"{pack}: not an ai-landing-zone policy pack (no lzpolicy/registry.py)")
    # The pack imports its framework as `lzpolicy` and the hardware catalog from the project root.
    for path in (str(pack), str(pack.parent)):
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        registry = importlib.import_module("lzpolicy.registry")
        return list(registry.all_rules())
    except (ImportError, TypeError, ValueError) as exc:
        raise PackLoadError(f"{pack}: cannot load the rules: {exc}") from exc


def environment_levels(pack: Path, rules: list[Any]) -> dict[str, dict[str, str]]:
    """{environment: {rule: level}} from `<pack>/config/<env>.json`, for the environments that have a file."""
    out: dict[str, dict[str, str]] = {}
    for env in ENVIRONMENTS:
        path = pack / "config" / f"{env}.json"
        if not path.exists():
            continue
        try:
            config = json.loads(path.read_text())
        except ValueError as exc:
            raise PackLoadError(f"{path}: not valid JSON: {exc}") from None
        everything = config.get("all")
        if isinstance(everything, dict):
            everything = everything.get("enforcementLevel")
        levels = {}
        for rule in rules:
            level = everything or rule.enforcement_level
            entry = config.get(rule.name)
            if isinstance(entry, str):
                level = entry
            elif isinstance(entry, dict):
                level = entry.get("enforcementLevel", level)
            levels[rule.name] = level
        out[env] = levels
    return out


def policies_json(rules: list[Any], levels: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for rule in rules:
        meta = rule.metadata()
        doc = {key: meta[key] for key in ("name", "resourceTypes", "controls", "enforcementLevel", "description")}
        doc.update({"area": meta["area"], "kind": meta["kind"], "severity": meta["severity"],
                    "configSchema": meta["configSchema"],
                    "environments": {env: by_rule[rule.name] for env, by_rule in levels.items()}})
        out.append(doc)
    return out


def _by_area(rules: list[Any]) -> list[Any]:
    return sorted(rules, key=lambda r: (r.area, r.name))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(rules: list[Any], levels: dict[str, dict[str, str]]) -> str:
    envs = list(levels)
    lines = [
        f"{len(rules)} guardrails in `policies/` (CrossGuard). Levels per environment come from "
        "`policies/config/<env>.json`; `lz policies --json` lists the resource types and config schema of each.",
        "",
        "| Area | Rule | Checks | Controls | " + " | ".join(envs) + " |",
        "|---|---|---|---|" + "---|" * len(envs),
    ]
    for rule in _by_area(rules):
        kind = " (stack)" if rule.kind == "stack" else ""
        row = [rule.area, f"`{rule.name}`{kind}", _cell(rule.description), _cell(", ".join(rule.controls))]
        row += [levels[env][rule.name] for env in envs]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def render_table(rules: list[Any], levels: dict[str, dict[str, str]], console: Console) -> None:
    table = Table(title=f"{len(rules)} guardrails", show_lines=False, expand=False)
    table.add_column("area", style="dim")
    table.add_column("rule", style="bold")
    table.add_column("kind")
    for env in levels:
        table.add_column(env)
    table.add_column("controls", overflow="fold")
    style = {"mandatory": "red", "advisory": "yellow", "disabled": "dim", "remediate": "cyan"}
    for rule in _by_area(rules):
        cells = [f"[{style.get(levels[env][rule.name], '')}]{levels[env][rule.name]}[/]" for env in levels]
        table.add_row(rule.area, rule.name, rule.kind, *cells, ", ".join(rule.controls))
    console.print(table)


def cmd_policies(args: argparse.Namespace, console: Console) -> int:
    pack = Path(args.pack).resolve()
    try:
        rules = load_rules(pack)
        levels = environment_levels(pack, rules)
    except PackLoadError as exc:
        sys.stderr.write(f"error: {exc}\n")  # unwrapped: one line a script can match
        return EXIT_BAD_INPUT
    if args.json:
        sys.stdout.write(json.dumps(policies_json(rules, levels), indent=2) + "\n")
    elif args.markdown:
        sys.stdout.write(render_markdown(rules, levels))
    else:
        render_table(rules, levels, console)
    return EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("policies", help="list the guardrails of the policy pack (table, --json, --markdown)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the rules' metadata as JSON")
    out.add_argument("--markdown", action="store_true", help="print the guardrail table (docs/guardrails.md)")
    p.add_argument("--pack", default=str(DEFAULT_PACK), metavar="DIR",
                   help="the policy pack directory (default: the project's policies/)")
    p.set_defaults(func=cmd_policies)
    return p


__all__ = ["add_parser", "cmd_policies", "environment_levels", "load_rules", "policies_json", "render_markdown"]
