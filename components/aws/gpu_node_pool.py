"""One GPU (or Trainium) node pool: an EKS managed node group on its own launch template.

EFA layout (`efa_interfaces`), as AWS documents it for multi-card instances today: the primary
interface is a plain ENA interface (`interface`) at network card 0 / device 0; card 0 also carries an
`efa-only` interface at device 1; every other card carries one `efa-only` interface at device 0. That
gives one EFA device per card (32 on p5.48xlarge) while only the primary interface consumes VPC
addresses. Types whose card 0 cannot carry EFA (catalog `efaOnCard0: false`) get EFA on cards 1..n
only. Launch templates that list network interfaces cannot also set top-level security groups, so
each interface carries the cluster and EFA security groups itself.

Placement: EFA (training) pools get a cluster placement group and one subnet, because EFA traffic does
not leave an availability zone. A pool on an On-Demand Capacity Reservation or a Capacity Block is
pinned to the reservation's zone and gets no placement group of ours: the reservation already decides
where the instances are, and a group it was not made in makes every launch fail with insufficient
capacity (terraform-aws-eks PR #3730).

Scale from zero: the cluster autoscaler cannot look at a node that does not exist, so the pool's
labels, taints and extended resources (GPUs, EFA devices) are published as `node-template` tags, on
the node group and, because EKS does not copy node-group tags to its Auto Scaling group
(containers-roadmap #724), on the Auto Scaling group itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.catalog import AwsInstanceType, aws_instance_type
from components.config.model import Capacity, CapacityType, GpuPool, Taint
from components.k8s.kueue import BEST_EFFORT_ATOMIC
from components.names import GPU_TAINT_VALUE, LABEL_PREFIX, POOL_LABEL, RESERVED_NODES_KEY
from components.platform_inputs import GpuPoolHandle

from .common import AwsContext
from .node_template import encrypted_volume, imds_v2, launched_tags

ACCELERATOR_LABEL = f"{LABEL_PREFIX}/accelerator"
CAPACITY_LABEL = f"{LABEL_PREFIX}/capacity-type"
EFA_LABEL = f"{LABEL_PREFIX}/efa"
EFA_RESOURCE = "vpc.amazonaws.com/efa"
CA_TAG = "k8s.io/cluster-autoscaler"

_EKS_TAINT_EFFECT = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE", "PreferNoSchedule": "PREFER_NO_SCHEDULE"}


# --------------------------------------------------------------------------------------- EFA layout

@dataclass(frozen=True)
class NetworkInterfaceSpec:
    network_card_index: int
    device_index: int
    interface_type: Literal["interface", "efa", "efa-only"]

    @property
    def is_efa(self) -> bool:
        return self.interface_type in ("efa", "efa-only")


def efa_interfaces(instance_type: AwsInstanceType | str) -> list[NetworkInterfaceSpec]:
    """The launch-template interfaces for an EFA type (ENA primary first); [] for types without EFA."""
    t = aws_instance_type(instance_type) if isinstance(instance_type, str) else instance_type
    net = t.network
    if not net.efa:
        return []
    if net.cards is None:
        raise ValueError(f"{t.name}: the catalog has no network-card count, so the EFA layout is unknown")
    cards = list(range(net.cards)) if net.efa_on_card0 else list(range(1, net.cards))
    layout = [NetworkInterfaceSpec(0, 0, "interface")]
    for card in cards[: net.max_efa_interfaces]:
        layout.append(NetworkInterfaceSpec(card, 1 if card == 0 else 0, "efa-only"))
    return layout


# --------------------------------------------------------------------------------------- capacity

@dataclass(frozen=True)
class CapacitySettings:
    node_group_capacity_type: Literal["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"]
    market_type: str | None = None          # launch template instance_market_options.market_type
    reservation_id: str | None = None       # launch template capacity_reservation_target

    @property
    def instance_type_in_launch_template(self) -> bool:
        """Capacity Blocks: the instance type goes in the launch template and not in the node group's
        `instanceTypes` (EKS user guide, "Create a managed node group with Capacity Blocks for ML": the
        LaunchTemplateData must set InstanceType; "Customize managed nodes with launch templates": a
        node group whose template names an instance type must not list instance types itself;
        terraform-aws-eks PR #3091 does the same)."""
        return self.node_group_capacity_type == "CAPACITY_BLOCK"

    @property
    def reserved(self) -> bool:
        return self.reservation_id is not None


def capacity_settings(capacity: Capacity) -> CapacitySettings:
    kind = capacity.type
    if kind is CapacityType.on_demand:
        return CapacitySettings("ON_DEMAND")
    if kind is CapacityType.spot:
        # Managed node groups request Spot themselves; the launch template must not set a market.
        return CapacitySettings("SPOT")
    if kind is CapacityType.reservation:
        return CapacitySettings("ON_DEMAND", reservation_id=capacity.reservation_id)
    if kind is CapacityType.capacity_block:
        return CapacitySettings("CAPACITY_BLOCK", market_type="capacity-block", reservation_id=capacity.reservation_id)
    raise ValueError(f"capacity type {kind.value} is not available on AWS (use onDemand, spot, reservation "
                     "or capacityBlock)")


# --------------------------------------------------------------------------------------- layout

@dataclass(frozen=True)
class PoolLayout:
    efa: bool
    placement_group: bool
    zone: str | None            # None: every zone of the VPC


def pool_layout(pool: GpuPool, instance: AwsInstanceType, zones: Sequence[str]) -> PoolLayout:
    """EFA on training pools of EFA-capable types; a placement group unless a reservation places them."""
    efa = instance.efa_capable and pool.purpose == "training"
    reserved = capacity_settings(pool.capacity).reserved
    if pool.placement == "compact" and reserved:
        raise ValueError(f"pool {pool.name}: placement compact conflicts with capacity {pool.capacity.type.value}: "
                         "the reservation decides placement")
    placement_group = (pool.placement == "compact") or (pool.placement is None and efa and not reserved)
    zone = pool.capacity.zone or pool.zone
    if zone is None and (efa or placement_group):
        zone = zones[0]
    if zone is not None and zone not in zones:
        raise ValueError(f"pool {pool.name}: zone {zone} is not one of the VPC's zones ({', '.join(zones)}); "
                         "list it in network.zones")
    return PoolLayout(efa=efa, placement_group=placement_group, zone=zone)


def accelerator_taint(instance: AwsInstanceType) -> Taint:
    # EKS applies a changed taint in place (UpdateNodegroupConfig), so unifying the value with GKE's
    # ("true" before) replaces no node group.
    return Taint(key=instance.accelerator.k8s_resource, value=GPU_TAINT_VALUE, effect="NoSchedule")


def node_labels(pool: GpuPool, instance: AwsInstanceType, layout: PoolLayout) -> dict[str, str]:
    labels = dict(pool.labels)
    labels.update({
        POOL_LABEL: pool.name,
        ACCELERATOR_LABEL: instance.accelerator.model.lower(),
        CAPACITY_LABEL: pool.capacity.type.value,
    })
    if layout.efa:
        labels[EFA_LABEL] = "true"
    return labels


def extended_resources(instance: AwsInstanceType, interfaces: Sequence[NetworkInterfaceSpec]) -> dict[str, int]:
    resources = {instance.accelerator.k8s_resource: instance.accelerator.count}
    efa_devices = sum(1 for i in interfaces if i.is_efa)
    if efa_devices:
        resources[EFA_RESOURCE] = efa_devices
    return resources


def autoscaler_tags(cluster_name: str, labels: Mapping[str, str], taints: Sequence[Taint],
                    resources: Mapping[str, int]) -> dict[str, str]:
    """Auto-discovery plus node-template tags, so the cluster autoscaler can scale the pool up from 0."""
    tags = {f"{CA_TAG}/enabled": "true", f"{CA_TAG}/{cluster_name}": "owned"}
    template = f"{CA_TAG}/node-template"
    tags.update({f"{template}/label/{k}": v for k, v in labels.items()})
    tags.update({f"{template}/taint/{t.key}": f"{t.value}:{t.effect}" for t in taints})
    tags.update({f"{template}/resources/{r}": str(n) for r, n in resources.items()})
    return tags


def ami_type(pool: GpuPool, instance: AwsInstanceType) -> str:
    image = pool.image or "al2023-nvidia"
    if instance.accelerator.vendor == "aws":
        if image != "al2023-nvidia" and pool.image is not None:
            raise ValueError(f"pool {pool.name}: {instance.name} (Trainium/Inferentia) runs the AL2023 Neuron AMI; "
                             f"image {pool.image} is not available")
        return "AL2023_x86_64_NEURON"
    amis = {"al2023-nvidia": "AL2023_x86_64_NVIDIA", "bottlerocket-nvidia": "BOTTLEROCKET_x86_64_NVIDIA"}
    if image not in amis:
        raise ValueError(f"pool {pool.name}: image {image} is not an EKS image; use al2023-nvidia or "
                         "bottlerocket-nvidia")
    return amis[image]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------------------- component

@dataclass(frozen=True)
class GpuNodePoolArgs:
    context: AwsContext
    pool: GpuPool
    instance: AwsInstanceType
    cluster_name: str
    node_role_arn: pulumi.Input[str]
    private_subnet_ids: Mapping[str, pulumi.Input[str]]      # zone -> subnet id
    cluster_security_group_id: pulumi.Input[str]
    efa_security_group_id: pulumi.Input[str]
    ebs_key_arn: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = ()               # the VPC CNI add-on


class GpuNodePool(pulumi.ComponentResource):
    def __init__(self, name: str, args: GpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:GpuNodePool", name, None, opts)
        ctx, pool, instance = args.context, args.pool, args.instance
        child = pulumi.ResourceOptions(parent=self)
        zones = list(args.private_subnet_ids)
        self.layout = layout = pool_layout(pool, instance, zones)
        capacity = capacity_settings(pool.capacity)
        self.interfaces = efa_interfaces(instance) if layout.efa else []
        self.labels = node_labels(pool, instance, layout)
        taints = [accelerator_taint(instance), *pool.taints]
        resources = extended_resources(instance, self.interfaces)
        ca_tags = autoscaler_tags(args.cluster_name, self.labels, taints, resources)
        pool_tags = ctx.tagged(f"{ctx.prefix}-{pool.name}", pool=pool.name)

        placement = None
        if layout.placement_group:
            group = aws.ec2.PlacementGroup(f"{name}-placement", strategy="cluster", tags=pool_tags, opts=child)
            placement = aws.ec2.LaunchTemplatePlacementArgs(group_name=group.name)

        security_groups = [args.cluster_security_group_id, args.efa_security_group_id]
        network_interfaces = [
            aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                network_card_index=nic.network_card_index, device_index=nic.device_index,
                interface_type=nic.interface_type, security_groups=security_groups, delete_on_termination="true",
                description=f"{pool.name} card {nic.network_card_index} {nic.interface_type}")
            for nic in self.interfaces
        ] or None

        if ami_type(pool, instance).startswith("BOTTLEROCKET"):
            # Bottlerocket: a small OS volume and the pool's disk as the data volume (images, scratch).
            volumes = [encrypted_volume("/dev/xvda", 4, args.ebs_key_arn),
                       encrypted_volume("/dev/xvdb", pool.disk_size_gib, args.ebs_key_arn)]
        else:
            volumes = [encrypted_volume("/dev/xvda", pool.disk_size_gib, args.ebs_key_arn)]

        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"{pool.name}: {instance.name}, {'EFA, ' if layout.efa else ''}IMDSv2, encrypted volumes",
            metadata_options=imds_v2(pool.metadata_hop_limit),
            block_device_mappings=volumes,
            network_interfaces=network_interfaces,
            vpc_security_group_ids=None if network_interfaces else [args.cluster_security_group_id],
            placement=placement,
            capacity_reservation_specification=aws.ec2.LaunchTemplateCapacityReservationSpecificationArgs(
                capacity_reservation_target=(
                    aws.ec2.LaunchTemplateCapacityReservationSpecificationCapacityReservationTargetArgs(
                        capacity_reservation_id=capacity.reservation_id))) if capacity.reserved else None,
            instance_market_options=aws.ec2.LaunchTemplateInstanceMarketOptionsArgs(
                market_type=capacity.market_type) if capacity.market_type else None,
            instance_type=instance.name if capacity.instance_type_in_launch_template else None,
            tag_specifications=launched_tags(pool_tags),
            update_default_version=True,
            tags=pool_tags,
            opts=child)

        subnet_ids = [args.private_subnet_ids[layout.zone]] if layout.zone else list(args.private_subnet_ids.values())
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=subnet_ids,
            instance_types=None if capacity.instance_type_in_launch_template else [instance.name],
            ami_type=ami_type(pool, instance),
            capacity_type=capacity.node_group_capacity_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=pool.min_nodes, max_size=pool.max_nodes, desired_size=pool.min_nodes),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            node_repair_config=aws.eks.NodeGroupNodeRepairConfigArgs(enabled=True),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)),
            labels=self.labels,
            taints=[aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value, effect=_EKS_TAINT_EFFECT[t.effect])
                    for t in taints],
            tags={**pool_tags, **ca_tags,
                  **({RESERVED_NODES_KEY: str(pool.reserved_nodes)} if pool.reserved_nodes else {})},
            # The autoscaler owns the node count after creation.
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on),
                                        ignore_changes=["scalingConfig.desiredSize"]))

        asg_name = self.node_group.resources.apply(lambda rs: rs[0].autoscaling_groups[0].name)
        template_prefix = f"{CA_TAG}/node-template/"
        for key, value in ca_tags.items():
            if key.startswith(template_prefix):
                aws.autoscaling.Tag(
                    f"{name}-asg-{_slug(key.removeprefix(template_prefix))}", autoscaling_group_name=asg_name,
                    tag=aws.autoscaling.TagTagArgs(key=key, value=value, propagate_at_launch=False), opts=child)

        self.handle = GpuPoolHandle(
            name=pool.name, node_labels=self.labels, gpus_per_node=instance.accelerator.count,
            max_nodes=pool.max_nodes, efa=layout.efa, resource_name=instance.accelerator.k8s_resource,
            extra_resource_prefixes=tuple(r for r in resources if r != instance.accelerator.k8s_resource),
            node_cpu=instance.vcpu, node_memory_gib=instance.memory_gib,
            # Multi-node (EFA) training pools: Kueue asks cluster-autoscaler for all of a job's nodes first.
            provisioning_class=BEST_EFFORT_ATOMIC if layout.efa and pool.max_nodes > 1 else None)
        self.register_outputs({
            "nodeGroupName": self.node_group.node_group_name,
            "launchTemplateId": self.launch_template.id,
            "efaInterfaces": len(self.interfaces),
        })
