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
from components.outputs import export_landing_zone

config = load_config()
if config.cloud is not Cloud.gcp:
    raise pulumi.RunError(f"this project is a GCP landing zone; ai-landing-zone:cloud is {config.cloud.value}")

zone = GcpLandingZone("lz", config)
platform = None
if config.teams:
    from components.k8s.platform import KubernetesPlatform

    platform = KubernetesPlatform("platform", config, zone.platform_inputs)

export_landing_zone(config, zone, platform)
