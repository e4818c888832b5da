"""`lz new-stack`: a commented stack file that is valid as written, for every cloud and environment."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from rich.console import Console

from components.config import json_schema, validate_config
from lz.cli import main as lz_main
from lz.templates_cmd import (
    CLOUDS,
    ENVIRONMENTS,
    StackChoices,
    TemplateError,
    add_parsers,
    stack_document,
    write_new_stack,
)
from lz.testing import ROOT, of_type, plan_config

COMBINATIONS = [(cloud, env) for cloud in CLOUDS for env in ENVIRONMENTS]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """This project's Pulumi.yaml (name, stackConfigDir) with a program file, and no stacks yet."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


def new_stack(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lz")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args, Console(width=200))


def namespace_values(doc: dict) -> dict:
    return {k.split(":", 1)[1]: v for k, v in doc["config"].items() if k.startswith("ai-landing-zone:")}


@pytest.mark.parametrize("cloud, env", COMBINATIONS)
def test_new_stack_passes_lz_validate(project, cloud, env, capsys):
    name = f"{cloud}-{env}"
    assert new_stack(["new-stack", name, "--cloud", cloud, "--env", env, "-C", str(project)]) == 0
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    text = path.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schema/stack.schema.json"
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("#")) >= 8, "the file explains itself"
    capsys.readouterr()
    assert lz_main(["validate", name, "-C", str(project)]) == 0
    assert f"stacks/Pulumi.{name}.yaml: valid ({cloud}, {env}" in capsys.readouterr().out

    doc = yaml.safe_load(text)
    jsonschema.validate(doc, json_schema())  # what the editor checks, through the schema line
    config = validate_config(namespace_values(doc), str(path))
    assert config.cloud.value == cloud and config.environment.value == env
    pool = config.gpu_pools[0]
    assert (pool.min_nodes > 0) == (env == "prod"), "no idle GPUs outside prod"
    assert config.teams[0].gpu_quota == {pool.name: 2}  # two single-GPU nodes: the golden 2-node job fits
    if cloud == "aws":
        assert doc["config"]["aws:region"] == "us-east-1"
    if cloud == "gcp":
        assert doc["config"]["gcp:project"] == config.gcp_project and doc["config"]["gcp:region"] == config.region
    if cloud == "byo":
        assert config.kubernetes.kubeconfig_secret == "kubernetes:kubeconfig"


@pytest.mark.parametrize("choices, expected", [
    (StackChoices("eu", "aws", "dev", region="eu-west-1"), {"aws:region": "eu-west-1"}),
    (StackChoices("ml", "gcp", "staging", gcp_project="acme-ml-staging", region="europe-west4"),
     {"gcp:project": "acme-ml-staging", "ai-landing-zone:gcpProject": "acme-ml-staging",
      "gcp:region": "europe-west4", "ai-landing-zone:region": "europe-west4"}),
    (StackChoices("x", "aws", "prod", cost_center="genai"), {"ai-landing-zone:tags": {"costCenter": "genai",
                                                                                     "team": "platform"}}),
])
def test_choices_reach_the_file(choices, expected):
    config = yaml.safe_load(stack_document(choices))["config"]
    assert {k: config[k] for k in expected} == expected


def test_never_overwrites(project, capsys):
    assert new_stack(["new-stack", "dev", "--cloud", "aws", "--env", "dev", "-C", str(project)]) == 0
    path = project / "stacks" / "Pulumi.dev.yaml"
    path.write_text(path.read_text() + "# edited by hand\n")
    assert new_stack(["new-stack", "dev", "--cloud", "gcp", "--env", "prod", "-C", str(project)]) == 2
    assert "stacks/Pulumi.dev.yaml: already exists; lz new-stack never overwrites a stack file" \
        in capsys.readouterr().err
    assert path.read_text().endswith("# edited by hand\n")


@pytest.mark.parametrize("choices, message", [
    (StackChoices("a/b", "aws", "dev"), "stack name 'a/b'"),
    (StackChoices("g", "gcp", "dev", gcp_project="Bad_Project"), "--gcp-project 'Bad_Project'"),
])
def test_bad_choices(project, choices, message):
    with pytest.raises(TemplateError, match=message):
        write_new_stack(project, choices)


def test_only_for_this_project(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: other\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(TemplateError, match="project 'other' is not ai-landing-zone"):
        write_new_stack(tmp_path, StackChoices("dev", "aws", "dev"))


@pytest.fixture(scope="module")
def prod_plans():
    """The prod scaffold of each cloud, planned with this project's program (byo with a stand-in secret)."""
    plans = {}
    for cloud in CLOUDS:
        config = yaml.safe_load(stack_document(StackChoices(f"{cloud}-prod", cloud, "prod")))["config"]
        if cloud == "byo":
            config["kubernetes:kubeconfig"] = {"secure": "v1:offline-stand-in"}
        plans[cloud] = plan_config(config, stack=f"{cloud}-prod", policy=False)
    return plans


@pytest.mark.parametrize("cloud", CLOUDS)
def test_prod_scaffold_plans(prod_plans, cloud):
    plan = prod_plans[cloud]
    assert plan.run.error is None, plan.run.error
    assert of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue"), "the scaffold's team gets its queue"
    if cloud == "aws":
        assert len(of_type(plan, "aws:eks/cluster:Cluster")) == 1
    if cloud == "gcp":
        assert len(of_type(plan, "gcp:container/cluster:Cluster")) == 1


@pytest.mark.parametrize("cloud, env", COMBINATIONS)
def test_every_scaffold_plans_with_its_own_policy_pack(cloud, env):
    """`lz new-stack X --cloud C --env E` then `lz plan X`: exit 0, no mandatory violation, for every
    combination (an aws prod scaffold used to keep flow logs 90 days against prod's 365-day minimum)."""
    config = yaml.safe_load(stack_document(StackChoices(f"{cloud}-{env}", cloud, env)))["config"]
    if cloud == "byo":
        config["kubernetes:kubeconfig"] = {"secure": "v1:offline-stand-in"}
    result = plan_config(config, stack=f"{cloud}-{env}", policy=True)
    assert result.run.error is None, result.run.error
    mandatory = [f"{v.policy_name}: {v.message}" for v in result.violations if v.enforcement_level == "mandatory"]
    assert mandatory == []
    assert result.exit_code == 0
