"""What every GCP component needs to know about where it runs: the GCP counterpart of `AwsContext`.

`GcpContext` is built once by `GcpLandingZone` from the config and one answered invoke (the project
number, which names the Google-managed service agents), and handed to each component with the typed
fields that component uses. Components compose physical names, labels, service agents and resource
options from it instead of reading the whole `LandingZoneConfig`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.config.model import gcp_labels
from components.options import stateful

from .layout import account_id, bucket_name

# Which Google-managed service agent acts for each use: service-<project number>@<domain>.
AGENT_DOMAINS = {
    "gke": "container-engine-robot.iam.gserviceaccount.com",   # application-layer secrets encryption
    # "storage" (GCS default bucket key) is not here: see `keys.storage_agent_member`.
    "disks": "compute-system.iam.gserviceaccount.com",         # node boot disks
    "managedLustre": "gcp-sa-lustre.iam.gserviceaccount.com",
    "filestore": "cloud-filer.iam.gserviceaccount.com",
    "registry": "gcp-sa-artifactregistry.iam.gserviceaccount.com",   # Artifact Registry CMEK
    "secrets": "gcp-sa-secretmanager.iam.gserviceaccount.com",       # Secret Manager CMEK
}


def service_agent(project_number: str, use: str) -> str:
    return f"service-{project_number}@{AGENT_DOMAINS[use]}"


@dataclass(frozen=True)
class GcpContext:
    project: str
    project_number: pulumi.Input[str]   # from `organizations.get_project`: names the service agents
    region: str
    environment: str                    # "dev" | "staging" | "prod"
    prefix: str                         # physical-name prefix (names.stack_prefix), e.g. "ai-lz-gcp-prod"
    labels: Mapping[str, str] = field(default_factory=dict)  # cost-attribution labels, GCP-safe
    protect: bool = False               # protect + retain_on_delete on stateful resources
    legacy_names: bool = False          # naming.scheme legacy: buckets keep `<project>-<environment>-<purpose>`

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def project_path(self) -> str:
        """The project as a resource-manager parent: `projects/<id>`."""
        return f"projects/{self.project}"

    def physical_name(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def account_id(self, kind: str, name: str) -> str:
        """A service-account id of this stack, e.g. kind "node" -> `ai-lz-dev-node-<name>` (shortened if long)."""
        return account_id(f"{self.prefix}-{kind}", name)

    def bucket_name(self, purpose: str) -> str:
        """`<project>-<prefix>-<purpose>`: the project id makes it unique across customers, the prefix across
        the project's stacks (legacy naming: `<project>-<environment>-<purpose>`)."""
        return bucket_name(self.project, self.environment if self.legacy_names else self.prefix, purpose)

    def labelled(self, **extra: str) -> dict[str, str]:
        """The cost-attribution labels plus extras (GCP label rules applied to the extras)."""
        return {**self.labels, **gcp_labels(dict(extra))}

    def service_agent_member(self, use: str) -> pulumi.Output[str]:
        """`serviceAccount:service-<project number>@<domain>` of the service agent for `use`."""
        return pulumi.Output.from_input(self.project_number).apply(
            lambda number: f"serviceAccount:{service_agent(number, use)}")

    def stateful(self, parent: pulumi.Resource, opts: pulumi.ResourceOptions | None,
                 **extra: Any) -> pulumi.ResourceOptions:
        """Options for data-bearing resources: in prod they survive both `destroy` and a replace."""
        return stateful(parent, opts, self.protect, **extra)
