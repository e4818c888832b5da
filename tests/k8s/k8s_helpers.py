"""Shared builders for the Kubernetes platform tests (imported by module name; tests/k8s is on sys.path)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import kubernetes_validate

from components.config import validate_config
from components.config.model import LandingZoneConfig
from lz.engine.plan import Plan
from lz.report import new_state
from lz.testing import ROOT, committed_plan, inputs, plan_config, plan_stack

SOURCE = "stacks/Pulumi.t.yaml"


def config(doc: dict[str, Any]) -> LandingZoneConfig:
    return validate_config(doc, SOURCE)


def schema_check(manifest: dict[str, Any], version: str) -> None:
    """Raises kubernetes_validate.ValidationError if `manifest` breaks the OpenAPI schema (strict: no
    unknown fields) of Kubernetes `version`."""
    kubernetes_validate.validate(manifest, version, strict=True)


def kubernetes_objects(plan: Plan) -> list[dict[str, Any]]:
    """The wire inputs of every Kubernetes object in a plan, i.e. the manifests a real `up` would apply."""
    return [inputs(r) for r in plan.records if r.custom and r.type.startswith("kubernetes:")
            and not r.type.startswith("kubernetes:helm.sh/")]


def plan_committed_stack(stack: str, *, policy: bool = True) -> tuple[int, list[dict[str, Any]]]:
    """Plan a stack of this project: (exit code, the `newState` of every step as `lz plan --json`
    writes it; secrets read "[secret]")."""
    plan = committed_plan(stack) if policy else plan_stack(stack, policy=False)
    assert plan.run.error is None, plan.run.error
    return plan.exit_code, [new_state(r) for r in plan.records]


def of_kind(states: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [s for s in states if s["type"] == type_]


def plan_platform(tmp_path: Path, doc: dict[str, Any], platform_inputs: str) -> Plan:
    """Plan KubernetesPlatform alone, for a landing zone that is not built here.

    `platform_inputs` is Python source of a `PlatformInputs(...)` expression, standing in for what the
    AWS or GCP landing zone hands over.
    """
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: ai-landing-zone\nruntime: python\n")
    (project / "__main__.py").write_text(textwrap.dedent("""
        from components.config import validate_config
        from components.k8s.platform import KubernetesPlatform
        from components.platform_inputs import (
            ClusterAccess, FileTierHandle, GpuPoolHandle, PlatformInputs, TeamIdentity)
    """) + f"config = validate_config({doc!r}, {SOURCE!r})\n"
        f"KubernetesPlatform('platform', config, {platform_inputs})\n")
    return plan_config({}, project_dir=project, policy=False)


__all__ = ["ROOT", "SOURCE", "config", "kubernetes_objects", "of_kind", "plan_committed_stack", "plan_platform",
           "schema_check"]
