"""`lz plan`: run the program and the policy packs together, as `pulumi preview --policy-pack` does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from components.names import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION, PROJECT

from .analyzer import EngineServer, PolicyPack, PolicyPackError, Violation, load_pack_config
from .deps import program_site_dirs
from .invokes import InvokeResolver, load_invoke_answers
from .monitor import Registration
from .project import Project, StackConfig, load_project, load_stack_config
from .runner import ProgramRun, run_program
from .schema import Finding, SchemaReport, check_plan


@dataclass
class PlanRequest:
    project_dir: Path
    stack: str
    policy_packs: list[Path] = field(default_factory=list)
    policy_pack_configs: list[Path] = field(default_factory=list)
    stack_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    use_project_pack: bool = True  # our own projects carry their pack in ./policies
    stack_document: dict[str, Any] | None = None  # stands in for the stack file (tests, templates)
    schema_check: bool = True  # check every registration against its provider SDK's schema
    strict: bool = False       # schema findings fail the plan (exit 1) instead of warning; unanswered
                               # invokes and reads fail it (exit 2) instead of planning as unknown
    invoke_answers: Path | None = None  # --invoke-answers FILE (lz/engine/invokes.py)
    # Reports computed from the plan (cost, journeys: they read the registrations, never the verdicts),
    # run while the packs judge the stack in their own processes; what they store in `Plan.derived`
    # is shown by every output. A failed program is not derived from.
    derive: Callable[[Plan], None] | None = None


@dataclass
class PackSummary:
    name: str
    version: str
    dir: str
    config_file: str | None
    policies: int
    levels: dict[str, str]


@dataclass
class Plan:
    project: Project
    stack: str
    config: StackConfig
    run: ProgramRun
    violations: list[Violation]
    packs: list[PackSummary]
    seconds: dict[str, float]
    derived: dict[str, Any] = field(default_factory=dict)  # reports computed from the plan, once
    schema: SchemaReport | None = None  # None: the check was not run (--no-schema-check)
    strict: bool = False

    @property
    def records(self) -> list[Registration]:
        return self.run.records

    @property
    def ok(self) -> bool:
        return self.run.error is None

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def schema_findings(self) -> list[Finding]:
        return self.schema.findings if self.schema is not None else []

    @property
    def failed_schema(self) -> bool:
        """Schema findings are warnings; under `--strict` they fail the plan like a mandatory violation."""
        return self.strict and bool(self.schema_findings)

    @property
    def exit_code(self) -> int:
        if self.run.error is not None:
            return EXIT_BAD_INPUT
        return EXIT_VIOLATION if self.mandatory or self.failed_schema else EXIT_OK


def _environment_of(project: Project, config: StackConfig) -> str | None:
    """The stack's environment kind: `<project>:environment`, or the landing zone's own key in a
    project made from one of its templates (which keeps the `ai-landing-zone:` namespace)."""
    for key in (f"{project.name}:environment", f"{PROJECT}:environment"):
        value = config.get(key)
        if isinstance(value, str):
            return value
    return None


def pack_dirs(policy_packs: list[Path], use_project_pack: bool, project_dir: Path) -> list[Path]:
    """The policy packs a plan runs: those named (--policy-pack), else the project's own ./policies."""
    if not policy_packs and use_project_pack and (project_dir / "policies" / "PulumiPolicy.yaml").exists():
        return [project_dir / "policies"]
    return list(policy_packs)


def _pack_jobs(request: PlanRequest, project: Project, config: StackConfig) -> list[tuple[Path, Path | None]]:
    packs = pack_dirs(request.policy_packs, request.use_project_pack, project.dir)
    jobs: list[tuple[Path, Path | None]] = []
    environment = _environment_of(project, config)
    for i, pack in enumerate(packs):
        if i < len(request.policy_pack_configs):
            config_file: Path | None = request.policy_pack_configs[i]
        else:
            # The pack's per-environment file, chosen by the stack's environment kind.
            candidate = pack / "config" / f"{environment}.json" if environment else None
            config_file = candidate if candidate is not None and candidate.exists() else None
        jobs.append((pack, config_file))
    return jobs


class _Streamer:
    """Sends each registration to every pack as soon as both exist (packs start during the run)."""

    def __init__(self) -> None:
        self.packs: list[PolicyPack] = []
        self.backlog: list[Registration] = []
        self.by_urn: dict[str, Registration] = {}
        self.lock = threading.Lock()
        self.ready = False

    def on_register(self, registration: Registration) -> None:
        with self.lock:
            self.by_urn[registration.urn] = registration
            if not self.ready:
                self.backlog.append(registration)
                return
        for pack in self.packs:
            pack.analyze_async(registration, self.by_urn)

    def start(self, packs: list[PolicyPack]) -> None:
        with self.lock:
            self.packs = packs
            self.ready = True
            backlog, self.backlog = self.backlog, []
        for registration in backlog:
            for pack in packs:
                pack.analyze_async(registration, self.by_urn)


def _judged(pack: PolicyPack, analysis: Callable[[], list[Violation]]) -> list[Violation]:
    """Run one pack's analysis; a pack that fails says why, with what it printed, not a bare gRPC error."""
    try:
        return analysis()
    except grpc.RpcError as exc:
        printed = pack.stderr.strip()
        raise PolicyPackError(f"policy pack {pack.name} ({pack.dir}) failed: {exc.details() or exc.code()}"
                              + (f"\n{printed}" if printed else "")) from None


def _wait_for_packs(starter: threading.Thread, pack_error: list[BaseException]) -> None:
    """Wait for the packs to be started and configured; a pack that could not start is the plan's error."""
    starter.join()
    if pack_error:
        raise pack_error[0]


class _Judging:
    """The packs' verdicts on a finished program, asked for at once and waited for last.

    In the engine's order: every per-resource Analyze answered, then AnalyzeStack. A thread makes the
    calls; they wait in gRPC's core, without the GIL, while the caller checks schemas and derives
    reports. `verdicts()` joins it and re-raises what failed (a PolicyPackError that says why)."""

    def __init__(self, packs: list[PolicyPack], records: list[Registration]) -> None:
        self.packs, self.records = packs, records
        self.found: list[Violation] = []
        self.error: list[BaseException] = []
        self.thread = threading.Thread(target=self._judge, daemon=True)
        self.thread.start()

    def _judge(self) -> None:
        try:
            for pack in self.packs:
                self.found.extend(_judged(pack, pack.collect))
            for pack in self.packs:
                self.found.extend(_judged(pack, lambda p=pack: p.analyze_stack(self.records)))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread by verdicts()
            self.error.append(exc)

    def verdicts(self) -> list[Violation]:
        self.thread.join()
        if self.error:
            raise self.error[0]
        return self.found


def plan(request: PlanRequest, progress: Callable[[str], None] | None = None) -> Plan:
    say = progress or (lambda message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    project = load_project(request.project_dir)
    config = load_stack_config(project, request.stack, request.stack_document)
    resolver = InvokeResolver(strict=request.strict)
    if request.invoke_answers is not None:
        resolver.answers = load_invoke_answers(request.invoke_answers)
    site_dirs = program_site_dirs(project.dir, project.runtime_options, say)
    jobs = _pack_jobs(request, project, config)
    file_configs = [(pack, cfg, load_pack_config(cfg) if cfg else {}) for pack, cfg in jobs]

    engine = EngineServer() if jobs else None
    streamer = _Streamer()
    packs: list[PolicyPack] = []
    pack_error: list[BaseException] = []

    def start_packs() -> None:
        try:
            for pack_dir, cfg_path, cfg in file_configs:
                pack = PolicyPack(pack_dir, engine, project.name, request.stack, config)  # type: ignore[arg-type]
                packs.append(pack)
                pack.configure(cfg, source=str(cfg_path) if cfg_path else f"{pack_dir} defaults")
            streamer.start(packs)
            timings["packsReady"] = time.perf_counter() - started
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread below
            pack_error.append(exc)

    starter = threading.Thread(target=start_packs, daemon=True)
    if jobs:
        say(f"starting {len(jobs)} policy pack(s)")
        starter.start()
    try:
        say(f"running {project.relative(project.program)} for stack {request.stack}")
        run = run_program(project, request.stack, config, on_register=streamer.on_register,
                          stack_outputs=request.stack_outputs, resolver=resolver, site_dirs=site_dirs)
        timings["program"] = time.perf_counter() - started
        violations: list[Violation] = []
        judging: _Judging | None = None
        if jobs:
            _wait_for_packs(starter, pack_error)
            if run.error is None:
                judging = _Judging(packs, run.records)
        schema: SchemaReport | None = None
        if request.schema_check:
            # While the packs judge the registrations they were streamed, in their own processes. A
            # failed program is checked too: what it registered may explain the failure (the SDK
            # raises on an output that is not a member of its enum, where a provider's Check says why).
            say(f"checking {len(run.records)} resources against their provider schemas")
            schema = check_plan(run.records)
            timings["schema"] = schema.seconds
        summaries = [PackSummary(name=p.name, version=p.version, dir=str(p.dir),
                                 config_file=str(c) if c else None, policies=len(p.policies), levels=p.levels)
                     for p, (_, c, _) in zip(packs, file_configs, strict=False)]
        result = Plan(project=project, stack=request.stack, config=config, run=run, violations=violations,
                      packs=summaries, seconds=timings, schema=schema, strict=request.strict)
        if request.derive is not None and run.error is None:
            mark = time.perf_counter()
            request.derive(result)
            timings["cost"] = time.perf_counter() - mark
        waited = time.perf_counter()
        if judging is not None:
            say(f"analyzing {len(run.records)} resources")
            violations.extend(judging.verdicts())
        if jobs:
            timings["analysis"] = time.perf_counter() - waited  # what the plan waited for the packs
        timings["total"] = time.perf_counter() - started
        return result
    finally:
        for pack in packs:
            pack.close()
        if engine is not None:
            engine.stop()


__all__ = ["Plan", "PlanRequest", "PolicyPackError", "plan"]
