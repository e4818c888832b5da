"""ai-landing-zone: read and validate the stack config, then compose the landing zone.

Validation runs before any resource is registered; a bad config stops here with one line per
problem (a `pulumi.RunError`, so Pulumi prints it without a traceback).
"""

import pulumi

from components.config import load_config
from components.config.model import Cloud

config = load_config()

platform = None
if config.cloud is Cloud.aws:
    from components.aws.landing_zone import AwsLandingZone

    zone = AwsLandingZone("lz", config)
    platform = zone.platform_inputs
elif config.cloud is Cloud.gcp:
    from components.gcp.landing_zone import GcpLandingZone

    zone = GcpLandingZone("lz", config)
    platform = zone.platform_inputs
else:
    from components.k8s.brought_cluster import brought_cluster_inputs

    platform = brought_cluster_inputs(config)

if config.teams or config.cloud is Cloud.byo:
    from components.k8s.platform import KubernetesPlatform

    KubernetesPlatform("platform", config, platform)

pulumi.export("environment", config.environment.value)
pulumi.export("cloud", config.cloud.value)
