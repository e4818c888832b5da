"""ai-landing-zone: read and validate the stack config, then compose the landing zone.

Validation runs before any resource is registered; a bad config stops here with one line per
problem (a `pulumi.RunError`, so Pulumi prints it without a traceback).
"""

import pulumi

from components.config import load_config
from components.config.model import Cloud

config = load_config()

zone = None
if config.cloud is Cloud.aws:
    from components.aws.landing_zone import AwsLandingZone

    zone = AwsLandingZone("lz", config)
    platform_inputs = zone.platform_inputs
elif config.cloud is Cloud.gcp:
    from components.gcp.landing_zone import GcpLandingZone

    zone = GcpLandingZone("lz", config)
    platform_inputs = zone.platform_inputs
else:
    from components.k8s.brought_cluster import brought_cluster_inputs

    platform_inputs = brought_cluster_inputs(config)

platform = None
if config.teams or config.cloud is Cloud.byo:
    from components.k8s.platform import KubernetesPlatform

    platform = KubernetesPlatform("platform", config, platform_inputs)

if zone is not None:
    from components.outputs import export_landing_zone

    export_landing_zone(config, zone, platform)
else:
    pulumi.export("environment", config.environment.value)
    pulumi.export("cloud", config.cloud.value)
    pulumi.export("clusterQueues", sorted(platform.queues.cluster_queues))
