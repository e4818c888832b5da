"""`lz`: the landing zone's command-line toolkit.

Exit codes: 0 planned with no mandatory violation; 1 a mandatory violation (or, with `lz plan
--strict`, a provider-schema finding); 2 bad input (config, project, policy pack config) or a
program error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from components.names import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION, PROJECT


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
    from .engine.analyzer import PolicyPackError
    from .engine.deps import DependencyError
    from .engine.invokes import InvokeAnswersError
    from .engine.plan import PlanRequest, plan
    from .engine.project import ProjectError
    from .report import plan_json, render_human, render_markdown

    err = Console(stderr=True, soft_wrap=True)
    request = PlanRequest(
        project_dir=Path(args.C).resolve(), stack=args.stack,
        policy_packs=[Path(p).resolve() for p in args.policy_pack],
        policy_pack_configs=[Path(p).resolve() for p in args.policy_pack_config],
        stack_outputs=_parse_stack_outputs(args.stack_outputs),
        use_project_pack=not args.no_policy,
        schema_check=not args.no_schema_check, strict=args.strict,
        invoke_answers=Path(args.invoke_answers).resolve() if args.invoke_answers else None,
    )
    quiet = args.json == "-" or args.markdown
    try:
        if quiet or not err.is_terminal:
            result = plan(request)
        else:
            with err.status("planning") as status:
                result = plan(request, progress=lambda m: status.update(m))
    except (ProjectError, PolicyPackError, InvokeAnswersError, DependencyError) as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT

    if args.json:
        text = json.dumps(plan_json(result), indent=2, sort_keys=False)
        if args.json == "-":
            sys.stdout.write(text + "\n")
        else:
            Path(args.json).write_text(text + "\n")
    if args.markdown:
        sys.stdout.write(render_markdown(result))
    if not quiet:
        render_human(result, console)
    if result.run.error:
        if quiet:
            err.print(result.run.error, highlight=False, markup=False)
        return EXIT_BAD_INPUT
    return EXIT_VIOLATION if result.mandatory or result.failed_schema else EXIT_OK


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

    p = sub.add_parser("plan", help="plan a stack offline: run the program under mocks and the policy packs over gRPC")
    p.add_argument("stack")
    p.add_argument("-C", default=".", metavar="DIR", help="the Pulumi project directory (default: .)")
    p.add_argument("--policy-pack", action="append", default=[], metavar="DIR",
                   help="a CrossGuard policy pack (repeatable); default: the project's ./policies if present")
    p.add_argument("--policy-pack-config", action="append", default=[], metavar="FILE",
                   help="config for the policy pack in the same position; default: <pack>/config/<environment>.json")
    p.add_argument("--no-policy", action="store_true", help="do not run the project's own policy pack")
    p.add_argument("--stack-outputs", action="append", default=[], metavar="ORG/PROJECT/STACK=FILE",
                   help="answer a StackReference from a saved `lz plan --json` or outputs file")
    p.add_argument("--json", metavar="FILE|-", help="write a `pulumi preview --json`-shaped plan")
    p.add_argument("--markdown", action="store_true", help="print a Markdown summary for a pull-request comment")
    p.add_argument("--strict", action="store_true",
                   help="provider-schema findings fail the plan (exit 1) instead of warning; an invoke or read "
                        "with no offline answer fails it (exit 2) instead of planning as unknown")
    p.add_argument("--invoke-answers", metavar="FILE",
                   help="YAML/JSON answers for invokes: TOKEN: RESULT, or TOKEN: [{args: {...}, result: {...}}]")
    p.add_argument("--no-schema-check", action="store_true",
                   help="skip the check of every resource's inputs against its provider SDK's schema")
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
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(emoji=False, soft_wrap=True)
    try:
        return int(args.func(args, console))
    except UsageError as exc:
        Console(stderr=True, soft_wrap=True).print(f"error: {exc}", highlight=False, markup=False)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
