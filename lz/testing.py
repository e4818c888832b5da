"""Helpers for tests: plan this project (or another) with a given stack document, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.protobuf import json_format

from .engine.monitor import Registration, unwrap_secrets
from .engine.plan import Plan, PlanRequest, plan

ROOT = Path(__file__).resolve().parents[1]


def plan_stack(stack: str, *, project_dir: Path = ROOT, policy: bool = True, **kwargs: Any) -> Plan:
    """Plan a stack file that exists under the project's stackConfigDir."""
    return plan(PlanRequest(project_dir=project_dir, stack=stack, use_project_pack=policy, **kwargs))


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
