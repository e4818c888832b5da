"""Helpers for tests: plan this project (or another) with a given stack document, offline."""

from __future__ import annotations

import fcntl
import functools
import os
import pickle
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from .engine.monitor import Registration, unwrap_secrets
from .engine.plan import Plan, PlanRequest, plan

ROOT = Path(__file__).resolve().parents[1]
#: A directory shared by the processes of one test session (pytest-xdist workers): the committed stacks'
#: plans are made once per session, by the first worker that needs each, not once per worker.
SHARED_PLANS_ENV = "LZ_TEST_SHARED_PLANS"


def plan_stack(stack: str, *, project_dir: Path = ROOT, policy: bool = True, **kwargs: Any) -> Plan:
    """Plan a stack file that exists under the project's stackConfigDir."""
    return plan(PlanRequest(project_dir=project_dir, stack=stack, use_project_pack=policy, **kwargs))


@functools.cache
def committed_plan(stack: str) -> Plan:
    """A committed example stack of this project, planned with its policy pack once per test session and
    shared by every test that reads it (tests must not mutate it). A plan that failed to run fails the
    caller. Under pytest-xdist the workers share it through `$LZ_TEST_SHARED_PLANS` (tests/conftest.py)."""
    shared = os.environ.get(SHARED_PLANS_ENV)
    if not shared:
        return _checked_plan(stack)
    directory = Path(shared)
    saved = directory / f"{stack}.pickle"
    with open(directory / f"{stack}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker plans, the others wait for its file
        if saved.exists():
            return pickle.loads(saved.read_bytes())  # noqa: S301 - written by this session, above
        result = _checked_plan(stack)
        partial = saved.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(result))
        partial.replace(saved)
        return result


def _checked_plan(stack: str) -> Plan:
    result = plan_stack(stack)
    if result.run.error is not None:
        raise AssertionError(f"stack {stack} did not plan:\n{result.run.error}")
    return result


def plan_config(config: dict[str, Any], *, stack: str = "test", project_dir: Path = ROOT,
                policy: bool = True, **kwargs: Any) -> Plan:
    """Plan a stack document given inline: `{"aws:region": ..., "ai-landing-zone:cloud": ...}`."""
    return plan(PlanRequest(project_dir=project_dir, stack=stack, use_project_pack=policy,
                            stack_document={"config": config}, **kwargs))


def of_type(result: Plan, type_: str) -> list[Registration]:
    return [r for r in result.records if r.type == type_]


def inputs(record: Registration) -> dict[str, Any]:
    """Wire-format (camelCase) inputs of a registration, secrets unwrapped."""
    return unwrap_secrets(json_format.MessageToDict(record.inputs))
