"""The ai-landing-zone policy pack: assembles every rule under rules/ into one PolicyPack."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The pack imports its rules as `rules.*` and the framework as `lzpolicy`; the hardware catalog
# the GPU rules judge against lives in the project (`components.catalog`).
for path in (HERE, HERE.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from lzpolicy.decode_once import install as decode_properties_once  # noqa: E402
from lzpolicy.registry import all_rules  # noqa: E402
from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from components.names import POLICY_PACK  # noqa: E402

decode_properties_once()

PolicyPack(
    name=POLICY_PACK,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[rule.policy() for rule in all_rules()],
    description="Guardrails for GPU landing zones: security baselines plus GPU and cost rules.",
)
