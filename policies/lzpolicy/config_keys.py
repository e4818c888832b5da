"""Which stack config key fixes a violation, for rules whose setting the landing zone builds from one.

One table: (rule, resource types, resource-name pattern) -> the key under `ai-landing-zone:` in the stack
file. `with_config_key` appends "In the landing zone's stack file, set `<key>`." to a violation's message when the
stack is a landing-zone stack (its config has `ai-landing-zone:cloud`) and the violating resource matches
an entry, so the user is told which line of their stack file to change, not a provider argument name.
Fixture or hand-written programs (no `ai-landing-zone:cloud`) keep the plain message: their settings
come from code, not from these keys. tests/policies/test_config_keys.py checks that every key is a
path of the stack-file schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rule import ResourceView, stack_settings
from .types import (
    EKS_CLUSTER,
    GCP_LOG_BUCKET,
    GKE_CLUSTER,
    GKE_NODE_POOL,
    LAUNCH_TEMPLATE,
    LOG_GROUP,
    NODE_GROUP,
)


@dataclass(frozen=True)
class ConfigKey:
    rule: str
    key: str                                   # path under ai-landing-zone:, `[]` for "any item"
    types: tuple[str, ...] = ()                # () : any resource, and stack-level violations
    name: str | None = None                    # regex the resource name must match (re.search)

    def matches(self, rule: str, view: ResourceView | None) -> bool:
        if rule != self.rule:
            return False
        if view is None:
            return not self.types
        if self.types and view.type not in self.types:
            return False
        return self.name is None or re.search(self.name, view.name) is not None


# GPU pools: AWS `<lz>-pool-<name>-lt` / `-nodes`, GKE node pools named after the pool (not `system`).
_POOL = r"-pool-[^/]+-(lt|nodes)$"
_GPU_POOL_TYPES = (*NODE_GROUP, *LAUNCH_TEMPLATE, *GKE_NODE_POOL)

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey("log-retention", "network.flowLogs.retentionDays", LOG_GROUP, r"-flow-logs$"),
    ConfigKey("log-retention", "logging.retentionDays", LOG_GROUP, r"-logs$(?<!-flow-logs)"),
    ConfigKey("log-retention", "logging.retentionDays", GCP_LOG_BUCKET),
    ConfigKey("imds-hop-limit", "gpuPools[].metadataHopLimit", LAUNCH_TEMPLATE, _POOL),
    ConfigKey("gpu-instance-type-allowed", "gpuPools[].instanceType", _GPU_POOL_TYPES),
    ConfigKey("gpu-pools-idle-cost-zero-outside-prod", "gpuPools[].minNodes", _GPU_POOL_TYPES),
    ConfigKey("max-gpus-per-stack", "gpuPools[].maxNodes"),
    ConfigKey("eks-endpoint-not-public", "network.apiAllowedCidrs", EKS_CLUSTER),
    ConfigKey("gke-endpoint-not-public", "network.apiAllowedCidrs", GKE_CLUSTER),
    ConfigKey("stateful-resources-protected", "protectStateful"),
    ConfigKey("cost-attribution-tags", "tags"),
    ConfigKey("gcp-cost-labels", "tags"),
    ConfigKey("stack-within-monthly-budget", "budget.maxMonthlyUsd"),
    ConfigKey("cloudtrail-trail-present", "logging.auditTrail"),
    ConfigKey("gcp-audit-logging-configured", "logging.auditTrail"),
)


def config_key(rule: str, view: ResourceView | None) -> str | None:
    for entry in CONFIG_KEYS:
        if entry.matches(rule, view):
            return entry.key
    return None


def landing_zone_stack() -> bool:
    return stack_settings() is not None


def with_config_key(rule: str, view: ResourceView | None, message: str) -> str:
    """`message`, plus the stack config key that fixes it when this is a landing-zone stack."""
    if not landing_zone_stack():
        return message
    key = config_key(rule, view)
    if key is None or f"`{key}`" in message:
        return message
    return f"{message} In the landing zone's stack file, set `{key}`."
