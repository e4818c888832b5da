"""Every example stack plans through the real CLI, as a user runs it: exit 0, the preview-shaped JSON,
real-engine URNs, and no policy violation (what the README promises)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lz.testing import ROOT

STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_the_example_stacks_are_the_documented_ones():
    assert STACKS == ["dev", "gcp-dev", "gcp-prod", "onprem", "prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_plans_clean(stack):
    proc = subprocess.run([sys.executable, "-m", "lz", "plan", stack, "--json", "-"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["changeSummary"]["create"] == len(doc["steps"]) > 0
    assert doc["policyViolations"] == []
    stack_urn = f"urn:pulumi:{stack}::ai-landing-zone::pulumi:pulumi:Stack::ai-landing-zone-{stack}"
    assert doc["steps"][0]["urn"] == stack_urn
    assert all(s["urn"].startswith(f"urn:pulumi:{stack}::ai-landing-zone::") for s in doc["steps"])
    assert not any("pulumi:pulumi:Stack$" in s["urn"] for s in doc["steps"])
    assert doc["outputs"]["environment"] in ("dev", "staging", "prod")
    assert doc["cost"]["monthly"]["min"] <= doc["cost"]["monthly"]["max"]
    assert doc["lz"]["policyPacks"][0]["config"].endswith(f"policies/config/{doc['outputs']['environment']}.json")
