"""Golden-workload journeys of a recorded plan, judged by the policy pack's own functions.

`lz plan` shows which golden workloads would run (and the first step that fails for the others);
the verdicts come from `policies/lzpolicy/journeys/`, the package the pack's
`golden-workload-journeys` rule runs, applied to the same resources the engine sent the pack.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from .engine.monitor import unwrap_secrets
from .engine.plan import Plan

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policies"


def _lzpolicy(module: str) -> Any:
    for path in (str(PACK), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    return importlib.import_module(f"lzpolicy.{module}")


def stack_view(plan: Plan) -> Any:
    """The plan's resources as the pack's stack rules see them (wire-format inputs, dependencies)."""
    rule = _lzpolicy("rule")
    views = [rule.ResourceView(
        type=r.type, props=unwrap_secrets(r.wire_inputs), urn=r.urn, name=r.name, protect=r.protect,
        config={}, parent=r.parent, dependencies=tuple(r.dependencies),
        property_dependencies={k: tuple(v) for k, v in r.property_dependencies.items()},
    ) for r in plan.records if r.custom and not r.type.startswith("pulumi:providers:")]
    return rule.StackView(resources=views, config={})


def plan_journeys(plan: Plan) -> list[dict[str, Any]]:
    """`[{workload, team, pool, verdict, failedStep, detail, steps}]` for every golden workload."""
    if plan.run.error:
        return []
    if "journeys" not in plan.derived:
        journeys = _lzpolicy("journeys")
        plan.derived["journeys"] = [j.as_json() for j in journeys.journeys(stack_view(plan))]
    return plan.derived["journeys"]


def golden_manifests(plan: Plan) -> dict[str, str]:
    """{"<namespace>/<file>.yaml": YAML} of every golden-workloads ConfigMap in the plan."""
    journeys = _lzpolicy("journeys")
    out: dict[str, str] = {}
    view = stack_view(plan)
    for cm in view.of_type(*journeys.K8S_CONFIGMAP):
        if cm.known("metadata", "name") != journeys.CONFIGMAP:
            continue
        namespace = journeys.namespace_of(view, cm)
        for key, text in sorted((cm.known("data", default={}) or {}).items()):
            out[f"{namespace}/{key}"] = text
    return out
