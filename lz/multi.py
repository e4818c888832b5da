"""`lz plan STACK STACK...` / `lz plan --all`: many stacks in one run, imports paid once.

The parent process imports what every plan needs and that no plan can change (the engine, the
renderers, the provider SDK modules and libraries the project's code imports: see `warm_imports`),
then forks one child per stack, up to one per core at a time (`--jobs`). Each child plans its stack from
that warm state, writes its own output (human, Markdown, JSON) and its JSON document and summary line to
files the parent copies out in the order the stacks were named; the parent prints one summary and exits
with the worst exit code. A child is a fresh copy of the parent, so one
stack's config, program modules and Pulumi runtime settings cannot leak into the next.

gRPC and fork: gRPC Python supports `fork()` when no gRPC object (channel, server) exists before it
("if the application only instantiate gRPC Python objects after calling fork(), then fork() will
work normally", grpc/grpc doc/fork_support.md). The parent only imports grpc; every channel and
server (the policy pack's Analyzer client, the Engine service) is created inside a child.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from components.names import EXIT_BAD_INPUT

from .engine import analyzer
from .engine.packfork import PackForkServer
from .engine.warm import warm


def warm_imports(project_dir: Path, between: Callable[[], None] = lambda: None) -> int:
    """Import, once in the parent, what every stack's plan would import: the engine and renderers, and
    the modules from outside the project that its program's sources name. Project modules are not
    imported: they read config at import time in many programs, and each child runs them for its stack.
    `between` runs after each import, when no import is under way (it may fork)."""
    before = len(sys.modules)
    for module in ("lz.engine.plan", "lz.report", "lz.cost", "lz.journeys", "pulumi.runtime.mocks"):
        importlib.import_module(module)
        between()
    warm(project_dir, between)
    return len(sys.modules) - before


def _child(args: Any, stack: str, console: Console, result: IO[bytes]) -> int:
    from .cli import plan_one

    summary: dict[str, Any] = {"stack": stack}
    doc: list[dict[str, Any]] = []
    json_dir = Path(args.json_dir) if args.json_dir else None
    code = EXIT_BAD_INPUT
    try:
        def on_json(plan_doc: dict[str, Any]) -> None:
            if json_dir is not None:
                (json_dir / f"{stack}.json").write_text(json.dumps(plan_doc, indent=2) + "\n")
            if args.json:
                doc.append(plan_doc)

        code = plan_one(args, stack, console, json_target=None, summary=summary,
                        on_json=on_json if (args.json or json_dir) else None)
    except BaseException:  # noqa: BLE001 - reported, and the stack counts as failed (exit 2)
        traceback.print_exc()
        summary["error"] = "lz crashed planning this stack (traceback above)"
    summary["exit"] = code
    result.write(json.dumps({"summary": summary, "plan": doc[0] if doc else None}).encode())
    result.flush()
    return code


@dataclass
class _Running:
    """A forked child planning one stack: its pid and the files it writes (result, stdout, stderr)."""

    stack: str
    pid: int
    result: IO[bytes]
    out: IO[bytes]
    err: IO[bytes]


def _start_child(args: Any, stack: str, console: Console) -> _Running:
    """Fork a child that plans `stack`. Its stdout and stderr go to files of its own, which the parent
    copies out in stack order once it has ended, so children can run side by side and still print their
    output whole and in the order asked for."""
    sys.stdout.flush()
    sys.stderr.flush()
    # Closed by _finish_child once the child has ended (they outlive this function).
    result, out, err = (tempfile.TemporaryFile() for _ in range(3))  # noqa: SIM115
    pid = os.fork()
    if pid == 0:  # the child: plan, report, and leave without running the parent's cleanup
        code = EXIT_BAD_INPUT
        try:
            os.dup2(out.fileno(), sys.stdout.fileno())
            os.dup2(err.fileno(), sys.stderr.fileno())
            code = _child(args, stack, console, result)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return _Running(stack, pid, result, out, err)


def _finish_child(child: _Running, status: int) -> dict[str, Any]:
    """Copy the output of `child` (ended with wait `status`) to ours, and read its summary and plan."""
    code = os.waitstatus_to_exitcode(status)
    for source, target in ((child.out, sys.stdout), (child.err, sys.stderr)):
        source.seek(0)
        target.flush()
        shutil.copyfileobj(source, target.buffer)
        target.flush()
        source.close()
    child.result.seek(0)
    data = child.result.read()
    child.result.close()
    try:
        result = json.loads(data)
    except ValueError:
        result = {"summary": {"stack": child.stack, "error": f"the planning process ended with status {code}"},
                  "plan": None}
    result["summary"]["exit"] = code if code >= 0 else EXIT_BAD_INPUT  # killed by a signal: failed
    return result


def plan_jobs(requested: int | None, stacks: int) -> int:
    """How many stacks plan at once: `--jobs`, else one per core; never more than there are stacks."""
    jobs = requested if requested else (os.cpu_count() or 1)
    return max(1, min(jobs, stacks))


def summary_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Stacks", show_header=True, header_style="bold")
    for column in ("stack", "exit", "resources", "mandatory", "advisory", "schema", "$/month max", "s"):
        table.add_column(column, justify="left" if column == "stack" else "right")
    for row in rows:
        if row.get("resources") is None:
            table.add_row(row["stack"], str(row["exit"]), "-", "-", "-", "-", "-", "-")
            continue
        monthly = row.get("monthlyMax")
        table.add_row(row["stack"], str(row["exit"]), str(row["resources"]), str(row["mandatory"]),
                      str(row["advisory"]), str(row["schemaFindings"]),
                      f"{monthly:,.0f}" if monthly is not None else "-", f"{row['seconds']:.1f}")
    return table


class _Scheduler:
    """Children planning stacks, up to a number of slots at a time; ended ones kept until their turn."""

    def __init__(self, args: Any, stacks: list[str], console: Console) -> None:
        self.args, self.console = args, console
        self.waiting = list(stacks)
        self.running: dict[int, _Running] = {}
        self.ended: dict[str, tuple[_Running, int]] = {}

    def fill(self, slots: int) -> None:
        while self.waiting and len(self.running) < slots:
            child = _start_child(self.args, self.waiting.pop(0), self.console)
            self.running[child.pid] = child

    def reap(self, *, block: bool) -> None:
        """Collect ended children: every one that has ended, or (block) the next one to end."""
        while self.running:
            pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
            if pid == 0:
                return
            child = self.running.pop(pid, None)  # (anything else is not ours to report)
            if child is not None:
                self.ended[child.stack] = (child, status)
                if block:
                    return

    def result(self, stack: str, slots: int) -> tuple[_Running, int]:
        """Wait for `stack`, keeping `slots` children planning meanwhile."""
        while stack not in self.ended:
            self.fill(slots)
            self.reap(block=True)
        return self.ended.pop(stack)


def plan_many(args: Any, stacks: list[str], console: Console) -> int:
    project_dir = Path(args.C).resolve()
    if args.json_dir:
        Path(args.json_dir).mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(getattr(args, "jobs", None), len(stacks))
    servers = _start_fork_servers(args, project_dir)  # they warm up while this process does
    scheduler = _Scheduler(args, stacks, console)

    def keep_cores_busy() -> None:
        # The warm-up keeps one core busy for seconds; the other slots plan stacks meanwhile, each from
        # as warm a copy of this process as there is when its slot frees.
        scheduler.reap(block=False)
        scheduler.fill(jobs - 1)

    try:
        keep_cores_busy()
        warm_imports(project_dir, between=keep_cores_busy)
        for server in servers:
            try:
                server.wait_ready()
            except OSError:  # its packs start as processes of their own (PolicyPack falls back)
                analyzer.FORK_SERVERS.pop(server.pack_dir, None)
        return _report(args, stacks, console, scheduler, jobs)
    finally:
        for server in servers:
            server.close()
        analyzer.FORK_SERVERS.clear()


def _start_fork_servers(args: Any, project_dir: Path) -> list[PackForkServer]:
    """One fork server per Python policy pack the plans will run (lz/engine/packfork.py), registered
    for the children to start their packs from. A server that cannot start is skipped: its pack then
    starts as a process of its own in each plan, as in a single plan."""
    from .engine import nodepack
    from .engine.plan import pack_dirs

    servers: list[PackForkServer] = []
    for pack_dir in pack_dirs([Path(p) for p in args.policy_pack], not args.no_policy, project_dir):
        pack_dir = pack_dir.resolve()
        if (pack_dir / "PulumiPolicy.yaml").exists() and not nodepack.is_node(pack_dir):
            with contextlib.suppress(OSError):
                server = PackForkServer(pack_dir)
                servers.append(server)
                analyzer.FORK_SERVERS[server.pack_dir] = server  # a plan's launch waits until it listens
    return servers


def _report(args: Any, stacks: list[str], console: Console, scheduler: _Scheduler, jobs: int) -> int:
    """Print each stack's output whole, in the order named, as its turn comes (up to `jobs` children
    plan side by side meanwhile); then the JSON and one summary."""
    quiet = args.json == "-" or args.markdown
    rows: list[dict[str, Any]] = []
    plans: dict[str, Any] = {}
    for stack in stacks:
        child, status = scheduler.result(stack, jobs)
        if not quiet:
            console.rule(f"lz plan {child.stack}")
        result = _finish_child(child, status)
        rows.append(result["summary"])
        if result["plan"] is not None:
            plans[child.stack] = result["plan"]
    if args.json:
        text = json.dumps(plans, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text)
    Console(stderr=True, soft_wrap=True).print(summary_table(rows)) if quiet else console.print(summary_table(rows))
    return max(row["exit"] for row in rows)
