"""The Pulumi SDK internals the offline engine relies on, in one place.

`LzMonitor` (monitor.py) serializes resource state the way the SDK's own `MockMonitor` does
(pulumi/runtime/mocks.py), which calls these two private helpers of `pulumi.runtime.sync_await`. They are
not a public API, so pyproject.toml bounds pulumi to a range starting at the release it was tested with
(3.272), and an SDK that moved them fails here with a message that says so, instead of deep inside a plan.
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

__all__ = ["ensure_event_loop", "sync_await"]
