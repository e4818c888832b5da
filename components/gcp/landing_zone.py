"""The GCP landing zone: composes the GCP components and hands `PlatformInputs` to the Kubernetes layer.

Order of construction follows the data flow: project APIs -> keys -> VPC (+ GPU NIC networks per pool)
-> GKE cluster -> GPU node pools -> buckets -> file tier -> team identities -> guardrails -> audit ->
GKE multi-network objects. Config problems, GCP's included, are reported by `load_config` before this runs.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.catalog import gcp_machine_type
from components.catalog.quotas import RESERVED, gcp_pool_quota, pools_quota, with_gcp_global
from components.config.model import Cloud, LandingZoneConfig, gcp_labels
from components.finops import budgets_on, team_budgets
from components.invariants import present
from components.k8s.gpudirect_policy import gpudirect_flavour
from components.k8s.kubeconfig import kubeconfig_for
from components.k8s.kueue import GKE_QUEUED_PROVISIONING
from components.names import TEAM_BUCKETS, stack_prefix, team_service_account
from components.options import child
from components.outputs import LandingZoneExports
from components.platform_inputs import ClusterAccess, GpuPoolHandle, PlatformInputs, TeamIdentity
from components.telemetry.rules import alert_rules, stack_pool_rates, thresholds_of

from .audit import AuditLogging, AuditLoggingArgs
from .budgets import Budgets, BudgetsArgs
from .cluster import GkeCluster, GkeClusterArgs
from .common import GcpContext
from .file_tier import FileTier, FileTierArgs
from .gpu_alerts import GpuAlerts, GpuAlertsArgs
from .gpu_networks import GpuNicNetworks, GpuNicNetworksArgs
from .gpu_node_pool import GpuNodePool, GpuNodePoolArgs
from .gpu_quota import GpuQuota, GpuQuotaArgs
from .guardrails import Guardrails, GuardrailsArgs
from .keys import Keys, KeysArgs, key_uses
from .layout import PoolNics, cluster_nic_layouts
from .network import PRIVATE_GOOGLE_APIS_CIDR, Network, NetworkArgs
from .notification_channels import NotificationChannels, NotificationChannelsArgs
from .object_storage import ObjectStorage, ObjectStorageArgs
from .pod_networks import POD_NETWORK_RESOURCE_PREFIX, PodNetworks, PodNetworksArgs
from .pool_settings import GKE_POOL_LABEL, POOL_LABEL, gke_pool_settings
from .project_services import ProjectServices, ProjectServicesArgs, required_services
from .registries import Registries, RegistriesArgs
from .storage_rules import file_tier_size
from .team_identity import TeamIdentity as GcpTeamIdentity
from .team_identity import TeamIdentityArgs

WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"


def secret_manager_store(project: str, region: str, cluster_name: pulumi.Input[str], team: str) -> dict:
    """The team's SecretStore provider: Secret Manager, as the team's ServiceAccount (Workload Identity)."""
    return {"gcpsm": {"projectID": project, "auth": {"workloadIdentity": {
        "serviceAccountRef": {"name": team_service_account(team)}, "clusterLocation": region,
        "clusterName": cluster_name, "clusterProjectID": project}}}}


def cluster_zones(config: LandingZoneConfig) -> list[str]:
    """network.zones, or the first `zoneCount` zones of the region (an answered invoke offline)."""
    if config.network.zones:
        return list(config.network.zones)
    names = sorted(gcp.compute.get_zones(project=config.gcp_project, region=config.region).names)
    return names[: config.network.zone_count]


class GcpLandingZone(pulumi.ComponentResource):
    """`lz:gcp:LandingZone`. `.platform_inputs` is what the Kubernetes platform layer builds on."""

    def __init__(self, name: str, config: LandingZoneConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:LandingZone", name, None, opts)
        project = present(config.gcp_project, "gcpProject is required on GCP (config checks)")
        region = present(config.region, "region is required on GCP (config checks)")
        ctx = GcpContext(project=project, region=region, environment=config.environment.value,
                         prefix=stack_prefix(pulumi.get_stack(), cloud=Cloud.gcp.value,
                                             environment=config.environment.value, scheme=config.naming.scheme.value),
                         legacy_names=config.naming.scheme.value == "legacy",
                         project_number=gcp.organizations.get_project_output(project_id=project).number,
                         labels=gcp_labels(config.cost_tags()), protect=config.protect)
        self.context = ctx
        zones = cluster_zones(config)
        file_kind = config.storage.file.kind

        self.services = ProjectServices(f"{name}-apis", ProjectServicesArgs(ctx, required_services(
            file_kind, scanning=config.registries.scan_on_push, budgets=budgets_on(config),
            quotas=config.gpu_quota_requests and any(
                p.capacity.type.value not in RESERVED for p in config.gpu_pools))),
                                        opts=pulumi.ResourceOptions(parent=self))
        after_apis = pulumi.ResourceOptions(parent=self, depends_on=self.services.resources)

        self.keys = Keys(f"{name}-keys", KeysArgs(ctx, key_uses(file_kind)), opts=after_apis)
        size = file_tier_size(config)
        self.network = Network(f"{name}-net", NetworkArgs(
            ctx, config.network, private_services=size is not None, lustre=file_kind == "managedLustre"),
            opts=after_apis)

        pools = []
        nic_pools = []
        for pool in config.gpu_pools:
            machine = gcp_machine_type(pool.instance_type)
            settings = gke_pool_settings(pool, machine, zones)
            zone = settings.node_locations[0] if len(settings.node_locations) == 1 else None
            nic_pools.append(PoolNics(pool.name, machine, zone))
            pools.append((pool, settings))
        layouts = cluster_nic_layouts(nic_pools, project=project, base_cidr=config.network.gpu_nic_cidr)
        self.nic_networks: dict[str, GpuNicNetworks] = {}
        for pool, _ in pools:
            layout = layouts[pool.name]
            if layout.networks:
                self.nic_networks[pool.name] = GpuNicNetworks(
                    f"{name}-{pool.name}-nics", GpuNicNetworksArgs(ctx, layout),
                    opts=after_apis)

        self.cluster = GkeCluster(f"{name}-gke", GkeClusterArgs(
            ctx, config.network, config.kubernetes, config.storage,
            zones=zones, vpc=self.network.vpc.id, subnetwork=self.network.subnet.id,
            secrets_key=self.keys.keys["gke"].id, boot_disk_key=self.keys.keys["disks"].id,
            key_grants=[*self.keys.grants["gke"], *self.keys.grants["disks"]]), opts=after_apis)

        self.gpu_pools: dict[str, GpuNodePool] = {}
        for pool, settings in pools:
            nics = self.nic_networks.get(pool.name)
            self.gpu_pools[pool.name] = GpuNodePool(f"{name}-{pool.name}", GpuNodePoolArgs(
                ctx, settings, cluster_id=self.cluster.cluster.id, boot_disk_key=self.keys.keys["disks"].id,
                nic_subnets=nics.attached if nics else [],
                key_grants=self.keys.grants["disks"], image_streaming=config.registries.image_streaming),
                opts=after_apis)

        self.storage = ObjectStorage(f"{name}-objects", ObjectStorageArgs(
            ctx, config.storage.objects, config.object_lock, kms_key=self.keys.keys["storage"].id,
            key_grants=self.keys.grants["storage"]),
            opts=after_apis)

        self.file_tier: FileTier | None = None
        if size is not None:
            present(self.network.psa_connection, "a file tier implies private services access (Network)")
            training_zones = [s.node_locations[0] for p, s in pools
                              if p.purpose == "training" and len(s.node_locations) == 1]
            kind = config.storage.file.kind
            self.file_tier = FileTier(f"{name}-files", FileTierArgs(
                ctx, size=size, zone=(training_zones or zones)[0], network=self.network.vpc.id,
                network_name=self.network.vpc.name, psa_connection=self.network.psa_connection,
                kms_key=self.keys.keys[kind].id if kind in self.keys.keys else None,
                key_grants=self.keys.grants.get(kind, []), datasets_bucket=self.storage.buckets["datasets"]),
                opts=after_apis)

        self.teams = {
            team.name: GcpTeamIdentity(f"{name}-team-{team.name}", TeamIdentityArgs(
                ctx, team, buckets=self.storage.buckets,
                cluster=self.cluster.cluster), opts=after_apis)
            for team in config.teams if team.managed_by == "platform"
        }
        self.registries = Registries(f"{name}-registries", RegistriesArgs(
            ctx, config.registries, teams=tuple(t for t in config.teams if t.managed_by == "platform"),
            kms_key=self.keys.keys["registry"].id, key_grants=self.keys.grants["registry"]), opts=after_apis)
        self.guardrails = Guardrails(f"{name}-guardrails", GuardrailsArgs(
            ctx, tuple(p.instance_type for p in config.gpu_pools), config.gcp_organization_id), opts=after_apis)
        self.audit = AuditLogging(f"{name}-audit", AuditLoggingArgs(ctx, config.logging), opts=after_apis) \
            if config.logging.audit_trail else None

        # Alerts: an email channel per notification address (also the billing budgets' target), and the
        # GPU alert policies over GKE's managed DCGM metrics.
        self.notifications = NotificationChannels(f"{name}-notifications", NotificationChannelsArgs(
            ctx, emails=tuple(config.notifications.emails)), opts=after_apis)
        self.gpu_alerts = GpuAlerts(f"{name}-gpu-alerts", GpuAlertsArgs(
            project=project, prefix=ctx.prefix,
            rules=alert_rules("gke", stack_pool_rates(config), thresholds_of(config.alerts)),
            notification_channels=self.notifications.ids, user_labels=dict(ctx.labels)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self.services.resources, self.cluster]))
        # Quota and money: the GPUs the pools need at max scale are requested, and budgets watch the spend.
        quota_needs, unknown = pools_quota(
            [(pool.name, pool.instance_type, pool.capacity.type.value, settings.total_max_nodes)
             for pool, settings in pools] if config.gpu_quota_requests else [], region, gcp_pool_quota)
        quota_needs = with_gcp_global(quota_needs)  # and the project-wide GPU ceiling they add up to
        for line in unknown:
            pulumi.log.warn(line)
        self.quota = GpuQuota(f"{name}-quota", GpuQuotaArgs(ctx, quota_needs), opts=after_apis) \
            if quota_needs else None
        self.budgets = Budgets(f"{name}-budgets", BudgetsArgs(
            ctx, billing_account=present(config.budget.billing_account, "budget.billingAccount (config checks)"),
            environment_usd=config.budget.max_monthly_usd, team_usd=team_budgets(config),
            thresholds=tuple(config.budget.thresholds),
            notification_channels=tuple(self.notifications.ids)), opts=after_apis) if budgets_on(config) else None

        gke = self.cluster.cluster
        access = ClusterAccess(kind="gke", name=gke.name, endpoint=gke.endpoint,
                               ca_data=gke.master_auth.cluster_ca_certificate, region=region, project=project)
        self.pod_networks: PodNetworks | None = None
        nic_subnets = [a for n in self.nic_networks.values() for a in n.attached]
        if nic_subnets:
            provider = k8s.Provider(f"{name}-gke-k8s", kubeconfig=kubeconfig_for(access),
                                    opts=child(self, None, depends_on=[self.cluster.system_pool]))
            self.pod_networks = PodNetworks(f"{name}-pod-networks",
                                            PodNetworksArgs(provider=provider, subnets=nic_subnets),
                                            opts=pulumi.ResourceOptions(parent=self))

        self.platform_inputs = PlatformInputs(
            cluster=access,
            gpu_pools=[GpuPoolHandle(name=s.name, node_labels={GKE_POOL_LABEL: s.name, POOL_LABEL: s.name},
                                     gpus_per_node=s.accelerator_count, max_nodes=s.total_max_nodes,
                                     extra_resource_prefixes=(POD_NETWORK_RESOURCE_PREFIX,)
                                     if p.name in self.nic_networks else (),
                                     node_cpu=gcp_machine_type(p.instance_type).vcpu,
                                     node_memory_gib=gcp_machine_type(p.instance_type).memory_gib,
                                     provisioning_class=GKE_QUEUED_PROVISIONING if s.queued_provisioning else None,
                                     gpudirect=gpudirect_flavour(gcp_machine_type(p.instance_type).gpu_nics.flavour)
                                     if p.name in self.nic_networks else None)
                       for p, s in pools],
            team_identities={t: TeamIdentity(team=t, annotation_key=WORKLOAD_IDENTITY_ANNOTATION,
                                             annotation_value=identity.account.email)
                             for t, identity in self.teams.items()},
            file_tier=self.file_tier.handle if self.file_tier else None,
            secret_stores={t: secret_manager_store(project, region, gke.name, t) for t in self.teams},
            storage_egress_cidrs=[PRIVATE_GOOGLE_APIS_CIDR,
                                  *([config.network.private_services_cidr] if size is not None else [])],
            depends_on=[self.cluster.system_pool, *(p.node_pool for p in self.gpu_pools.values()),
                        *([self.pod_networks] if self.pod_networks else [])],
        )
        self._region, self._project = region, project
        self.register_outputs({
            "clusterName": gke.name, "clusterEndpoint": gke.endpoint, "zones": zones,
            "buckets": {p: b.url for p, b in self.storage.buckets.items()},
            "gpuPools": {n: p.node_pool.name for n, p in self.gpu_pools.items()},
            "fileTierImport": self.file_tier.import_command if self.file_tier else None,
        })

    @property
    def exports(self) -> LandingZoneExports:
        gke = self.cluster.cluster
        return LandingZoneExports(
            region=self._region, cluster_name=gke.name, cluster_endpoint=gke.endpoint,
            cluster_ca_data=gke.master_auth.cluster_ca_certificate,
            buckets={purpose: self.storage.buckets[purpose].name for purpose in TEAM_BUCKETS},
            cloud={"gcpProject": self._project, "registryKmsKey": self.keys.keys["registry"].id})
