"""One harness for every guardrail test: plan a fixture program through the real policy pack.

A fixture program (`programs/<name>/__main__.py`, with `programs/common.py`) registers real
pulumi_aws / pulumi_gcp / pulumi_kubernetes resources with distinct names: for each rule a
compliant resource, a non-compliant one that differs in one field, and one the rule does not apply
to. `fixture_plan(name, environment)` copies the program into a temporary project (Pulumi.yaml,
__main__.py, Pulumi.t.yaml), plans it with `lz.engine.plan.plan` against `policies/` over gRPC, and
asks the same pack, over the same protocol, which (rule, resource) pairs it judged not applicable
(the engine's `AnalyzeResponse.not_applicable`, which `lz plan` does not report). Plans are cached:
each program is planned once per test session.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime.proto import analyzer_pb2

from lz.engine.analyzer import EngineServer, PolicyPack, Violation, load_pack_config
from lz.engine.plan import Plan, PlanRequest, plan
from lz.engine.project import load_project, load_stack_config

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
PROGRAMS = Path(__file__).resolve().parent / "programs"
PROJECT = "lz-policy-fixtures"
STACK = "t"
STACK_NAME = "<stack>"  # the name fixtures use for the stack as a whole (stack-level verdicts)

# The pack config the fixtures are judged with: parameters only, so that verdicts do not depend on
# how the environment files are tuned. The environment comes from the stack config, which also
# exercises the rules' fallback to `ai-landing-zone:environment`.
PACK_CONFIG: dict[str, Any] = {
    "all": "advisory",
    "log-retention": {"minRetentionDays": 365},
    "gpu-instance-type-allowed": {"allowedGpuTypes": [
        "p5.48xlarge", "g6e.xlarge", "g6e.12xlarge", "g2-standard-48", "a3-megagpu-8g"]},
    "gpu-region-allowed": {"allowedRegions": ["us-east-1", "us-central1"]},
    "max-gpus-per-stack": {"maxGpus": 64},
}

# Fixture projects live here for the session; the directory is removed when the interpreter exits.
_SCRATCH = tempfile.TemporaryDirectory(prefix="lz-policy-fixtures-")

REGIONS = {"aws:region": "us-east-1", "gcp:project": "fixture-project", "gcp:region": "us-central1"}

# The fixture programs (programs/<name>) and the environment each is planned as.
PLANS = {"encryption": "dev", "exposure": "dev", "identity": "dev", "logging": "dev", "keys": "dev",
         "instances": "dev", "kubernetes": "dev", "gpu": "dev", "data": "prod", "journeys": "dev", "workloads": "dev",
         "resourcepolicies": "dev", "aiservices": "dev", "gcpservices": "dev", "awsaccount": "dev",
         "supplychain": "dev"}


@dataclass
class FixturePlan:
    name: str
    environment: str
    plan: Plan
    urns: dict[str, str]
    violations: dict[tuple[str, str], list[Violation]]
    not_applicable: dict[tuple[str, str], str]   # (rule, urn) -> reason
    direct_violations: set[tuple[str, str, str]]  # (rule, urn, message) from the direct Analyze calls

    def urn(self, resource: str) -> str:
        try:
            return self.urns[resource]
        except KeyError:
            raise KeyError(f"{self.name}: no resource named {resource!r} (have: {', '.join(sorted(self.urns))})") \
                from None

    def violations_of(self, rule: str, resource: str) -> list[Violation]:
        return self.violations.get((rule, self.urn(resource)), [])

    def judged_not_applicable(self, rule: str, resource: str) -> str | None:
        return self.not_applicable.get((rule, self.urn(resource)))


def _project(name: str, environment: str, extra_config: dict[str, Any]) -> Path:
    source = PROGRAMS / name
    if not (source / "__main__.py").exists():
        raise FileNotFoundError(f"no fixture program {source}/__main__.py")
    directory = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_SCRATCH.name))
    shutil.copy(source / "__main__.py", directory / "__main__.py")
    shutil.copy(PROGRAMS / "common.py", directory / "common.py")
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(
        {"name": PROJECT, "runtime": {"name": "python"}, "description": f"policy fixtures: {name}"}))
    config = {**REGIONS, "ai-landing-zone:environment": environment, **extra_config}
    (directory / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": config}))
    (directory / "pack-config.json").write_text(json.dumps(PACK_CONFIG, indent=2))
    return directory


def _not_applicable(result: Plan, pack: PolicyPack) -> tuple[dict[tuple[str, str], str], set[tuple[str, str, str]]]:
    """Ask the pack, over gRPC as the engine does, for its verdicts on every registration."""
    by_urn = {r.urn: r for r in result.records}
    reasons: dict[tuple[str, str], str] = {}
    direct: set[tuple[str, str, str]] = set()

    def analyze(r):
        return r, pack.stub.Analyze(analyzer_pb2.AnalyzeRequest(
            type=r.type, properties=r.inputs, urn=r.urn, name=r.name, options=pack.analyzer_options(r),
            provider=pack.analyzer_provider(r, by_urn)))

    # The pack serves four requests at once, as it does for the engine.
    with ThreadPoolExecutor(max_workers=4) as pool:
        for r, response in pool.map(analyze, result.records):
            reasons.update({(n.policy_name, r.urn): n.reason for n in response.not_applicable})
            direct.update((v.policy_name, v.urn, v.message) for v in pack.violations_from(response, r.urn))
    stack_urn = next(r.urn for r in result.records if r.type == "pulumi:pulumi:Stack")
    resources = [analyzer_pb2.AnalyzerResource(
        type=r.type, properties=r.inputs, urn=r.urn, name=r.name, options=pack.analyzer_options(r),
        provider=pack.analyzer_provider(r, by_urn), parent=r.parent, dependencies=r.dependencies,
        propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                              for k, v in r.property_dependencies.items()},
    ) for r in result.records]
    response = pack.stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
    reasons.update({(n.policy_name, stack_urn): n.reason for n in response.not_applicable})
    direct.update((v.policy_name, v.urn, v.message) for v in pack.violations_from(response, ""))
    return reasons, direct


def _start_pack(directory: Path, engine: EngineServer, config_file: Path) -> PolicyPack:
    project = load_project(directory)
    pack = PolicyPack(PACK, engine, project.name, STACK, load_stack_config(project, STACK))
    pack.configure(load_pack_config(config_file), source=str(config_file))
    return pack


@functools.cache
def fixture_plan(name: str, environment: str = "dev", extra_config: tuple[tuple[str, str], ...] = ()) -> FixturePlan:
    directory = _project(name, environment, dict(extra_config))
    config_file = directory / "pack-config.json"
    # The second pack (for the not-applicable answers) starts while the plan runs: a pack takes about
    # a second to start, and the plan does not need it.
    engine = EngineServer()
    with ThreadPoolExecutor(max_workers=1) as starter:
        second = starter.submit(_start_pack, directory, engine, config_file)
        result = plan(PlanRequest(project_dir=directory, stack=STACK, policy_packs=[PACK],
                                  policy_pack_configs=[config_file]))
        pack = second.result()
    try:
        if result.run.error:
            raise AssertionError(f"fixture program {name} failed:\n{result.run.error}")
        reasons, direct = _not_applicable(result, pack)
    finally:
        pack.close()
        engine.stop()
    urns: dict[str, str] = {}
    for r in result.records:
        if r.type == "pulumi:pulumi:Stack":
            urns[STACK_NAME] = r.urn
        elif r.custom and not r.type.startswith("pulumi:providers:"):
            if r.name in urns:
                raise AssertionError(f"fixture program {name}: resource name {r.name!r} is used twice")
            urns[r.name] = r.urn
    violations: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for v in result.violations:
        violations[(v.policy_name, v.urn)].append(v)
    return FixturePlan(name=name, environment=environment, plan=result, urns=urns, violations=dict(violations),
                       not_applicable=reasons, direct_violations=direct)
