"""Fabric-style inventories: each example stack plans exactly the AWS resources its inventory lists.

`inventory/<stack>.yaml` holds `counts` (resources per type token, AWS and lz:aws only: the Kubernetes
layer has its own tests) and `values` ("<type>::<name>" -> inputs that must match). A change that adds,
drops or reshapes a resource must update the inventory, with its derivation comment, in the same commit.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_plans import aws_records, stack_plan

from lz.testing import inputs

INVENTORY = Path(__file__).resolve().parent / "inventory"


def _subset_mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        return [m for k, v in expected.items() for m in _subset_mismatches(v, actual.get(k), f"{path}.{k}")]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request):
    return request.param, yaml.safe_load((INVENTORY / f"{request.param}.yaml").read_text())


def test_resource_counts_by_type(stack):
    name, inventory = stack
    counts = Counter(r.type for r in aws_records(stack_plan(name)))
    assert dict(sorted(counts.items())) == dict(sorted(inventory["counts"].items()))


def test_key_values(stack):
    name, inventory = stack
    by_key = {f"{r.type}::{r.name}": r for r in aws_records(stack_plan(name))}
    problems = []
    for key, expected in inventory["values"].items():
        if key not in by_key:
            problems.append(f"{key}: not planned")
            continue
        problems += [f"{key}{m}" for m in _subset_mismatches(expected, inputs(by_key[key]))]
    assert problems == []


def test_plans_pass_the_policy_pack(stack):
    plan = stack_plan(stack[0])
    assert plan.exit_code == 0, [f"{v.policy_name}: {v.message}" for v in plan.mandatory]
