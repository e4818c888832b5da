"""The typed settings of a planned stack, for readers that see only the engine's flat config map.

The policy pack (from the `PULUMI_CONFIG` the engine hands analyzers) and `lz cost` (from a recorded plan)
read the stack's settings here, through the same pydantic model and pipeline the program validates with,
never by re-parsing keys themselves. A stack whose config has no `ai-landing-zone:` keys (another project
judged by the pack), or whose config is invalid (the program itself reports that), has no settings.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from components.names import PROJECT

from . import ConfigError, LandingZoneConfig, validate_config


def project_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The `ai-landing-zone:` keys of a flat config map, without the prefix."""
    prefix = f"{PROJECT}:"
    return {k[len(prefix):]: v for k, v in config.items() if k.startswith(prefix)}


@functools.lru_cache(maxsize=16)
def _validated(values_json: str) -> LandingZoneConfig | None:
    try:
        return validate_config(json.loads(values_json), "stack config")
    except ConfigError:
        return None


def settings_from(config: Mapping[str, Any]) -> LandingZoneConfig | None:
    """The validated `LandingZoneConfig` of a flat config map (`{"ai-landing-zone:cloud": "aws", ...}`,
    structured values as JSON text or as objects), or None. Cached by content: a pack judging many
    resources of one stack validates once."""
    values = project_values(config)
    if not values:
        return None
    return _validated(json.dumps(values, sort_keys=True, default=str))
