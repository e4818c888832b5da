"""The stack outputs of a landing zone: the contract team workspaces read through a StackReference.

One function serves this project's `__main__.py` and the landing-zone templates, so the contract has
one definition (templates/team-workspace checks these names before it builds anything). Both clouds'
landing zones implement `LandingZone`: what the platform layer needs (`platform_inputs`) and what the
stack exports (`exports`), in one typed shape, so this module has no per-cloud branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pulumi

from components.config.model import LandingZoneConfig
from components.platform_inputs import PlatformInputs


@dataclass(frozen=True)
class LandingZoneExports:
    """What a cloud landing zone exports beyond what the config says (camelCase, as exported)."""

    region: str
    cluster_name: pulumi.Input[str]
    cluster_endpoint: pulumi.Input[str]
    cluster_ca_data: pulumi.Input[str]
    buckets: Mapping[str, pulumi.Input[str]]          # TEAM_BUCKETS purpose -> bucket name
    cloud: Mapping[str, Any] = field(default_factory=dict)  # the cloud's own keys (e.g. oidcProviderArn)

    def as_outputs(self) -> dict[str, Any]:
        return {"region": self.region, "clusterName": self.cluster_name, "clusterEndpoint": self.cluster_endpoint,
                "clusterCaData": self.cluster_ca_data, "buckets": dict(self.buckets), **self.cloud}


class LandingZone(Protocol):
    """A cloud landing zone (`AwsLandingZone`, `GcpLandingZone`)."""

    @property
    def platform_inputs(self) -> PlatformInputs: ...

    @property
    def exports(self) -> LandingZoneExports: ...


def landing_zone_outputs(config: LandingZoneConfig, zone: LandingZone, platform: Any | None) -> dict[str, Any]:
    from components.k8s.kueue import namespace_gpus, team_compute

    inputs = zone.platform_inputs
    return {
        "environment": config.environment.value,
        "cloud": config.cloud.value,
        "kubernetesVersion": config.kubernetes.version,
        "clusterQueues": sorted(platform.queues.cluster_queues) if platform is not None else [],
        # What a team namespace may hold: the figures the platform puts in its own team quotas.
        "teamQuotas": {
            team.name: {**dict(zip(("cpu", "memory"), team_compute(team, inputs.gpu_pools), strict=True)),
                        "storage": team.storage,
                        "pvcCount": team.pvc_count, "gpus": namespace_gpus(team, inputs.gpu_pools)}
            for team in config.teams
        },
        "storageEgressCidrs": list(inputs.storage_egress_cidrs),
        **zone.exports.as_outputs(),
    }


def export_landing_zone(config: LandingZoneConfig, zone: LandingZone, platform: Any | None) -> None:
    for name, value in landing_zone_outputs(config, zone, platform).items():
        pulumi.export(name, value)
