"""EKS managed add-ons and the small system node group they run on.

Order matters on a cluster created without self-managed bootstrap add-ons: the VPC CNI and
kube-proxy come first (a node without a CNI never turns Ready), then the system node group, then the
add-ons whose pods need a node to become ACTIVE (CoreDNS, the EBS and EFS CSI drivers, and with a
Lustre file tier the FSx CSI driver, which the Kubernetes layer's static Lustre volumes use; the EKS
add-on of that driver needs the Pod Identity agent present, although static volumes make no AWS calls).

The VPC CNI runs with prefix delegation: each ENI slot carries a /28 instead of one address, so GPU
nodes are not capped by per-ENI address counts and the large private subnets are used in /28 steps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.names import POOL_LABEL, SYSTEM_POOL

from .common import AwsContext
from .node_template import encrypted_volume, imds_v2, launched_tags

SYSTEM_INSTANCE_TYPE = "m7i.large"
SYSTEM_LABELS = {POOL_LABEL: SYSTEM_POOL}
# enableNetworkPolicy: the add-on runs its network policy agent, so NetworkPolicy objects are enforced
# (EKS user guide, "Limit Pod traffic with Kubernetes network policies": VPC CNI v1.14.0 or later;
# the add-on is unpinned, so EKS installs its default version for the cluster, v1.19+ on 1.33).
VPC_CNI_CONFIGURATION = {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"},
                         "enableNetworkPolicy": "true"}


@dataclass(frozen=True)
class SystemPool:
    instance_type: str = SYSTEM_INSTANCE_TYPE
    min_nodes: int = 2          # CoreDNS and the CSI controllers run two replicas each
    max_nodes: int = 4
    disk_size_gib: int = 50


@dataclass(frozen=True)
class ClusterAddonsArgs:
    context: AwsContext
    cluster_name: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    cluster_security_group_id: pulumi.Input[str]
    ebs_key_arn: pulumi.Input[str]
    addon_role_arns: Mapping[str, pulumi.Input[str]]     # vpc-cni, ebs-csi, efs-csi
    addon_role_dependencies: Sequence[pulumi.Resource] = ()   # their policy attachments
    system_pool: SystemPool = SystemPool()
    lustre_driver: bool = False
    node_role_dependencies: Sequence[pulumi.Resource] = ()


class ClusterAddons(pulumi.ComponentResource):
    def __init__(self, name: str, args: ClusterAddonsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:ClusterAddons", name, None, opts)
        ctx = args.context

        def addon(addon_name: str, *, role: str | None = None, config: dict | None = None,
                  depends_on: Sequence[pulumi.Resource] = ()) -> aws.eks.Addon:
            return aws.eks.Addon(
                f"{name}-{addon_name}", cluster_name=args.cluster_name, addon_name=addon_name,
                service_account_role_arn=args.addon_role_arns[role] if role else None,
                configuration_values=json.dumps(config) if config else None,
                resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="PRESERVE",
                tags=ctx.tagged(), opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[*depends_on, *(args.addon_role_dependencies if role else ())]))

        self.vpc_cni = addon("vpc-cni", role="vpc-cni", config=VPC_CNI_CONFIGURATION)
        self.kube_proxy = addon("kube-proxy")
        self.networking = [self.vpc_cni, self.kube_proxy]

        pool = args.system_pool
        template = aws.ec2.LaunchTemplate(
            f"{name}-system",
            description="EKS system nodes: IMDSv2, encrypted root volume",
            metadata_options=imds_v2(1),
            block_device_mappings=[encrypted_volume("/dev/xvda", pool.disk_size_gib, args.ebs_key_arn)],
            vpc_security_group_ids=[args.cluster_security_group_id],
            tag_specifications=launched_tags(ctx.tagged(f"{ctx.prefix}-system")),
            update_default_version=True,
            tags=ctx.tagged(f"{ctx.prefix}-system"),
            opts=pulumi.ResourceOptions(parent=self))
        self.system_nodes = aws.eks.NodeGroup(
            f"{name}-system",
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=list(args.subnet_ids),
            instance_types=[pool.instance_type],
            ami_type="AL2023_x86_64_STANDARD",
            capacity_type="ON_DEMAND",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=pool.min_nodes, max_size=pool.max_nodes, desired_size=pool.min_nodes),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            node_repair_config=aws.eks.NodeGroupNodeRepairConfigArgs(enabled=True),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)),
            labels=SYSTEM_LABELS,
            tags=ctx.tagged(f"{ctx.prefix}-system"),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*self.networking, *args.node_role_dependencies],
                ignore_changes=["scalingConfig.desiredSize"]))

        after_nodes = [self.system_nodes]
        self.coredns = addon("coredns", depends_on=after_nodes)
        self.ebs_csi = addon("aws-ebs-csi-driver", role="ebs-csi", depends_on=after_nodes)
        self.efs_csi = addon("aws-efs-csi-driver", role="efs-csi", depends_on=after_nodes)
        if args.lustre_driver:
            agent = addon("eks-pod-identity-agent", depends_on=after_nodes)
            self.fsx_csi = addon("aws-fsx-csi-driver", depends_on=[*after_nodes, agent])
        self.register_outputs({"systemNodeGroup": self.system_nodes.node_group_name})
