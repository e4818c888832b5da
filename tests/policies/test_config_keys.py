"""Violations name the stack config key that fixes them (policies/lzpolicy/config_keys.py), in one table.

The key is added only on landing-zone stacks (their config validates as one); a hand-written
program keeps the plain message, because its settings come from code.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from components.config import json_schema
from lz.testing import ROOT, plan_config

sys.path.insert(0, str(ROOT / "policies"))
from lzpolicy.config_keys import CONFIG_KEYS, config_key, with_config_key  # noqa: E402
from lzpolicy.registry import all_rules  # noqa: E402
from lzpolicy.rule import ResourceView  # noqa: E402

P = "ai-landing-zone"


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    for option in node.get("anyOf", []):
        if option.get("type") != "null":
            return _resolve(schema, option)
    return node


def _schema_has(path: str) -> bool:
    schema = json_schema()
    first, *rest = path.split(".")
    node = schema["properties"]["config"]["properties"].get(f"{P}:{first.removesuffix('[]')}")
    if node is None:
        return False
    node = _resolve(schema, node)
    if first.endswith("[]"):
        node = _resolve(schema, node["items"])
    for part in rest:
        name = part.removesuffix("[]")
        props = node.get("properties", {})
        if name not in props:
            return False
        node = _resolve(schema, props[name])
        if part.endswith("[]"):
            node = _resolve(schema, node["items"])
    return True


@pytest.mark.parametrize("entry", CONFIG_KEYS, ids=[f"{e.rule}:{e.key}" for e in CONFIG_KEYS])
def test_every_key_is_a_stack_file_key_and_every_rule_exists(entry):
    assert _schema_has(entry.key), f"{entry.key} is not a key of the stack file schema"
    assert entry.rule in {r.name for r in all_rules()}
    for pattern in [entry.name] if entry.name else []:
        re.compile(pattern)


def _view(type_: str, name: str) -> ResourceView:
    return ResourceView(type=type_, props={}, urn=f"urn:x::{name}", name=name, protect=False, config={})


@pytest.mark.parametrize(("rule", "type_", "name", "key"), [
    ("log-retention", "aws:cloudwatch/logGroup:LogGroup", "lz-network-flow-logs", "network.flowLogs.retentionDays"),
    ("log-retention", "aws:cloudwatch/logGroup:LogGroup", "lz-eks-logs", "logging.retentionDays"),
    ("log-retention", "gcp:logging/projectBucketConfig:ProjectBucketConfig", "lz-audit-bucket", "logging.retentionDays"),
    ("imds-hop-limit", "aws:ec2/launchTemplate:LaunchTemplate", "lz-pool-train-lt", "gpuPools[].metadataHopLimit"),
    ("imds-hop-limit", "aws:ec2/launchTemplate:LaunchTemplate", "lz-system-lt", None),
    ("s3-bucket-versioning-enabled", "aws:s3/bucket:Bucket", "lz-storage-logs", None),
])
def test_the_table_picks_the_key_by_rule_type_and_name(rule, type_, name, key):
    assert config_key(rule, _view(type_, name)) == key


def test_only_landing_zone_stacks_get_the_hint(monkeypatch):
    view = _view("aws:cloudwatch/logGroup:LogGroup", "lz-network-flow-logs")
    monkeypatch.setenv("PULUMI_CONFIG", '{"ai-landing-zone:environment": "prod"}')
    assert with_config_key("log-retention", view, "Too short.") == "Too short."
    # A landing zone: the stack's config validates as one (read through the typed model).
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"ai-landing-zone:environment": "dev", "ai-landing-zone:cloud": "aws",
                                                    "ai-landing-zone:tags": '{"costCenter": "ml"}'}))
    assert with_config_key("log-retention", view, "Too short.") == (
        "Too short. In the landing zone's stack file, set `network.flowLogs.retentionDays`.")


def test_a_prod_stack_with_short_flow_logs_is_told_the_config_key():
    """Through the real pack: the message names `network.flowLogs.retentionDays`, not only retention_in_days."""
    config = {"aws:region": "us-east-1", f"{P}:environment": "prod", f"{P}:cloud": "aws",
              f"{P}:tags": {"costCenter": "ml-test"},
              f"{P}:network": {"zones": ["us-east-1a", "us-east-1b"], "flowLogs": {"retentionDays": 90}},
              f"{P}:logging": {"auditReplicaRegion": "us-west-2"}}
    result = plan_config(config, stack="hint-prod", policy=True)
    assert result.run.error is None, result.run.error
    (violation,) = [v for v in result.violations if v.policy_name == "log-retention"]
    assert violation.urn.endswith("-flow-logs")
    assert violation.message.endswith("In the landing zone's stack file, set `network.flowLogs.retentionDays`.")
    assert violation.enforcement_level == "mandatory" and result.exit_code == 1


def test_prod_flow_logs_default_to_the_prod_log_retention_minimum():
    """One number: the model's prod default is what the prod pack config demands."""
    import json

    from components.config.model import PROD_LOG_RETENTION_DAYS, LandingZoneConfig

    prod_pack = json.loads((ROOT / "policies" / "config" / "prod.json").read_text())
    assert prod_pack["log-retention"]["minRetentionDays"] == PROD_LOG_RETENTION_DAYS

    def days(env: str, network: dict | None = None) -> int:
        doc = {"environment": env, "cloud": "aws", "tags": {"costCenter": "cc"}}
        if network is not None:
            doc["network"] = network
        return LandingZoneConfig.model_validate(doc).network.flow_logs.retention_days

    assert days("prod") == days("prod", {"cidr": "10.1.0.0/16"}) == PROD_LOG_RETENTION_DAYS
    assert days("prod", {"flowLogs": {"retentionDays": 731}}) == 731     # the stack file wins
    assert days("prod", {"flowLogs": {"trafficType": "REJECT"}}) == PROD_LOG_RETENTION_DAYS
    assert days("dev") == days("staging") == 90
