"""The stack outputs of a landing zone: the contract team workspaces read through a StackReference.

One function serves this project's `__main__.py` and the landing-zone templates, so the contract has
one definition (templates/team-workspace checks these names before it builds anything).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.config.model import Cloud, LandingZoneConfig


def landing_zone_outputs(config: LandingZoneConfig, zone: Any, platform: Any | None) -> dict[str, Any]:
    from components.k8s.kueue import namespace_gpus, team_compute

    inputs = zone.platform_inputs
    out: dict[str, Any] = {
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
    }
    if config.cloud is Cloud.aws:
        from components.aws.workload_identity import TEAM_BUCKETS

        out.update({
            "region": zone.context.region,
            "clusterName": zone.cluster.name,
            "clusterEndpoint": zone.cluster.endpoint,
            "clusterCaData": zone.cluster.ca_data,
            "oidcProviderArn": zone.cluster.oidc_provider.arn,
            "oidcIssuer": zone.cluster.oidc_issuer,
            "permissionsBoundaryArn": zone.iam.boundary_arn,
            "storageKmsKeyArn": zone.keys.storage.arn,
            "buckets": {purpose: zone.storage.buckets[purpose].bucket for purpose in TEAM_BUCKETS},
        })
    elif config.cloud is Cloud.gcp:
        from components.gcp.team_identity import TEAM_BUCKETS

        gke = zone.cluster.cluster
        out.update({
            "region": config.region,
            "gcpProject": config.gcp_project,
            "clusterName": gke.name,
            "clusterEndpoint": gke.endpoint,
            "clusterCaData": gke.master_auth.cluster_ca_certificate,
            "buckets": {purpose: zone.storage.buckets[purpose].name for purpose in TEAM_BUCKETS},
        })
    return out


def export_landing_zone(config: LandingZoneConfig, zone: Any, platform: Any | None) -> None:
    for name, value in landing_zone_outputs(config, zone, platform).items():
        pulumi.export(name, value)
