"""`lz`: the landing zone's command-line toolkit.

Exit codes: 0 planned with no mandatory violation; 1 a mandatory violation (or, with `lz plan
--strict`, a provider-schema finding); 2 bad input (config, project, policy pack config) or a
program error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from components.names import EXIT_BAD_INPUT, EXIT_OK, PROJECT

_IMPORTED = time.perf_counter()  # `lz plan --timings`: lz's own imports end here ...
_PLAN_STARTED = _IMPORTED        # ... and the command starts here (set by main)


class UsageError(Exception):
    pass


def _parse_stack_outputs(values: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for value in values:
        name, sep, file = value.partition("=")
        if not sep or not name or not file:
            raise UsageError(f"--stack-outputs {value!r}: expected ORG/PROJECT/STACK=FILE")
        try:
            doc = json.loads(Path(file).read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"--stack-outputs {name}: cannot read {file}: {exc}") from None
        # A saved `lz plan --json` (or `pulumi preview --json`) file, or a bare outputs object.
        out[name] = doc["outputs"] if isinstance(doc, dict) and "steps" in doc and "outputs" in doc else doc
    return out


def cmd_plan(args: argparse.Namespace, console: Console) -> int:
    stacks = _plan_stacks(args)
    if len(stacks) == 1 and not args.all and not args.json_dir:
        return plan_one(args, stacks[0], console, json_target=args.json)
    from .multi import plan_many

    return plan_many(args, stacks, console)


def _plan_stacks(args: argparse.Namespace) -> list[str]:
    """The stacks named on the command line, or with --all every stack file of the project, in order."""
    if args.all:
        if args.stacks:
            raise UsageError("lz plan: give stack names or --all, not both")
        from .engine.project import ProjectError, load_project

        try:
            stacks = load_project(Path(args.C)).stacks()
        except ProjectError as exc:
            raise UsageError(str(exc)) from None
        if not stacks:
            raise UsageError(f"lz plan --all: no Pulumi.<stack>.yaml under {Path(args.C).resolve()}")
        return stacks
    if not args.stacks:
        raise UsageError("lz plan: name a stack (or several, or --all)")
    if len(set(args.stacks)) != len(args.stacks):
        raise UsageError(f"lz plan: a stack is named twice: {' '.join(args.stacks)}")
    return list(args.stacks)


def plan_one(args: argparse.Namespace, stack: str, console: Console, *, json_target: str | None,
             on_json: Callable[[dict[str, Any]], None] | None = None,
             summary: dict[str, Any] | None = None) -> int:
    """Plan one stack and print it as asked: `json_target` is a file or "-" (stdout); `on_json` receives
    the JSON document instead (many stacks in one run); `summary` is filled in for the run's summary."""
    from .engine.analyzer import PolicyPackError
    from .engine.deps import DependencyError
    from .engine.invokes import InvokeAnswersError
    from .engine.plan import PlanRequest, plan
    from .engine.project import ProjectError
    from .report import plan_json, render_human, render_markdown

    err = Console(stderr=True, soft_wrap=True)
    request = PlanRequest(
        project_dir=Path(args.C).resolve(), stack=stack,
        policy_packs=[Path(p).resolve() for p in args.policy_pack],
        policy_pack_configs=[Path(p).resolve() for p in args.policy_pack_config],
        stack_outputs=_parse_stack_outputs(args.stack_outputs),
        use_project_pack=not args.no_policy,
        schema_check=not args.no_schema_check, strict=args.strict,
        invoke_answers=Path(args.invoke_answers).resolve() if args.invoke_answers else None,
        derive=_derive,
    )
    quiet = json_target == "-" or args.json == "-" or args.markdown
    try:
        if quiet or not err.is_terminal:
            result = plan(request)
        else:
            with err.status("planning") as status:
                result = plan(request, progress=lambda m: status.update(m))
    except (ProjectError, PolicyPackError, InvokeAnswersError, DependencyError) as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        if summary is not None:
            summary.update(error=str(exc))
        return EXIT_BAD_INPUT

    timings = result.seconds
    mark = time.perf_counter()
    if json_target or on_json:
        doc = plan_json(result)
        if on_json is not None:
            on_json(doc)
        else:
            text = json.dumps(doc, indent=2, sort_keys=False)
            if json_target == "-":
                sys.stdout.write(text + "\n")
            else:
                Path(str(json_target)).write_text(text + "\n")
    if args.markdown:
        sys.stdout.write(render_markdown(result))
    if not quiet:
        render_human(result, console)
    timings["output"] = time.perf_counter() - mark
    if summary is not None:
        summary.update(_summary_of(result))
    if getattr(args, "timings", False):
        timings["startup"] = _PLAN_STARTED - _IMPORTED
        err.file.write("lz-timings " + json.dumps({k: round(v, 3) for k, v in timings.items()}) + "\n")
    if result.run.error:
        if quiet:
            err.print(result.run.error, highlight=False, markup=False)
        return EXIT_BAD_INPUT
    return result.exit_code


def _derive(result: Any) -> None:
    """Price the plan and judge its journeys once (shown by every output); `plan` runs this while the
    policy packs judge the stack in their own processes."""
    from .report import cost_block, journeys_block

    cost_block(result)
    journeys_block(result)


def _summary_of(result: Any) -> dict[str, Any]:
    """One stack's line of a many-stack run's summary."""
    from .report import cost_block

    cost = cost_block(result)
    return {"resources": len(result.records), "mandatory": len(result.mandatory),
            "advisory": sum(1 for v in result.violations if v.enforcement_level == "advisory"),
            "schemaFindings": len(result.schema_findings), "error": result.run.error,
            "monthlyMax": cost["monthly"]["max"] if cost else None,
            "seconds": round(sum(result.seconds.get(k, 0.0) for k in ("total", "cost", "output")), 2)}


def cmd_workloads(args: argparse.Namespace, console: Console) -> int:
    """Plan the stack (no policy packs) and write the golden workloads it publishes, as YAML."""
    from .engine.analyzer import PolicyPackError
    from .engine.plan import PlanRequest, plan
    from .engine.project import ProjectError
    from .journeys import golden_manifests

    err = Console(stderr=True, soft_wrap=True)
    try:
        result = plan(PlanRequest(project_dir=Path(args.C).resolve(), stack=args.stack, use_project_pack=False))
    except (ProjectError, PolicyPackError) as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT
    if result.run.error:
        err.print(result.run.error, highlight=False, markup=False)
        return EXIT_BAD_INPUT
    manifests = golden_manifests(result)
    if not manifests:
        err.print(f"{args.stack}: the stack publishes no golden workloads (no team has GPU quota in a pool)",
                  highlight=False, markup=False)
        return EXIT_OK
    if any("image:" not in text for text in manifests.values()):
        err.print("note: kubernetes.goldenImages is not set, so the golden containers have no image; set "
                  f"{PROJECT}:kubernetes.goldenImages.training / .inference to digest-pinned references",
                  highlight=False, markup=False)
    if args.output:
        out = Path(args.output)
        for rel, text in manifests.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        console.print(f"wrote {len(manifests)} files under {out}", highlight=False)
    else:
        sys.stdout.write("\n---\n".join(f"# {rel}\n{text.rstrip()}" for rel, text in manifests.items()) + "\n")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, console: Console) -> int:
    from components.config import ConfigError, validate_config

    from .engine.project import ProjectError, load_project, load_stack_config

    err = Console(stderr=True, soft_wrap=True)
    try:
        project = load_project(Path(args.C))
        config = load_stack_config(project, args.stack)
    except ProjectError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT
    prefix = f"{project.name}:"
    values = {k[len(prefix):]: v for k, v in config.values.items() if k.startswith(prefix)}
    provider = {k: v for k, v in config.values.items() if not k.startswith(prefix)}
    source = project.relative(project.stack_file(args.stack))
    try:
        cfg = validate_config(values, source, provider)
    except ConfigError as exc:
        for line in exc.lines:
            err.print(line, highlight=False, markup=False)
        return EXIT_BAD_INPUT
    console.print(f"{source}: valid ({cfg.cloud.value}, {cfg.environment.value}, "
                  f"{len(cfg.gpu_pools)} GPU pools, {len(cfg.teams)} teams)", highlight=False)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, console: Console) -> int:
    from components.config import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lz", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="plan stacks offline: run the program under mocks and the policy packs over gRPC")
    p.add_argument("stacks", nargs="*", metavar="STACK",
                   help="one stack, or several planned in one run (imports paid once, one summary)")
    p.add_argument("--all", action="store_true", help="plan every Pulumi.<stack>.yaml of the project")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="with several stacks: how many plan at once (default: one per core)")
    p.add_argument("-C", default=".", metavar="DIR", help="the Pulumi project directory (default: .)")
    p.add_argument("--policy-pack", action="append", default=[], metavar="DIR",
                   help="a CrossGuard policy pack (repeatable); default: the project's ./policies if present")
    p.add_argument("--policy-pack-config", action="append", default=[], metavar="FILE",
                   help="config for the policy pack in the same position; default: <pack>/config/<environment>.json")
    p.add_argument("--no-policy", action="store_true", help="do not run the project's own policy pack")
    p.add_argument("--stack-outputs", action="append", default=[], metavar="ORG/PROJECT/STACK=FILE",
                   help="answer a StackReference from a saved `lz plan --json` or outputs file")
    p.add_argument("--json", metavar="FILE|-",
                   help="write a `pulumi preview --json`-shaped plan (several stacks: an object of them by stack)")
    p.add_argument("--json-dir", metavar="DIR", help="write DIR/<stack>.json for every planned stack")
    p.add_argument("--markdown", action="store_true", help="print a Markdown summary for a pull-request comment")
    p.add_argument("--strict", action="store_true",
                   help="provider-schema findings fail the plan (exit 1) instead of warning; an invoke or read "
                        "with no offline answer fails it (exit 2) instead of planning as unknown")
    p.add_argument("--invoke-answers", metavar="FILE",
                   help="YAML/JSON answers for invokes: TOKEN: RESULT, or TOKEN: [{args: {...}, result: {...}}]")
    p.add_argument("--no-schema-check", action="store_true",
                   help="skip the check of every resource's inputs against its provider SDK's schema")
    p.add_argument("--timings", action="store_true",
                   help="print where the time went (seconds per phase) as one `lz-timings {...}` line on stderr")
    p.set_defaults(func=cmd_plan)

    w = sub.add_parser("workloads", help="write the golden workloads a stack publishes (Kueue Jobs, Deployments) as YAML")
    w.add_argument("stack")
    w.add_argument("-C", default=".", metavar="DIR", help="the Pulumi project directory (default: .)")
    w.add_argument("-o", "--output", metavar="DIR", help="write <namespace>/<workload>.yaml files here (default: stdout)")
    w.set_defaults(func=cmd_workloads)

    v = sub.add_parser("validate", help="check a stack's config only (no resources)")
    v.add_argument("stack")
    v.add_argument("-C", default=".", metavar="DIR")
    v.set_defaults(func=cmd_validate)

    from .cost_cmd import add_parser as add_cost_parser

    add_cost_parser(sub)
    from .policies_cmd import add_parser as add_policies_parser
    from .templates_cmd import add_parsers as add_template_parsers

    add_policies_parser(sub)

    add_template_parsers(sub)
    from .verify_cmd import add_parser as add_verify_parser

    add_verify_parser(sub)

    s = sub.add_parser("schema", help="print the JSON Schema of a stack file")
    s.add_argument("-o", "--output", metavar="FILE")
    s.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    global _PLAN_STARTED
    parser = build_parser()
    args = parser.parse_args(argv)
    _PLAN_STARTED = time.perf_counter()
    console = Console(emoji=False, soft_wrap=True)
    try:
        return int(args.func(args, console))
    except UsageError as exc:
        Console(stderr=True, soft_wrap=True).print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The `lz` command: `main()`, then exit without tearing the interpreter down. A plan leaves a
    heap of provider SDK modules (hundreds of thousands of objects) whose orderly finalization costs
    seconds of CPU and changes nothing: every file lz writes is closed by then and the policy packs
    are stopped. Only the standard streams still need flushing. Tests call `main()`."""
    from .engine import process

    process.ENDS_WITH_COMMAND = True
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (`lz plan ... | head`): nothing more to write.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
