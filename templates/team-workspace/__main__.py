"""${DESCRIPTION}

Team workspace `${PROJECT}` on the shared GPU landing zone: the team's cloud identity, its bucket
prefixes, its namespace and its Kueue LocalQueue. The landing zone is read through a StackReference
(`${PROJECT}:landingZoneStack`), never changed from here. See README.md.
"""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from workspace import TeamWorkspace, read_settings

config = pulumi.Config()
project, stack = pulumi.get_project(), pulumi.get_stack()
settings = read_settings(
    {key: config.get(key) for key in
     ("landingZoneStack", "cloud", "region", "team", "costCenter", "group", "clusterQueue")},
    project, f"stacks/Pulumi.{stack}.yaml")

landing_zone = pulumi.StackReference(settings.landing_zone_stack)

# The cloud provider is explicit and handed to the workspace, so nothing uses an ambient default.
if settings.cloud == "aws":
    provider = aws.Provider("aws", region=settings.region)
else:
    provider = gcp.Provider("gcp", project=landing_zone.require_output("gcpProject"), region=settings.region)

workspace = TeamWorkspace(settings.team.name, settings, landing_zone.outputs,
                          opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("namespace", workspace.namespace_name)
pulumi.export("serviceAccount", workspace.service_account_name)
pulumi.export("localQueue", "default")
pulumi.export("clusterQueue", settings.queue)
pulumi.export("identity", workspace.identity)
pulumi.export("repository", workspace.repository_url)
