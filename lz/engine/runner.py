"""Run an unchanged Pulumi Python program under the recording monitor.

This mirrors what the Python language host does for `pulumi preview`: config is set from the stack
file, the program's directory is the working directory and first on `sys.path`, the program runs
as `__main__` inside `run_in_stack`, and a `pulumi.RunError` is reported as a plain message.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import os
import runpy
import site
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func

from . import process
from .deps import program_failure
from .invokes import InvokeResolver, Unanswered
from .mocks import Environment, OfflineEngineError
from .monitor import RecordingMonitor, Registration
from .project import Project, StackConfig
from .sdk_private import add_program_outputs, clear_output_tasks, finish_stack, take_async_program


@dataclass
class ProgramRun:
    records: list[Registration]
    outputs: Any  # google.protobuf Struct of stack outputs, or None
    stack_urn: str
    invokes: list[str] = field(default_factory=list)
    unanswered: list[Unanswered] = field(default_factory=list)  # invokes and reads shown as unknown
    error: str | None = None          # user-facing message
    error_kind: str | None = None     # "run" (RunError), "engine" (offline engine), "program" (exception)


def run_program(project: Project, stack: str, config: StackConfig, *,
                on_register: Callable[[Registration], None] | None = None,
                stack_outputs: dict[str, dict[str, Any]] | None = None,
                resolver: InvokeResolver | None = None, site_dirs: list[str] | None = None) -> ProgramRun:
    env = Environment(stack=stack, project=project.name, provider_config=config.provider_config())
    monitor = RecordingMonitor(env, on_register=on_register, stack_outputs=stack_outputs, resolver=resolver)
    context = contextvars.copy_context()
    return context.run(_run, project, stack, config, monitor, site_dirs or [])


#: Modules the last planned program loaded from its project directory. They stay loaded after its plan, so
#: the reports on that plan (cost, journeys: `components.*`, the pack's `lzpolicy`) use them instead of
#: importing them again, and are unloaded when the next plan starts: a program's modules must not leak
#: into the next plan (of another stack or project), whose program imports them afresh.
_program_modules: set[str] = set()


def _unload_program_modules() -> None:
    for name in _program_modules:
        sys.modules.pop(name, None)
    _program_modules.clear()


def _run(project: Project, stack: str, config: StackConfig, monitor: RecordingMonitor,
         site_dirs: list[str] | None = None) -> ProgramRun:
    _unload_program_modules()
    saved_cwd, saved_path = os.getcwd(), list(sys.path)
    saved_modules = set(sys.modules)
    program_dir = str(project.program.parent)
    error: str | None = None
    kind: str | None = None
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_consequences)
    # No cyclic garbage collection while the program runs: importing the provider SDKs creates hundreds
    # of thousands of long-lived objects (classes, typing forms), and each automatic collection of the
    # oldest generation walks all of them again (15-30 % of the floor's own CPU time: docs/engine.md,
    # Benchmark). _cancel_pending collects once when the program is over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        os.chdir(project.dir)
        sys.path.insert(0, program_dir)
        for site_dir in site_dirs or []:  # the program's own dependencies, after lz's (lz/engine/deps.py)
            site.addsitedir(site_dir)
        asyncio.set_event_loop(loop)
        # Output tasks are tracked process-wide; a previous plan's must not leak into this one.
        clear_output_tasks()
        set_all_config(dict(config.values), list(config.secret_keys))
        # set_mocks registers the root stack before the program starts, as the engine has it
        # by then; children then find their parent's URN resolved instead of all waiting on it.
        set_mocks(monitor.mocks, project=project.name, stack=stack, preview=True, monitor=monitor)
        loop.run_until_complete(run_pulumi_func(lambda: _program(project)))
    except pulumi.RunError as exc:
        error, kind = str(exc), "run"
    except OfflineEngineError as exc:
        error, kind = str(exc), "engine"
    except BaseException as exc:  # noqa: BLE001 - reported to the user, as the language host does
        if monitor.errors:
            error, kind = monitor.errors[0], "engine"
        elif (message := program_failure(exc, project, monitor)) is not None:
            error, kind = message, "program"
        else:
            error = "program failed with an unhandled exception:\n" + "".join(
                traceback.format_exception(type(exc), exc, exc.__traceback__))
            kind = "program"
    finally:
        clear_output_tasks()
        _cancel_pending(loop)
        if collecting:
            gc.enable()
        asyncio.set_event_loop(None)
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        # Modules of the planned project must not leak into the next plan: unloaded when it starts.
        for name in set(sys.modules) - saved_modules:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            # A virtualenv inside the project (`.venv/`) holds the providers: those must stay
            # loaded, a provider package cannot register twice in one process.
            if module_file.startswith(str(project.dir)) and not module_file.startswith(sys.prefix):
                _program_modules.add(name)
    if error is None and monitor.errors:
        error, kind = monitor.errors[0], "engine"
    return ProgramRun(records=monitor.records, outputs=monitor.stack_outputs, stack_urn=monitor.stack_urn,
                      invokes=monitor.invokes, error=error, error_kind=kind,
                      unanswered=list(monitor.resolver.unanswered) if monitor.resolver is not None else [])


def _quiet_consequences(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # After a failed plan, every output that depended on the failed RPC holds the same exception;
    # the plan already reports it once. Anything else still goes to the default handler.
    if "never retrieved" not in str(context.get("message", "")):
        loop.default_exception_handler(context)


async def _program(project: Project) -> None:
    """What `run_in_stack` does for the language host, on the stack that set_mocks registered."""
    stack = pulumi_settings.get_root_resource()
    try:
        runpy.run_path(str(project.program), run_name="__main__")
        program = take_async_program(stack)  # a program written with pulumi.run(async_fn)
        if program is not None:
            add_program_outputs(stack, await program())
    finally:
        # set_mocks finished the stack with no outputs; register the program's exports now.
        finish_stack(stack)


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    # Finalize abandoned futures now: left to a later garbage collection, their finalizers run
    # inside whatever the process does next (CPython 3.11's ast.parse then fails its recursion check).
    with warnings.catch_warnings():
        # Coroutines a failed program created but never awaited: consequences of the reported error.
        warnings.simplefilter("ignore", RuntimeWarning)
        if process.ENDS_WITH_COMMAND:
            # The `lz` command ends soon and never tears down: rather than walk everything the plan
            # allocated (the SDK modules included) once more, move it all to the permanent generation,
            # which no later collection examines, so no finalizer of it runs later either ("gc.freeze():
            # Freeze all the objects tracked by the garbage collector; move them to a permanent
            # generation and ignore them in all the future collections", docs.python.org/3/library/gc.html).
            gc.freeze()
        else:
            gc.collect()
    loop.close()
