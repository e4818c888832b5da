"""Bad stack config: one line per problem, naming file, key path and what is allowed; exit 2, no traceback,
and nothing registered."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml

from components.config import ConfigError, json_schema, validate_config
from lz.cli import main
from lz.testing import ROOT, plan_config

SOURCE = "stacks/Pulumi.t.yaml"
GOOD = {
    "environment": "dev",
    "cloud": "aws",
    "tags": {"costCenter": "ml-platform"},
    "network": {"cidr": "10.20.0.0/16", "zones": ["us-east-1a", "us-east-1b"]},
    "gpuPools": [{"name": "infer", "instanceType": "g6e.xlarge", "minNodes": 0, "maxNodes": 2,
                  "capacity": {"type": "spot"}}],
    "teams": [{"name": "vision", "costCenter": "cv-research", "gpuQuota": {"infer": 1}}],
}


def mutate(path: str, value):
    doc = copy.deepcopy(GOOD)
    node = doc
    keys = path.replace("]", "").replace("[", ".").split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return doc


_DELETE = object()


def problems(doc) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate_config(doc, SOURCE)
    return info.value.lines


def test_good_config_is_valid():
    config = validate_config(GOOD, SOURCE)
    assert config.gpu_pools[0].max_nodes == 2
    assert config.nat_mode == "single" and not config.protect


@pytest.mark.parametrize("path, value, expected", [
    ("gpuPools[0].maxNodes", 0,
     "ai-landing-zone:gpuPools[0].maxNodes: Input should be greater than or equal to 1 (got 0)"),
    ("gpuPools[0].minNodes", 3, "ai-landing-zone:gpuPools[0].maxNodes: must be >= minNodes (got 2 < 3)"),
    ("gpuPools[0].maxNodez", 4, "ai-landing-zone:gpuPools[0].maxNodez: unknown key; allowed keys: name, instanceType,"),
    ("networc", {}, "ai-landing-zone:networc: unknown key; allowed keys: environment, cloud,"),
    ("network.cidr", "10.0.0.1/16", "ai-landing-zone:network.cidr: must be an IPv4 CIDR block with no host bits set"),
    ("network.cidr", "8.8.0.0/16", "ai-landing-zone:network.cidr: must be a private (RFC 1918) range"),
    ("environment", "qa", "ai-landing-zone:environment: Input should be 'dev', 'staging' or 'prod' (got 'qa')"),
    ("tags", _DELETE, "ai-landing-zone:tags: required key is missing"),
    ("gpuPools[0].instanceType", "p5.48xl",
     "ai-landing-zone:gpuPools[0].instanceType: unknown AWS instance type 'p5.48xl'; nearest: p5.48xlarge"),
    ("gpuPools[0].capacity", {"type": "capacityBlock"},
     "ai-landing-zone:gpuPools[0].capacity.reservationId: required when type is capacityBlock"),
    ("gpuPools[0].zone", "us-east-1f", "ai-landing-zone:gpuPools[0].zone: zone 'us-east-1f' is not one of network.zones"),
    ("teams[0].gpuQuota", {"trainning": 2}, "ai-landing-zone:teams[0].gpuQuota.trainning: unknown pool 'trainning'"),
    ("teams[0].managedBy", "team", "ai-landing-zone:teams[0].managedBy: Input should be 'platform' or 'workspace'"),
    ("network.apiAllowedCidrs", ["0.0.0.0/0"], "ai-landing-zone:network.apiAllowedCidrs: 0.0.0.0/0 opens the cluster API"),
])
def test_each_problem_is_one_line_with_file_and_key_path(path, value, expected):
    lines = problems(mutate(path, value))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{SOURCE}: ")
    assert expected in lines[0]


def test_every_problem_is_reported_at_once():
    doc = mutate("environment", "qa")
    doc["gpuPools"][0]["maxNodes"] = -1
    doc["bogus"] = 1
    lines = problems(doc)
    assert len(lines) == 3
    assert {line.split(": ")[1] for line in lines} == {
        "ai-landing-zone:environment", "ai-landing-zone:gpuPools[0].maxNodes", "ai-landing-zone:bogus"}


def _project_with(tmp_path: Path, stack_doc: dict) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(yaml.safe_dump(stack_doc))
    return tmp_path


def _stack_doc(values: dict) -> dict:
    config = {f"ai-landing-zone:{k}": v for k, v in values.items()}
    config["aws:region"] = "us-east-1"
    return {"config": config}


def test_lz_validate_exits_2_with_lines_and_no_traceback(tmp_path, capsys):
    project = _project_with(tmp_path, _stack_doc(mutate("gpuPools[0].minNodes", 3)))
    assert main(["validate", "t", "-C", str(project)]) == 2
    err = capsys.readouterr().err
    assert "stacks/Pulumi.t.yaml: ai-landing-zone:gpuPools[0].maxNodes: must be >= minNodes (got 2 < 3)" in err
    assert "Traceback" not in err


def test_lz_validate_accepts_a_good_stack(tmp_path, capsys):
    project = _project_with(tmp_path, _stack_doc(GOOD))
    assert main(["validate", "t", "-C", str(project)]) == 0
    assert "valid" in capsys.readouterr().out


def test_plan_of_bad_config_registers_nothing():
    config = {f"ai-landing-zone:{k}": v for k, v in mutate("gpuPools[0].minNodes", 3).items()}
    config["aws:region"] = "us-east-1"
    result = plan_config(config, policy=False)
    assert result.exit_code == 2
    assert "ai-landing-zone:gpuPools[0].maxNodes: must be >= minNodes (got 2 < 3)" in result.run.error
    assert "Traceback" not in result.run.error
    # Only the root stack, which the language host registers before the program starts.
    assert [r.type for r in result.records] == ["pulumi:pulumi:Stack"]


def test_committed_schema_matches_the_model():
    committed = json.loads((ROOT / "schema" / "stack.schema.json").read_text())
    assert committed == json_schema(), "run `lz schema -o schema/stack.schema.json`"


def test_schema_closes_our_namespace_and_allows_other_providers():
    import jsonschema

    schema = json_schema()
    good = _stack_doc(GOOD)
    good["config"]["random:seed"] = "1"
    jsonschema.validate(good, schema)
    bad = _stack_doc(GOOD)
    bad["config"]["ai-landing-zone:gpuPoolz"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize("stack_file", sorted((ROOT / "stacks").glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_example_stacks_point_editors_at_the_schema(stack_file):
    assert stack_file.read_text().splitlines()[0] == "# yaml-language-server: $schema=../schema/stack.schema.json"
