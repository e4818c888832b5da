"""The AWS landing zone: keys, IAM boundary, network, storage, audit trail, EKS and GPU node pools.

Composition order follows the dependencies: keys and roles first (flow logs and the cluster need
them), the network, storage (the teams' roles are scoped to bucket ARNs), the audit trail (its bucket
policy must exist first), the cluster, then IRSA roles (they need the cluster's OIDC provider), the
add-ons with the system node group, and the GPU pools last (their nodes need the VPC CNI).

Values that only the cloud knows are never read back (offline plans cannot): the account, partition
and region come from answered invokes, and every ARN is composed from them.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.catalog import aws_instance_type
from components.catalog.quotas import aws_pool_quota, pools_quota
from components.config.model import Cloud, LandingZoneConfig
from components.finops import budgets_on, team_budgets
from components.invariants import present
from components.names import PROJECT, TEAM_BUCKETS, stack_prefix, team_service_account
from components.outputs import LandingZoneExports
from components.platform_inputs import ClusterAccess, NodeAutoscaler, PlatformInputs, TeamIdentity
from components.storage_advisor import fsx_lustre_prices, training_demand
from components.telemetry.rules import rule_file, stack_pool_rates, thresholds_of

from .alert_topic import AlertTopic, AlertTopicArgs
from .audit_replica import AuditReplica, AuditReplicaArgs
from .audit_trail import AuditTrail, AuditTrailArgs, trail_name
from .budgets import Budgets, BudgetsArgs
from .cluster_addons import SYSTEM_LABELS, ClusterAddons, ClusterAddonsArgs
from .common import AwsContext
from .eks_cluster import EksCluster, EksClusterArgs, endpoint_access
from .gpu_node_pool import GpuNodePool, GpuNodePoolArgs, PoolLayout, pool_layout
from .gpu_quota import GpuQuota, GpuQuotaArgs
from .iam_boundary import IamBoundary, IamBoundaryArgs
from .kms_keys import KmsKeys, KmsKeysArgs
from .managed_prometheus import SCRAPER_USER, ManagedPrometheus, ManagedPrometheusArgs
from .network import Network, NetworkArgs
from .node_autoscaler import exact, expander_priorities
from .registries import Registries, RegistriesArgs
from .tiered_storage import TieredStorage, TieredStorageArgs
from .workload_identity import WorkloadIdentity, WorkloadIdentityArgs

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


def secrets_manager_store(region: str, team: str) -> dict:
    """The team's SecretStore provider: Secrets Manager, as the team's ServiceAccount (its IRSA role)."""
    return {"aws": {"service": "SecretsManager", "region": region,
                    "auth": {"jwt": {"serviceAccountRef": {"name": team_service_account(team)}}}}}


def file_tier_zone(layouts: list[PoolLayout], zones: list[str]) -> str:
    """The file system sits with the GPUs: the zone of the first EFA pool, else of any pinned pool."""
    for wanted in (lambda lay: lay.efa, lambda lay: True):
        for layout in layouts:
            if layout.zone and wanted(layout):
                return layout.zone
    return zones[0]


class AwsLandingZone(pulumi.ComponentResource):
    def __init__(self, name: str, config: LandingZoneConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:LandingZone", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity()
        partition = aws.get_partition()
        region = aws.get_region().region
        prefix = stack_prefix(pulumi.get_stack(), cloud=Cloud.aws.value, environment=config.environment.value,
                              scheme=config.naming.scheme.value)
        ctx = AwsContext(account_id=identity.account_id, partition=partition.partition, region=region,
                         prefix=prefix, tags=config.cost_tags(), protect=config.protect,
                         reverse_dns_prefix=partition.reverse_dns_prefix or "com.amazonaws")
        self.context = ctx

        zones = list(config.network.zones or
                     aws.get_availability_zones(state="available").names[: config.network.zone_count])
        instances = [aws_instance_type(p.instance_type) for p in config.gpu_pools]
        layouts = []
        for i, (pool, instance) in enumerate(zip(config.gpu_pools, instances, strict=True)):
            try:
                layouts.append(pool_layout(pool, instance, zones))
            except ValueError as exc:
                raise pulumi.RunError(f"{PROJECT}:gpuPools[{i}]: {exc}") from None

        trail = trail_name(prefix) if config.logging.audit_trail else None
        cluster_name = prefix
        flow_log_group = f"/aws/vpc/{prefix}/flow-logs"

        self.keys = KmsKeys(f"{name}-keys", KmsKeysArgs(ctx, trail_name=trail), child)
        self.iam = IamBoundary(f"{name}-iam", IamBoundaryArgs(
            ctx, eks_key_arn=self.keys.eks.arn, flow_log_group_name=flow_log_group), child)
        self.network = Network(f"{name}-network", NetworkArgs(
            ctx, config.network, zones=tuple(zones), nat_mode=config.nat_mode,
            interface_endpoints=config.interface_endpoints, flow_log_role_arn=self.iam.flow_logs.arn,
            team_endpoints=bool(config.teams),
            logs_key_arn=self.keys.logs.arn, flow_log_group_name=flow_log_group), child)
        private = self.network.private_subnet_ids

        self.storage = TieredStorage(f"{name}-storage", TieredStorageArgs(
            ctx, config.storage, object_lock=config.object_lock, storage_key_arn=self.keys.storage.arn,
            logs_key_arn=self.keys.logs.arn, ebs_key_arn=self.keys.ebs.arn, vpc_id=self.network.vpc_id,
            vpc_cidr=config.network.cidr, file_subnet_id=private[file_tier_zone(layouts, zones)],
            efs_subnet_ids=list(private.values()), s3_prefix_list_id=self.network.s3_prefix_list_id,
            trail_name=trail, lustre_demand_mbps=training_demand(config.gpu_pools, Cloud.aws).mbps,
            lustre_prices=fsx_lustre_prices() if config.storage.file.kind == "lustre" else {}), child)
        if trail:
            self.audit = AuditTrail(f"{name}-audit", AuditTrailArgs(
                ctx, name=trail, bucket_name=self.storage.buckets["audit"].bucket, kms_key_arn=self.keys.logs.arn,
                depends_on=[self.storage.policies["audit"]]), child)
            self.audit_replica: AuditReplica | None = None
            if config.logging.audit_replica_region:
                self.audit_replica = AuditReplica(f"{name}-audit-replica", AuditReplicaArgs(
                    ctx, replica_region=config.logging.audit_replica_region,
                    source_bucket=self.storage.buckets["audit"], source_versioning=self.storage.versioning["audit"],
                    source_key_arn=self.keys.logs.arn, boundary_arn=self.iam.boundary_arn,
                    lifecycle=config.storage.objects.logs, object_lock=config.object_lock,
                    lock_days=config.storage.objects.object_lock_days), child)

        self.cluster = EksCluster(f"{name}-eks", EksClusterArgs(
            ctx, cluster_name=cluster_name, kubernetes_version=config.kubernetes.version,
            subnet_ids=list(private.values()), role_arn=self.iam.cluster.arn, secrets_key_arn=self.keys.eks.arn,
            logs_key_arn=self.keys.logs.arn, log_retention_days=config.logging.retention_days,
            endpoint=endpoint_access(config.is_prod, config.network.api_allowed_cidrs),
            role_dependencies=self.iam.cluster.attachments,
            admin_principals=tuple(config.kubernetes.admin_principals)), child)

        self.identity = WorkloadIdentity(f"{name}-identity", WorkloadIdentityArgs(
            ctx, boundary_arn=self.iam.boundary_arn, cluster_name=self.cluster.name,
            oidc_provider_arn=self.cluster.oidc_provider.arn, oidc_issuer=self.cluster.oidc_issuer,
            teams=config.teams, bucket_arns={p: b.arn for p, b in self.storage.buckets.items()},
            storage_key_arn=self.keys.storage.arn, ebs_key_arn=self.keys.ebs.arn,
            secrets_key_arn=self.keys.secrets.arn, autoscaler_cluster_name=cluster_name), child)

        self.registries = Registries(f"{name}-registries", RegistriesArgs(
            ctx, config.registries, teams=tuple(t for t in config.teams if t.managed_by == "platform"),
            registry_key_arn=self.keys.registry.arn, node_role_arn=self.iam.node.arn,
            node_role_name=self.iam.node.role.name,
            people_role_arns={t: r.arn for t, r in self.identity.people_roles.items()}), child)

        self.addons = ClusterAddons(f"{name}-addons", ClusterAddonsArgs(
            ctx, cluster_name=self.cluster.name, node_role_arn=self.iam.node.arn, subnet_ids=list(private.values()),
            cluster_security_group_id=self.cluster.security_group_id, ebs_key_arn=self.keys.ebs.arn,
            addon_role_arns={a: r.arn for a, r in self.identity.addon_roles.items()},
            addon_role_dependencies=[a for r in self.identity.addon_roles.values() for a in r.attachments],
            lustre_driver=config.storage.file.kind == "lustre", node_role_dependencies=self.iam.node.attachments),
            child)

        self.pools = [
            GpuNodePool(f"{name}-pool-{pool.name}", GpuNodePoolArgs(
                ctx, pool=pool, instance=instance, cluster_name=cluster_name, node_role_arn=self.iam.node.arn,
                private_subnet_ids=private, cluster_security_group_id=self.cluster.security_group_id,
                efa_security_group_id=self.network.efa_security_group.id, ebs_key_arn=self.keys.ebs.arn,
                depends_on=[self.cluster.cluster, *self.addons.networking, *self.iam.node.attachments]), child)
            for pool, instance in zip(config.gpu_pools, instances, strict=True)
        ]

        # Alerts: the SNS topic (also the budgets' target), and GPU telemetry into managed Prometheus.
        self.alerts = AlertTopic(f"{name}-alerts", AlertTopicArgs(ctx, emails=tuple(config.notifications.emails)),
                                 child)
        self.telemetry = ManagedPrometheus(f"{name}-telemetry", ManagedPrometheusArgs(
            ctx, cluster_name=self.cluster.name, cluster_arn=self.cluster.cluster.arn,
            subnet_ids=list(private.values()), security_group_id=self.cluster.security_group_id,
            kms_key_arn=self.alerts.key.arn, topic_arn=self.alerts.topic_arn,
            rules=rule_file("eks", stack_pool_rates(config), thresholds_of(config.alerts)),
            depends_on=[self.cluster.cluster]), child)
        # Quota and money: what the pools need at max scale is requested, and budgets watch the spend
        # (notifying through the alert topic, which the notification emails subscribe to).
        needs, unknown = pools_quota(
            [(p.name, p.instance_type, p.capacity.type.value, p.max_nodes) for p in config.gpu_pools]
            if config.gpu_quota_requests else [], region, aws_pool_quota)
        for line in unknown:
            pulumi.log.warn(line)
        self.quota = GpuQuota(f"{name}-quota", GpuQuotaArgs(ctx, needs), child) if needs else None
        self.budgets = Budgets(f"{name}-budgets", BudgetsArgs(
            ctx, environment=config.environment.value, environment_usd=config.budget.max_monthly_usd,
            team_usd=team_budgets(config), thresholds=tuple(config.budget.thresholds),
            sns_topic_arn=self.alerts.topic_arn), child) if budgets_on(config) else None

        # The pools start at minNodes (often 0): cluster-autoscaler brings them up. It discovers every
        # managed node group by the tags EKS puts on its Auto Scaling group; the priorities name the
        # GPU pools' groups by their real names (unknown until the node group exists).
        autoscaler_role = present(self.identity.autoscaler_role, "WorkloadIdentity makes the autoscaler role on EKS")
        node_autoscaler = NodeAutoscaler(
            cluster_name=self.cluster.name, region=region, role_arn=autoscaler_role.arn,
            group_priorities=expander_priorities([
                (pool.capacity.type, p.node_group.resources.apply(
                    lambda rs: exact(rs[0].autoscaling_groups[0].name)))
                for pool, p in zip(config.gpu_pools, self.pools, strict=True)]),
            node_selector=dict(SYSTEM_LABELS))

        self.platform_inputs = PlatformInputs(
            cluster=ClusterAccess(kind="eks", name=self.cluster.name, endpoint=self.cluster.endpoint,
                                  ca_data=self.cluster.ca_data, region=region),
            gpu_pools=[p.handle for p in self.pools],
            team_identities={team: TeamIdentity(team=team, annotation_key=IRSA_ANNOTATION, annotation_value=role.arn)
                             for team, role in self.identity.team_roles.items()},
            file_tier=self.storage.file_tier,
            shared_homes=self.storage.shared_homes,
            block_kms_key=self.keys.ebs.arn,
            storage_egress_cidrs=[config.network.cidr],
            node_autoscaler=node_autoscaler,
            metrics_scraper_user=SCRAPER_USER,
            secret_stores={team: secrets_manager_store(region, team) for team in self.identity.team_roles},
            depends_on=[self.addons, *self.identity.autoscaler_role.attachments],
        )
        self.register_outputs({
            "clusterName": self.cluster.name,
            "vpcId": self.network.vpc_id,
            "gpuPools": [p.handle.name for p in self.pools],
            "alertTopicArn": self.alerts.topic_arn,
        })

    @property
    def exports(self) -> LandingZoneExports:
        return LandingZoneExports(
            region=self.context.region, cluster_name=self.cluster.name, cluster_endpoint=self.cluster.endpoint,
            cluster_ca_data=self.cluster.ca_data,
            buckets={purpose: self.storage.buckets[purpose].bucket for purpose in TEAM_BUCKETS},
            cloud={"oidcProviderArn": self.cluster.oidc_provider.arn, "oidcIssuer": self.cluster.oidc_issuer,
                   "permissionsBoundaryArn": self.iam.boundary_arn, "storageKmsKeyArn": self.keys.storage.arn,
                   "registryKmsKeyArn": self.keys.registry.arn, "secretsKmsKeyArn": self.keys.secrets.arn})
