"""One GPU node pool on GKE, from the cloud-neutral `GpuPool` spec.

Settings come from `pool_settings.gke_pool_settings` (zones, placement, capacity model, taints, disks);
this component writes them into a `container.NodePool`, attaches the pool's GPU NIC networks as
additional node networks, and gives the nodes their own least-privilege service account.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.names import RESERVED_NODES_KEY
from components.options import child

from .cluster import NODE_OAUTH_SCOPES, node_shielding
from .common import GcpContext
from .gpu_networks import AttachedSubnet
from .node_service_account import NodeServiceAccount, NodeServiceAccountArgs
from .pool_settings import GkePoolSettings


@dataclass(frozen=True)
class GpuNodePoolArgs:
    ctx: GcpContext                  # its labels are the VMs' cost-attribution resource labels
    settings: GkePoolSettings
    cluster_id: pulumi.Input[str]
    boot_disk_key: pulumi.Input[str]
    nic_subnets: list[AttachedSubnet]
    key_grants: list[pulumi.Resource]
    # GKE image streaming (`registries.imageStreaming`): Container-Optimized OS node images only, and it
    # streams only images stored in Artifact Registry (GKE docs, "Use Image streaming to pull container
    # images": requirements). No charge of its own; off unless configured.
    image_streaming: bool = False


def reservation_args(settings: GkePoolSettings) -> gcp.container.NodePoolNodeConfigReservationAffinityArgs:
    r = settings.reservation
    return gcp.container.NodePoolNodeConfigReservationAffinityArgs(
        consume_reservation_type=r.consume_reservation_type, key=r.key, values=list(r.values) or None)


class GpuNodePool(pulumi.ComponentResource):
    """`lz:gcp:GpuNodePool`: `.node_pool` and `.node_account`."""

    def __init__(self, name: str, args: GpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:GpuNodePool", name, None, opts)
        ctx, s = args.ctx, args.settings
        self.node_account = NodeServiceAccount(
            f"{name}-nodes", NodeServiceAccountArgs(ctx=ctx, pool=s.name), opts=child(self, opts))

        network_config = None
        if args.nic_subnets:
            network_config = gcp.container.NodePoolNetworkConfigArgs(
                enable_private_nodes=True,
                additional_node_network_configs=[
                    gcp.container.NodePoolNetworkConfigAdditionalNodeNetworkConfigArgs(
                        network=a.network_name, subnetwork=a.subnet_name)
                    for a in args.nic_subnets])

        node_config = gcp.container.NodePoolNodeConfigArgs(
            machine_type=s.machine_type,
            guest_accelerators=[gcp.container.NodePoolNodeConfigGuestAcceleratorArgs(
                type=s.accelerator_type, count=s.accelerator_count,
                gpu_driver_installation_config=gcp.container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs(
                    gpu_driver_version=s.driver_version))],
            image_type=s.image_type,
            gcfs_config=gcp.container.NodePoolNodeConfigGcfsConfigArgs(enabled=True)
            if args.image_streaming and s.image_type.startswith("COS") else None,
            disk_type=s.boot_disk_type, disk_size_gb=s.disk_size_gb, boot_disk_kms_key=args.boot_disk_key,
            ephemeral_storage_local_ssd_config=gcp.container.NodePoolNodeConfigEphemeralStorageLocalSsdConfigArgs(
                local_ssd_count=s.local_ssd_count) if s.local_ssd_count else None,
            gvnic=gcp.container.NodePoolNodeConfigGvnicArgs(enabled=True),
            spot=s.spot or None,
            flex_start=s.flex_start or None,
            reservation_affinity=reservation_args(s),
            service_account=self.node_account.account.email,
            oauth_scopes=list(NODE_OAUTH_SCOPES),
            shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(**node_shielding()),
            workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
            metadata={"disable-legacy-endpoints": "true"},
            taints=[gcp.container.NodePoolNodeConfigTaintArgs(key=t.key, value=t.value, effect=t.effect)
                    for t in s.taints],
            labels=s.labels,
            resource_labels={**ctx.labels, "gpu_pool": s.name,
                             **({RESERVED_NODES_KEY: str(s.reserved_nodes)} if s.reserved_nodes else {})},
        )

        self.node_pool = gcp.container.NodePool(
            f"{name}-pool", name=s.name, project=ctx.project, cluster=args.cluster_id, location=ctx.region,
            node_locations=list(s.node_locations),
            initial_node_count=s.initial_node_count,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                total_min_node_count=s.total_min_nodes, total_max_node_count=s.total_max_nodes,
                location_policy=s.location_policy),
            placement_policy=gcp.container.NodePoolPlacementPolicyArgs(type=s.placement) if s.placement else None,
            queued_provisioning=gcp.container.NodePoolQueuedProvisioningArgs(enabled=True)
            if s.queued_provisioning else None,
            management=gcp.container.NodePoolManagementArgs(auto_repair=s.auto_repair, auto_upgrade=True),
            # GPU capacity is scarce (and reservations are exact): replace nodes in place, never surge.
            upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(
                strategy="SURGE", max_surge=0, max_unavailable=1),
            network_config=network_config,
            node_config=node_config,
            # The pool name is the node label workloads select on, so it is fixed; a replacement must
            # delete the old pool first.
            opts=child(self, opts, delete_before_replace=True,
                       depends_on=[*args.key_grants, *self.node_account.grants],
                       # The autoscaler owns the node count after creation.
                       ignore_changes=["initial_node_count"]))
        self.register_outputs({"node_pool": self.node_pool.name, "service_account": self.node_account.account.email})
