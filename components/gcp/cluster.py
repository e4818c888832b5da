"""The GKE cluster and its small system node pool.

Private nodes everywhere; in prod (or with no `network.apiAllowedCidrs`) the control plane has only a
private endpoint. Dataplane V2 enforces NetworkPolicy and, with multi-networking on, lets GPU pools
attach their NIC networks. Secrets are envelope-encrypted with a Cloud KMS key; nodes use a dedicated
service account, Shielded VMs with secure boot, and the GKE metadata server (Workload Identity).
The default node pool is removed right after creation; GPU pools are separate `GpuNodePool`s.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.config.model import KubernetesConfig, NetworkConfig, StorageConfig
from components.names import POOL_LABEL, SYSTEM_POOL
from components.options import child

from .common import GcpContext
from .network import PODS_RANGE, SERVICES_RANGE
from .node_service_account import NodeServiceAccount, NodeServiceAccountArgs

SYSTEM_MACHINE_TYPE = "e2-standard-4"
RELEASE_CHANNELS = {"prod": "STABLE", "staging": "REGULAR", "dev": "REGULAR"}

# Least-privilege scopes from the GKE hardening guide; IAM roles on the node account do the rest.
NODE_OAUTH_SCOPES = (
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/logging.write",
    "https://www.googleapis.com/auth/monitoring",
    "https://www.googleapis.com/auth/servicecontrol",
    "https://www.googleapis.com/auth/service.management.readonly",
    "https://www.googleapis.com/auth/trace.append",
)

# System and workload logs, plus the control plane's: who changed what in the cluster, in every environment.
LOG_COMPONENTS = ("SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER")
# Workload metrics via Managed Prometheus (kube-state-metrics packages) and GPU metrics from DCGM.
METRIC_COMPONENTS = ("SYSTEM_COMPONENTS", "POD", "DEPLOYMENT", "STATEFULSET", "DAEMONSET", "DCGM")


def private_endpoint(network: NetworkConfig, prod: bool) -> bool:
    """Private-only control plane in prod, and wherever no office/VPN range was allowed in."""
    return prod or not network.api_allowed_cidrs


def authorized_networks(network: NetworkConfig, prod: bool) -> list[tuple[str, str]]:
    """(cidr, display name): the node range (in-VPC runners and bastions) plus the allowed ranges."""
    out = [(network.cidr, "cluster-vpc")]
    if not prod:
        out += [(cidr, f"allowed-{i}") for i, cidr in enumerate(network.api_allowed_cidrs)]
    return out


def system_pool_size(prod: bool, zone_count: int) -> tuple[int, int]:
    """(total min, total max) nodes: one per zone in prod for availability, one in total elsewhere."""
    return (zone_count if prod else 1), 2 * zone_count


@dataclass(frozen=True)
class GkeClusterArgs:
    ctx: GcpContext
    network: NetworkConfig
    kubernetes: KubernetesConfig
    storage: StorageConfig             # the file tier's CSI driver, and Filestore for shared homes
    zones: list[str]
    vpc: pulumi.Input[str]             # VPC id
    subnetwork: pulumi.Input[str]
    secrets_key: pulumi.Input[str]
    boot_disk_key: pulumi.Input[str]
    key_grants: list[pulumi.Resource]


def node_shielding() -> dict[str, object]:
    return {"enable_secure_boot": True, "enable_integrity_monitoring": True}


class GkeCluster(pulumi.ComponentResource):
    """`lz:gcp:Cluster`: `.cluster`, `.system_pool`, `.node_account`."""

    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:Cluster", name, None, opts)
        ctx, kube = args.ctx, args.kubernetes
        project, prod = ctx.project, ctx.is_prod
        labels = dict(ctx.labels)

        self.node_account = NodeServiceAccount(
            f"{name}-system", NodeServiceAccountArgs(ctx=ctx, pool="system"), opts=child(self, opts))
        node_sa = self.node_account.account.email

        file_kind = args.storage.file.kind
        self.cluster = gcp.container.Cluster(
            f"{name}-gke", name=ctx.physical_name("gke"), project=project, location=ctx.region,
            node_locations=args.zones, network=args.vpc, subnetwork=args.subnetwork,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=PODS_RANGE, services_secondary_range_name=SERVICES_RANGE),
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True, enable_private_endpoint=private_endpoint(args.network, prod),
                master_global_access_config=gcp.container.ClusterPrivateClusterConfigMasterGlobalAccessConfigArgs(
                    enabled=True)),
            master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                    cidr_block=cidr, display_name=label) for cidr, label in authorized_networks(args.network, prod)],
                gcp_public_cidrs_access_enabled=False),
            master_auth=gcp.container.ClusterMasterAuthArgs(
                client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
                    issue_client_certificate=False)),
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{project}.svc.id.goog"),
            # Google Groups for RBAC: the teams' RoleBindings name their Google groups.
            authenticator_groups_config=gcp.container.ClusterAuthenticatorGroupsConfigArgs(
                security_group=kube.gke_security_group) if kube.gke_security_group else None,
            enable_shielded_nodes=True,
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=RELEASE_CHANNELS[ctx.environment]),
            min_master_version=kube.version,
            datapath_provider="ADVANCED_DATAPATH",
            enable_multi_networking=True,
            database_encryption=gcp.container.ClusterDatabaseEncryptionArgs(
                state="ENCRYPTED", key_name=args.secrets_key),
            binary_authorization=gcp.container.ClusterBinaryAuthorizationArgs(
                evaluation_mode="PROJECT_SINGLETON_POLICY_ENFORCE"),
            logging_config=gcp.container.ClusterLoggingConfigArgs(enable_components=list(LOG_COMPONENTS)),
            monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
                enable_components=list(METRIC_COMPONENTS),
                managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(enabled=True)),
            cost_management_config=gcp.container.ClusterCostManagementConfigArgs(enabled=True),
            addons_config=gcp.container.ClusterAddonsConfigArgs(
                gce_persistent_disk_csi_driver_config=gcp.container.ClusterAddonsConfigGcePersistentDiskCsiDriverConfigArgs(
                    enabled=True),
                gcs_fuse_csi_driver_config=gcp.container.ClusterAddonsConfigGcsFuseCsiDriverConfigArgs(enabled=True),
                lustre_csi_driver_config=gcp.container.ClusterAddonsConfigLustreCsiDriverConfigArgs(
                    enabled=True, enable_legacy_lustre_port=True) if file_kind == "managedLustre" else None,
                parallelstore_csi_driver_config=gcp.container.ClusterAddonsConfigParallelstoreCsiDriverConfigArgs(
                    enabled=True) if file_kind == "parallelstore" else None,
                gcp_filestore_csi_driver_config=gcp.container.ClusterAddonsConfigGcpFilestoreCsiDriverConfigArgs(
                    enabled=file_kind == "filestore" or args.storage.shared_homes),
            ),
            # The default pool exists for a moment before removal; even then it runs as our node account.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=gcp.container.ClusterNodeConfigArgs(
                service_account=node_sa, oauth_scopes=list(NODE_OAUTH_SCOPES),
                shielded_instance_config=gcp.container.ClusterNodeConfigShieldedInstanceConfigArgs(**node_shielding()),
                workload_metadata_config=gcp.container.ClusterNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
                boot_disk_kms_key=args.boot_disk_key, resource_labels=labels),
            deletion_protection=prod,
            resource_labels=labels,
            opts=ctx.stateful(self, opts,
                              depends_on=[*args.key_grants, *self.node_account.grants],
                              # Node config of the removed default pool: changes would recreate the cluster.
                              ignore_changes=["node_config"]))

        lo, hi = system_pool_size(prod, len(args.zones))
        self.system_pool = gcp.container.NodePool(
            f"{name}-system", name="system", project=project, cluster=self.cluster.id, location=ctx.region,
            node_locations=args.zones,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                total_min_node_count=lo, total_max_node_count=hi, location_policy="BALANCED"),
            initial_node_count=1,  # per zone; the autoscaler settles between the totals
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(max_surge=1, max_unavailable=0),
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type=SYSTEM_MACHINE_TYPE, image_type="COS_CONTAINERD", disk_type="pd-balanced",
                disk_size_gb=100, boot_disk_kms_key=args.boot_disk_key,
                service_account=node_sa, oauth_scopes=list(NODE_OAUTH_SCOPES),
                shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(**node_shielding()),
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
                gvnic=gcp.container.NodePoolNodeConfigGvnicArgs(enabled=True),
                metadata={"disable-legacy-endpoints": "true"},
                labels={POOL_LABEL: SYSTEM_POOL}, resource_labels=labels),
            opts=child(self, opts, delete_before_replace=True))

        self.register_outputs({"cluster": self.cluster.name, "endpoint": self.cluster.endpoint})
