"""The engine's default provider of a package is registered once, however many resources ask at once."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import lz.engine.monitor as monitor_module
from lz.engine.mocks import Environment
from lz.engine.monitor import RecordingMonitor


class _SlowUuid:
    """uuid with a pause where the monitor builds the provider: widens the window a race needs."""

    @staticmethod
    def UUID(*args, **kwargs):  # noqa: N802 - stands in for uuid.UUID
        time.sleep(0.05)
        return uuid.UUID(*args, **kwargs)


def test_concurrent_first_registrations_share_one_default_provider(monkeypatch):
    # The SDK sends RegisterResource from its thread pool, so the first resources of a package arrive
    # together; each used to see no provider yet and create one, and all but one failed as duplicates.
    monkeypatch.setattr(monitor_module, "uuid", _SlowUuid)
    monitor = RecordingMonitor(Environment(stack="s", project="p"))
    barrier = threading.Barrier(4)

    def ask() -> str:
        barrier.wait()
        return monitor._default_provider("aws", "7.0.0")

    with ThreadPoolExecutor(max_workers=4) as pool:
        refs = list(pool.map(lambda _: ask(), range(4)))
    assert len(set(refs)) == 1
    assert [r.type for r in monitor.records] == ["pulumi:providers:aws"]
    assert not monitor.errors
