"""The Pulumi SDK internals the offline engine relies on, in one place.

`LzMonitor` (monitor.py) serializes resource state the way the SDK's own `MockMonitor` does
(pulumi/runtime/mocks.py), which calls two private helpers of `pulumi.runtime.sync_await`; the runner
(runner.py) runs the program on the mocked root stack as `pulumi.runtime.stack.run_in_stack` does, which
takes the stack's private program and output hooks and the process-wide output-task set. None of this is
a public API, so pyproject.toml bounds pulumi to the minor release it was tested with (3.272), and an SDK
that moved them fails here with a message that says so, instead of deep inside a plan.
"""

from __future__ import annotations

from importlib.metadata import version

try:
    from pulumi.runtime.sync_await import _ensure_event_loop as ensure_event_loop
    from pulumi.runtime.sync_await import _sync_await as sync_await
except ImportError as exc:  # pragma: no cover - only with an SDK outside the pinned range
    raise ImportError(
        f"lz's offline engine needs pulumi.runtime.sync_await._sync_await and _ensure_event_loop, which the "
        f"installed pulumi {version('pulumi')} does not have ({exc}); install the pulumi version pinned in "
        "pyproject.toml") from None

from collections.abc import Awaitable, Callable
from typing import Any

import pulumi
from pulumi.runtime import settings as _settings


def clear_output_tasks() -> None:
    """Forget the output tasks the SDK tracks process-wide (a previous plan's must not leak into the next)."""
    _settings.SETTINGS.outputs.clear()


def take_async_program(stack: pulumi.Resource) -> Callable[[], Awaitable[Any]] | None:
    """The program a project registered with `pulumi.run(async_fn)`, if any (`Stack._take_async_program`)."""
    return stack._take_async_program()  # type: ignore[attr-defined]


def add_program_outputs(stack: pulumi.Resource, outputs: Any) -> None:
    stack._add_program_outputs(outputs)  # type: ignore[attr-defined]


def finish_stack(stack: pulumi.Resource) -> None:
    """Register the root stack's outputs again: `set_mocks` finished it before the program exported any."""
    stack._outputs_registered = False  # type: ignore[attr-defined]
    stack._finish()  # type: ignore[attr-defined]


__all__ = ["add_program_outputs", "clear_output_tasks", "ensure_event_loop", "finish_stack", "sync_await",
           "take_async_program"]
