"""Shared plans and lookups for the GCP landing-zone tests (imported by module name; tests/gcp is on sys.path).

The example stacks are planned once per test session, with the policy pack, exactly as `lz plan` does.
"""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import pulumi_gcp
import pulumi_kubernetes

from lz.engine.monitor import Registration
from lz.engine.plan import Plan
from lz.testing import committed_plan, inputs, of_type, plan_config

P = "ai-landing-zone"

# The offline runner unloads, after each plan, the modules first imported from under the project
# directory, and .venv sits there: SDK submodules loaded lazily during one plan would be re-imported by
# the next, which pulumi refuses (or resolves type hints against the new copy and fails). Loading them
# before any plan keeps one copy for the whole session. Any plain attribute lookup makes a lazily
# imported SDK module load itself (introspection attributes such as __dict__ do not).
_SDK_MODULES = (
    *(f"pulumi_gcp.{m}" for m in ("compute", "container", "kms", "storage", "logging", "orgpolicy", "projects",
                                  "serviceaccount", "servicenetworking", "lustre", "filestore", "parallelstore",
                                  "organizations")),
    *(f"pulumi_kubernetes.{m}" for m in ("apiextensions", "meta.v1", "core.v1", "networking.v1", "rbac.v1",
                                         "scheduling.v1", "storage.v1", "helm.v3", "policy.v1", "apps.v1")),
)
for _name in _SDK_MODULES:
    getattr(importlib.import_module(_name), "load_now", None)
assert pulumi_gcp and pulumi_kubernetes


def stack_plan(stack: str) -> Plan:
    return committed_plan(stack)


def plan_gcp(overrides: dict[str, Any], *, stack: str = "t", policy: bool = False) -> Plan:
    """Plan a minimal GCP document with `overrides` (keys without the project prefix)."""
    doc: dict[str, Any] = {
        "gcp:project": "acme-test", "gcp:region": "us-central1",
        f"{P}:environment": "dev", f"{P}:cloud": "gcp", f"{P}:region": "us-central1",
        f"{P}:gcpProject": "acme-test", f"{P}:tags": {"costCenter": "ml-test"},
        f"{P}:network": {"zones": ["us-central1-a", "us-central1-b"]},
    }
    doc.update({f"{P}:{k}": v for k, v in overrides.items()})
    result = plan_config(doc, stack=stack, policy=policy)
    assert result.run.error is None, result.run.error
    return result


def landing_zone_records(plan: Plan) -> list[Registration]:
    """Every resource under the `lz:gcp:LandingZone` component (not the Kubernetes platform layer)."""
    root = next(r for r in plan.records if r.type == "lz:gcp:LandingZone")
    by_urn = {r.urn: r for r in plan.records}

    def under(record: Registration) -> bool:
        parent = record.parent
        while parent:
            if parent == root.urn:
                return True
            parent = by_urn[parent].parent if parent in by_urn else ""
        return False

    return [r for r in plan.records if under(r)]


def inventory(plan: Plan) -> dict[str, int]:
    """Resource counts by type under the landing zone, components included (Fabric-style inventory)."""
    return dict(sorted(Counter(r.type for r in landing_zone_records(plan)).items()))


def one(plan: Plan, type_: str, name_suffix: str = "") -> Registration:
    found = [r for r in of_type(plan, type_) if r.name.endswith(name_suffix)]
    assert len(found) == 1, f"{type_} *{name_suffix}: {[r.name for r in found]}"
    return found[0]


def named(plan: Plan, type_: str, name_suffix: str) -> dict[str, Any]:
    return inputs(one(plan, type_, name_suffix))
