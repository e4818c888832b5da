"""The Google APIs the landing zone calls, enabled on the project before anything uses them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .common import GcpContext

BASE_SERVICES = (
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "storage.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "iam.googleapis.com",
    "orgpolicy.googleapis.com",
    "binaryauthorization.googleapis.com",
    "artifactregistry.googleapis.com",
    "dns.googleapis.com",           # the private googleapis.com zone (Private Google Access for pods)
    "secretmanager.googleapis.com",  # the teams' secrets (External Secrets Operator reads them)
)
# Artifact Analysis scans images pushed to Artifact Registry once this API is on (charged per image).
SCANNING_SERVICES = ("containerscanning.googleapis.com",)
FILE_TIER_SERVICES = {
    "managedLustre": ("lustre.googleapis.com", "servicenetworking.googleapis.com"),
    "parallelstore": ("parallelstore.googleapis.com", "servicenetworking.googleapis.com"),
    "filestore": ("file.googleapis.com", "servicenetworking.googleapis.com"),
}


BUDGET_SERVICE = "billingbudgets.googleapis.com"   # gcp.billing.Budget (Cloud Billing Budget API)
QUOTA_SERVICE = "cloudquotas.googleapis.com"       # gcp.cloudquota.SQuotaPreference (Cloud Quotas API)


def required_services(file_kind: str, *, scanning: bool = False, budgets: bool = False,
                      quotas: bool = False) -> tuple[str, ...]:
    """The APIs a stack calls: by `storage.file.kind`, `registries.scanOnPush`, and whether it has budgets /
    quota preferences."""
    return (BASE_SERVICES + (SCANNING_SERVICES if scanning else ()) + FILE_TIER_SERVICES.get(file_kind, ())
            + ((BUDGET_SERVICE,) if budgets else ()) + ((QUOTA_SERVICE,) if quotas else ()))


@dataclass(frozen=True)
class ProjectServicesArgs:
    ctx: GcpContext
    services: tuple[str, ...]   # `required_services(storage.file.kind)`


class ProjectServices(pulumi.ComponentResource):
    """`lz:gcp:ProjectServices`: one `projects.Service` per API; `.resources` is what others wait on."""

    def __init__(self, name: str, args: ProjectServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:ProjectServices", name, None, opts)
        self.resources: list[pulumi.Resource] = []
        for service in args.services:
            short = service.split(".", 1)[0]
            self.resources.append(gcp.projects.Service(
                f"{name}-{short}", project=args.ctx.project, service=service,
                # Other workloads in the project may use the same API: never turn it off on destroy.
                disable_on_destroy=False, disable_dependent_services=False,
                opts=pulumi.ResourceOptions(parent=self)))
        self.register_outputs({"services": [s.service for s in self.resources]})
