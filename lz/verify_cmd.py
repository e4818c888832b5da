"""`lz verify STACK`: the acceptance gate after deploy.

`--from DIR` judges saved acceptance output offline; `--kubeconfig FILE` runs the acceptance jobs on
the stack's live cluster first (lz/verify/live.py), saves their output under `--output DIR` and judges
that. Exit 0: every training pool meets its published threshold and DCGM passed; 1: a pool does not
(the message names it, the measured and the expected figure); 2: input that cannot be judged (missing
or cut-short output, bad config, no cluster).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from components.names import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION


class VerifyInputError(Exception):
    pass


def load_config(project_dir: str, stack: str):
    """The stack's validated config; VerifyInputError with the config errors' lines."""
    from components.config import ConfigError, validate_config

    from .engine.project import ProjectError, load_project, load_stack_config

    try:
        project = load_project(Path(project_dir))
        config = load_stack_config(project, stack)
    except ProjectError as exc:
        raise VerifyInputError(str(exc)) from None
    prefix = f"{project.name}:"
    values = {k[len(prefix):]: v for k, v in config.values.items() if k.startswith(prefix)}
    try:
        return validate_config(values, project.relative(project.stack_file(stack)))
    except ConfigError as exc:
        raise VerifyInputError("\n".join(exc.lines)) from None


COLUMNS = ("pool", "nodes", "test", "measured", "threshold", "source", "verdict")


def table_lines(verdicts: list[Any]) -> list[str]:
    """The verdicts as a plain aligned table (CI logs keep it intact; no wrapping)."""
    rows = [list(COLUMNS)] + [[v.pool, str(v.nodes), v.test, v.measured, v.threshold, v.source, v.verdict]
                              for v in verdicts]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def render(stack: str, verdicts: list[Any], console: Console) -> None:
    console.print(f"lz verify {stack}", highlight=False, markup=False)
    for line in table_lines(verdicts):
        console.print(line, highlight=False, markup=False)
    for v in verdicts:
        if v.verdict != "pass":
            console.print(f"{v.pool} {v.test}: {v.detail}", highlight=False, markup=False)


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    from components.workloads.acceptance import dcgm_level

    from .verify.judge import InputError, judge_dir

    err = Console(stderr=True, soft_wrap=True)
    try:
        config = load_config(args.C, args.stack)
        if args.kubeconfig:
            from .verify.live import LiveError, run_acceptance

            out = Path(args.output or f".lz-verify/{args.stack}")
            try:
                run_acceptance(config, Path(args.kubeconfig), out, context=args.context,
                               timeout_s=args.timeout, progress=lambda m: err.print(m, highlight=False, markup=False))
            except LiveError as exc:
                raise VerifyInputError(str(exc)) from None
            source = out
        else:
            source = Path(args.from_dir)
        verdicts = judge_dir(config, source, dcgm_level(config))
    except (VerifyInputError, InputError) as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT

    failed = [v for v in verdicts if v.failed]
    if args.json:
        doc = {"stack": args.stack, "verdict": "fail" if failed else "pass",
               "results": [v.as_json() for v in verdicts]}
        text = json.dumps(doc, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text)
    if args.json != "-":
        render(args.stack, verdicts, console)
    for v in failed:
        err.print(f"FAIL {v.detail}" if v.test == "nccl-all-reduce" else f"FAIL {v.pool} {v.test}: {v.detail}",
                  highlight=False, markup=False)
    return EXIT_VIOLATION if failed else EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `lz verify` on the `lz` sub-command parser."""
    p = subparsers.add_parser(
        "verify", help="acceptance gate: judge DCGM and 2-node NCCL all-reduce output against the catalog")
    p.add_argument("stack")
    p.add_argument("-C", default=".", metavar="DIR", help="the Pulumi project directory (default: .)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="from_dir", metavar="DIR",
                        help="judge saved output: DIR/<pool>/all_reduce_perf.log (and DIR/<pool>/dcgm-diag.json)")
    source.add_argument("--kubeconfig", metavar="FILE",
                        help="run the acceptance jobs on the live cluster, then judge their output")
    p.add_argument("--context", metavar="NAME", help="with --kubeconfig: the kubeconfig context")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="with --kubeconfig: where the jobs' output is saved (default: .lz-verify/STACK)")
    p.add_argument("--timeout", type=int, default=3600, metavar="SECONDS",
                   help="with --kubeconfig: how long to wait for the jobs (default: 3600)")
    p.add_argument("--json", metavar="FILE|-", help="write the verdicts as JSON")
    p.set_defaults(func=cmd_verify)
    return p
