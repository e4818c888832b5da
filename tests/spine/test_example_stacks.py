"""Every example stack plans clean: exit 0, the preview-shaped JSON, real-engine URNs, and no policy
violation (what the README promises); and every resource type the stacks create that the reference
guardrails name is judged by at least one rule.

The stacks are planned once per session (`lz.testing.committed_plan`) and rendered with the CLI's own
JSON writer; one stack also goes through the real CLI in a subprocess, as a user runs it, and must give
the same document."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache

import pytest

from lz.report import plan_json
from lz.testing import ROOT, committed_plan

STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@cache
def planned(stack: str) -> tuple[int, dict, str]:
    plan = committed_plan(stack)
    return plan.exit_code, json.loads(json.dumps(plan_json(plan))), plan.run.error or ""


def test_the_cli_writes_the_same_plan_as_the_library():
    proc = subprocess.run([sys.executable, "-m", "lz", "plan", "dev", "--json", "-"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    through_cli = json.loads(proc.stdout)
    _, doc, _ = planned("dev")
    for key in ("config", "changeSummary", "policyViolations", "outputs", "cost", "diagnostics", "lz"):
        assert _untimed(through_cli[key]) == _untimed(doc[key]), key
    # Registration order (and so the order of steps and of dependency lists) follows the program's
    # asynchronous resolution, so two runs may list the same steps in a different order.
    assert _steps(through_cli) == _steps(doc)


def _untimed(value):
    """`value` without wall-time figures (`seconds`), which differ between two runs."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "seconds"}
    return value


def _steps(doc: dict) -> dict:
    def state(new_state: dict) -> str:
        normal = {**new_state, "dependencies": sorted(new_state.get("dependencies", [])),
                  "propertyDependencies": {k: sorted(v) for k, v in new_state.get("propertyDependencies", {}).items()}}
        return json.dumps(normal, sort_keys=True)
    return {step["urn"]: (step["type"], step["provider"], state(step["newState"])) for step in doc["steps"]}


def test_the_example_stacks_are_the_documented_ones():
    assert STACKS == ["dev", "gcp-dev", "gcp-prod", "onprem", "prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_plans_clean(stack):
    code, doc, stderr = planned(stack)
    assert code == 0, stderr
    assert doc["changeSummary"]["create"] == len(doc["steps"]) > 0
    assert doc["policyViolations"] == []
    stack_urn = f"urn:pulumi:{stack}::ai-landing-zone::pulumi:pulumi:Stack::ai-landing-zone-{stack}"
    assert doc["steps"][0]["urn"] == stack_urn
    assert all(s["urn"].startswith(f"urn:pulumi:{stack}::ai-landing-zone::") for s in doc["steps"])
    assert not any("pulumi:pulumi:Stack$" in s["urn"] for s in doc["steps"])
    assert doc["outputs"]["environment"] in ("dev", "staging", "prod")
    assert doc["cost"]["monthly"]["min"] <= doc["cost"]["monthly"]["max"]
    assert doc["lz"]["policyPacks"][0]["config"].endswith(f"policies/config/{doc['outputs']['environment']}.json")


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_meets_its_provider_schemas(stack):
    code, doc, stderr = planned(stack)
    assert code == 0, stderr
    summary = doc["lz"]["schemaCheck"]
    # Every registration but the stack itself is checked (custom resources, providers and provider-side
    # components such as yaml/v2 ConfigFile), skipped (no SDK class: CRDs) or is a local component.
    assert summary["checkedResources"] + summary["skippedResources"] + summary["components"] == len(doc["steps"]) - 1
    assert all("no SDK schema" in t["reason"] for t in summary["skippedTypes"])
    assert [f"{f['urn']} {f['path']}: {f['problem']}" for f in doc["schemaFindings"]] == []


def test_every_guardrail_type_the_stacks_create_is_judged():
    from lz.policies_cmd import DEFAULT_PACK, load_rules

    reference = set(json.loads((ROOT / "policies" / "guardrail_resource_types.json").read_text())["types"])
    created = {step["type"] for stack in STACKS for step in planned(stack)[1]["steps"]}
    judged = {t for rule in load_rules(DEFAULT_PACK) for t in rule.resource_types}
    assert len(reference & created) >= 30
    assert sorted((reference & created) - judged) == []


@pytest.mark.parametrize("stack", STACKS)
def test_journey_table_agrees_with_the_pack(stack):
    """`--json` carries one journey per golden workload; each failing one is the pack's mandatory violation."""
    _, doc, stderr = planned(stack)
    journeys = doc["journeys"]
    assert journeys, stderr
    for j in journeys:
        assert set(j) >= {"workload", "team", "pool", "verdict", "failedStep", "detail", "steps"}
        assert [s["step"] for s in j["steps"]] == ["admitted", "placed", "capacity", "identity", "network",
                                                   "interconnect", "pulled"]
    failing = {j["workload"] for j in journeys if j["verdict"] == "fails"}
    reported = {v["message"].split("golden workload ", 1)[1].split(" ", 1)[0]
                for v in doc["policyViolations"] if v["policyName"] == "golden-workload-journeys"}
    assert reported == failing
    assert all(v["enforcementLevel"] == "mandatory" for v in doc["policyViolations"]
               if v["policyName"] == "golden-workload-journeys")


@pytest.mark.parametrize("stack", STACKS)
def test_every_golden_workload_runs(stack):
    """Issue 12's bar: every golden workload of every example stack passes its journey."""
    _, doc, _ = planned(stack)
    assert [(j["workload"], j["failedStep"], j["detail"]) for j in doc["journeys"] if j["verdict"] != "runs"] == []


def test_lz_workloads_writes_the_published_manifests(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "lz", "workloads", "dev", "-o", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml"))
    assert files == ["applied/l40s-spot-serve.yaml", "applied/l40s-spot-train.yaml",
                     "research/l40s-spot-serve.yaml", "research/l40s-spot-train.yaml"]
    assert "kubernetes.goldenImages" in proc.stderr   # no image configured: said, not invented


def test_markdown_summary_carries_the_journey_table():
    proc = subprocess.run([sys.executable, "-m", "lz", "plan", "gcp-dev", "--markdown"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert "| golden workload | team | pool | verdict | first failing step |" in proc.stdout
    assert "| `research/l4-spot-train` | research | l4-spot |" in proc.stdout


def test_the_component_tree_does_not_depend_on_registration_order():
    # The SDK registers from a pool of threads: an unchanged program registers in another order on the
    # next run. The tree shown to people must not change with it.
    import dataclasses
    import io
    import random

    from rich.console import Console

    from lz.report import render_human

    plan = committed_plan("dev")

    def tree(records):
        run = dataclasses.replace(plan.run, records=records)
        shown = dataclasses.replace(plan, run=run, derived=dict(plan.derived))
        out = io.StringIO()
        render_human(shown, Console(file=out, width=160, color_system=None))
        return out.getvalue().split("\nPlan:")[0]

    shuffled = list(plan.records)
    random.Random(7).shuffle(shuffled)
    assert tree(shuffled) == tree(list(plan.records))
