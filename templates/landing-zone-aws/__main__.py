"""${DESCRIPTION}

`${PROJECT}`: an environment of the ai-landing-zone GPU landing zone on AWS, composed from the
landing zone's components (the `ai-landing-zone` package in requirements.txt). The stack file in
stacks/ holds the whole configuration, validated before anything is registered; `ai-landing-zone:cloud`
is fixed to `aws` in Pulumi.yaml.

The exports are the contract team workspaces build on (their StackReference reads them).
"""

import pulumi

from components.aws.landing_zone import AwsLandingZone
from components.aws.workload_identity import TEAM_BUCKETS
from components.config import load_config
from components.config.model import Cloud
from components.k8s.kueue import namespace_gpus

config = load_config()
if config.cloud is not Cloud.aws:
    raise pulumi.RunError(f"this project is an AWS landing zone; ai-landing-zone:cloud is {config.cloud.value}")

zone = AwsLandingZone("lz", config)
platform = None
if config.teams:
    from components.k8s.platform import KubernetesPlatform

    platform = KubernetesPlatform("platform", config, zone.platform_inputs)

pulumi.export("environment", config.environment.value)
pulumi.export("cloud", config.cloud.value)
pulumi.export("region", zone.context.region)
pulumi.export("clusterName", zone.cluster.name)
pulumi.export("clusterEndpoint", zone.cluster.endpoint)
pulumi.export("clusterCaData", zone.cluster.ca_data)
pulumi.export("kubernetesVersion", config.kubernetes.version)
pulumi.export("oidcProviderArn", zone.cluster.oidc_provider.arn)
pulumi.export("oidcIssuer", zone.cluster.oidc_issuer)
pulumi.export("permissionsBoundaryArn", zone.iam.boundary_arn)
pulumi.export("storageKmsKeyArn", zone.keys.storage.arn)
pulumi.export("buckets", {purpose: zone.storage.buckets[purpose].bucket for purpose in TEAM_BUCKETS})
pulumi.export("clusterQueues", sorted(platform.queues.cluster_queues) if platform else [])
# What a team namespace may hold: the same figures the platform puts in its own team namespaces' quotas.
pulumi.export("teamQuotas", {
    team.name: {"cpu": team.cpu, "memory": team.memory, "storage": team.storage, "pvcCount": team.pvc_count,
                "gpus": namespace_gpus(team, zone.platform_inputs.gpu_pools)}
    for team in config.teams
})
pulumi.export("storageEgressCidrs", list(zone.platform_inputs.storage_egress_cidrs))
