"""Policies and cost read the stack's settings through the typed model (`components.config.settings`),
never by parsing config keys themselves."""

from __future__ import annotations

import json

from components.config.settings import settings_from
from lz.testing import ROOT

VALID = {"aws:region": "us-east-1", "ai-landing-zone:environment": "prod", "ai-landing-zone:cloud": "aws",
         "ai-landing-zone:tags": json.dumps({"costCenter": "ml"}),
         "ai-landing-zone:budget": json.dumps({"maxMonthlyUsd": 1200}), "ai-landing-zone:maxGpus": "16",
         "ai-landing-zone:logging": json.dumps({"auditReplicaRegion": "us-west-2"})}


def test_a_flat_engine_map_gives_typed_settings():
    settings = settings_from(VALID)
    assert settings is not None
    assert settings.budget.max_monthly_usd == 1200.0 and settings.max_gpus == 16
    assert settings.environment.value == "prod" and settings.protect  # derived, as the program derives it


def test_objects_and_json_text_read_alike():
    as_objects = {**VALID, "ai-landing-zone:tags": {"costCenter": "ml"}, "ai-landing-zone:budget": {"maxMonthlyUsd": 1200}}
    assert settings_from(as_objects) == settings_from(VALID)


def test_other_projects_and_invalid_config_have_no_settings():
    assert settings_from({"aws:region": "us-east-1", "team-workspace:environment": "dev"}) is None
    assert settings_from({**VALID, "ai-landing-zone:maxGpus": "many"}) is None  # the program reports it


def test_only_the_pack_adapter_reads_the_engine_config():
    """PULUMI_CONFIG is read in one place (lzpolicy.rule._engine_config); `lz cost` reads the plan's config
    through `settings_from`. No other module under policies/ or lz/cost touches the raw map."""
    readers = sorted(str(p.relative_to(ROOT)) for d in ("policies", "lz/cost") for p in (ROOT / d).rglob("*.py")
                     if "PULUMI_CONFIG" in p.read_text())
    assert readers == ["policies/lzpolicy/rule.py"]
    offenders = sorted(str(p.relative_to(ROOT)) for d in ("policies", "lz/cost") for p in (ROOT / d).rglob("*.py")
                       if 'stack_config(f"{PROJECT}:' in p.read_text())
    assert offenders == []
