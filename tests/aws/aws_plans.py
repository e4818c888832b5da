"""Shared plans and lookups for the AWS landing-zone tests (imported by module name; tests/aws is on sys.path).

The example stacks are planned once per test session, with the policy pack, exactly as `lz plan` does.
Inline documents (`plan_aws`) plan without the pack and without teams unless given, which keeps them fast.
"""

from __future__ import annotations

import json
from typing import Any

from lz.engine.monitor import Registration
from lz.engine.plan import Plan
from lz.testing import committed_plan, inputs, of_type, plan_config

P = "ai-landing-zone"


def stack_plan(stack: str) -> Plan:
    return committed_plan(stack)


def plan_aws(overrides: dict[str, Any], *, region: str = "us-east-1", stack: str = "t") -> Plan:
    """Plan a minimal AWS document with `overrides` (keys without the project prefix)."""
    doc: dict[str, Any] = {
        "aws:region": region,
        f"{P}:environment": "dev",
        f"{P}:cloud": "aws",
        f"{P}:tags": {"costCenter": "ml-test"},
        f"{P}:network": {"zones": [f"{region}a", f"{region}b"]},
    }
    doc.update({f"{P}:{k}": v for k, v in overrides.items()})
    result = plan_config(doc, stack=stack, policy=False)
    assert result.run.error is None, result.run.error
    return result


def one(plan: Plan, type_: str, name_suffix: str = "") -> Registration:
    found = [r for r in of_type(plan, type_) if r.name.endswith(name_suffix)]
    assert len(found) == 1, f"{type_} *{name_suffix}: {[r.name for r in found]}"
    return found[0]


def named(plan: Plan, type_: str, name_suffix: str) -> dict[str, Any]:
    return inputs(one(plan, type_, name_suffix))


def doc(value: Any) -> dict[str, Any]:
    """A policy document input (JSON text on the wire)."""
    return json.loads(value) if isinstance(value, str) else value


def aws_records(plan: Plan) -> list[Registration]:
    return [r for r in plan.records if r.type.startswith(("aws:", "lz:aws:"))]
