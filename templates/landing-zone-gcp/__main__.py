"""${DESCRIPTION}

`${PROJECT}`: an environment of the ai-landing-zone GPU landing zone on Google Cloud, composed from
the landing zone's components (the `ai-landing-zone` package in requirements.txt). The stack file in
stacks/ holds the whole configuration, validated before anything is registered; `ai-landing-zone:cloud`
is fixed to `gcp` in Pulumi.yaml.

The exports are the contract team workspaces build on (their StackReference reads them).
"""

import pulumi

from components.config import load_config
from components.config.model import Cloud
from components.gcp.landing_zone import GcpLandingZone
from components.gcp.team_identity import TEAM_BUCKETS
from components.k8s.kueue import namespace_gpus

config = load_config()
if config.cloud is not Cloud.gcp:
    raise pulumi.RunError(f"this project is a GCP landing zone; ai-landing-zone:cloud is {config.cloud.value}")

zone = GcpLandingZone("lz", config)
platform = None
if config.teams:
    from components.k8s.platform import KubernetesPlatform

    platform = KubernetesPlatform("platform", config, zone.platform_inputs)

gke = zone.cluster.cluster
pulumi.export("environment", config.environment.value)
pulumi.export("cloud", config.cloud.value)
pulumi.export("region", config.region)
pulumi.export("gcpProject", config.gcp_project)
pulumi.export("clusterName", gke.name)
pulumi.export("clusterEndpoint", gke.endpoint)
pulumi.export("clusterCaData", gke.master_auth.cluster_ca_certificate)
pulumi.export("kubernetesVersion", config.kubernetes.version)
pulumi.export("buckets", {purpose: zone.storage.buckets[purpose].name for purpose in TEAM_BUCKETS})
pulumi.export("clusterQueues", sorted(platform.queues.cluster_queues) if platform else [])
# What a team namespace may hold: the same figures the platform puts in its own team namespaces' quotas.
pulumi.export("teamQuotas", {
    team.name: {"cpu": team.cpu, "memory": team.memory, "storage": team.storage, "pvcCount": team.pvc_count,
                "gpus": namespace_gpus(team, zone.platform_inputs.gpu_pools)}
    for team in config.teams
})
pulumi.export("storageEgressCidrs", list(zone.platform_inputs.storage_egress_cidrs))
