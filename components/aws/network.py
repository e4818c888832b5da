"""The cluster VPC: private node subnets sized for GPU nodes, small public subnets, NAT, endpoints,
flow logs, the EFA security group and a locked-down default security group.

Why the node subnets are large: the VPC CNI gives every pod a VPC address and keeps warm addresses
(or /28 prefixes) per node, and a p5.48xlarge can attach up to 64 interfaces. A /24 per zone runs dry
after a handful of GPU nodes; `subnet_plan` hands each zone the largest equal power-of-two slice of
the VPC that still leaves one slice free, and carves the public subnets (NAT gateways and load
balancers only) out of the last slice.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.model import NetworkConfig

from .common import AwsContext

# The interface endpoints nodes need to pull images, get credentials, join the cluster, ship logs and
# be reached by Session Manager without crossing NAT (cheaper for image pulls, and no internet path).
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "sts", "eks", "logs", "ssm")
# What team pods reach when their namespace allows HTTPS to the VPC CIDR only (NetworkPolicy cannot
# name the S3 gateway endpoint's public prefix list): STS for IRSA's AssumeRoleWithWebIdentity, and S3.
TEAM_INTERFACE_ENDPOINTS = ("sts", "s3")


def interface_endpoint_services(infrastructure: bool, teams: bool) -> tuple[str, ...]:
    """Interface endpoints of the VPC: the infrastructure set (prod default), and what teams need."""
    services = list(INTERFACE_ENDPOINTS) if infrastructure else []
    if teams:
        services += [s for s in TEAM_INTERFACE_ENDPOINTS if s not in services]
    return tuple(services)

# Smallest public subnet: AWS's /28 minimum; /24 when there is room (NAT + NLB/ALB ENIs per zone).
_PUBLIC_PREFIX_PREFERRED = 24
_SUBNET_PREFIX_MIN = 28


@dataclass(frozen=True)
class ZoneSubnets:
    zone: str
    private: str
    public: str

    @property
    def private_addresses(self) -> int:
        # AWS reserves the first four and the last address of every subnet.
        return ipaddress.IPv4Network(self.private).num_addresses - 5


def subnet_plan(vpc_cidr: str, zones: Sequence[str]) -> list[ZoneSubnets]:
    """Split `vpc_cidr` into one private and one public subnet per zone.

    The VPC is cut into 2**k equal slices with 2**k >= zones + 1: one private slice per zone, and the
    last slice holds the public subnets (/24 each, smaller only when the VPC is small). Slices between
    the last private one and the public one stay free for later zones or secondary uses.
    """
    if not zones:
        raise ValueError("subnet_plan needs at least one zone")
    if len(set(zones)) != len(zones):
        raise ValueError(f"zones must be distinct, got {list(zones)}")
    vpc = ipaddress.IPv4Network(vpc_cidr, strict=True)
    count = len(zones)
    private_prefix = vpc.prefixlen + max(1, math.ceil(math.log2(count + 1)))
    if private_prefix > _SUBNET_PREFIX_MIN:
        raise ValueError(f"{vpc_cidr} is too small for {count} zones")
    slices = list(vpc.subnets(new_prefix=private_prefix))
    public_pool = slices[-1]
    public_prefix = max(_PUBLIC_PREFIX_PREFERRED, public_pool.prefixlen + math.ceil(math.log2(count)))
    if public_prefix > _SUBNET_PREFIX_MIN:
        raise ValueError(f"{vpc_cidr} is too small for {count} public subnets")
    publics = list(public_pool.subnets(new_prefix=public_prefix))[:count]
    return [ZoneSubnets(zone, str(slices[i]), str(publics[i])) for i, zone in enumerate(zones)]


@dataclass(frozen=True)
class NetworkArgs:
    context: AwsContext
    config: NetworkConfig
    zones: tuple[str, ...]
    nat_mode: str                    # "single" | "perZone"
    interface_endpoints: bool
    flow_log_role_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    flow_log_group_name: str
    team_endpoints: bool = False     # STS and S3 interface endpoints for team pods (network-policy egress)


class Network(pulumi.ComponentResource):
    """VPC, subnets, routing, endpoints, flow logs and the security groups every node pool shares."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:Network", name, None, opts)
        ctx, cfg = args.context, args.config
        child = pulumi.ResourceOptions(parent=self)
        self.cidr = cfg.cidr
        self.zones = list(args.zones)
        self.plan = subnet_plan(cfg.cidr, args.zones)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc", cidr_block=cfg.cidr, enable_dns_support=True, enable_dns_hostnames=True,
            tags=ctx.tagged(f"{ctx.prefix}-vpc"), opts=child)
        vpc_id = self.vpc.id

        # Adopting the default SG with no rules removes AWS's allow-all-within-group rules (FSBP EC2.2).
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc_id, ingress=[], egress=[],
            tags=ctx.tagged(f"{ctx.prefix}-default-locked"), opts=child)

        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc_id, tags=ctx.tagged(f"{ctx.prefix}-igw"), opts=child)

        self.public_subnet_ids: dict[str, pulumi.Output[str]] = {}
        self.private_subnet_ids: dict[str, pulumi.Output[str]] = {}
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc_id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags=ctx.tagged(f"{ctx.prefix}-public"), opts=child)
        for i, zs in enumerate(self.plan):
            public = aws.ec2.Subnet(
                f"{name}-public-{i}", vpc_id=vpc_id, cidr_block=zs.public, availability_zone=zs.zone,
                map_public_ip_on_launch=False,
                tags=ctx.tagged(f"{ctx.prefix}-public-{zs.zone}", **{"kubernetes.io/role/elb": "1"}),
                opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-public-{i}", subnet_id=public.id, route_table_id=public_rt.id,
                                          opts=child)
            private = aws.ec2.Subnet(
                f"{name}-private-{i}", vpc_id=vpc_id, cidr_block=zs.private, availability_zone=zs.zone,
                map_public_ip_on_launch=False,
                tags=ctx.tagged(f"{ctx.prefix}-private-{zs.zone}", **{"kubernetes.io/role/internal-elb": "1"}),
                opts=child)
            self.public_subnet_ids[zs.zone] = public.id
            self.private_subnet_ids[zs.zone] = private.id

        # NAT: one per zone in prod (a zone outage does not cut the others off), one otherwise (cost).
        nat_zones = self.zones if args.nat_mode == "perZone" else self.zones[:1]
        nat_ids: dict[str, pulumi.Output[str]] = {}
        for i, zone in enumerate(nat_zones):
            eip = aws.ec2.Eip(f"{name}-nat-{i}", domain="vpc", tags=ctx.tagged(f"{ctx.prefix}-nat-{zone}"),
                              opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{i}", allocation_id=eip.id, subnet_id=self.public_subnet_ids[zone],
                connectivity_type="public", tags=ctx.tagged(f"{ctx.prefix}-nat-{zone}"),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
            nat_ids[zone] = nat.id

        private_rt_ids: list[pulumi.Output[str]] = []
        for i, zs in enumerate(self.plan):
            nat_id = nat_ids.get(zs.zone, nat_ids[nat_zones[0]])
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{i}", vpc_id=vpc_id,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat_id)],
                tags=ctx.tagged(f"{ctx.prefix}-private-{zs.zone}"), opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-private-{i}", subnet_id=self.private_subnet_ids[zs.zone],
                                          route_table_id=rt.id, opts=child)
            private_rt_ids.append(rt.id)

        # Checkpoints and datasets go to S3 through the free gateway endpoint, never through NAT.
        s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3", vpc_id=vpc_id, service_name=ctx.endpoint_service("s3"), vpc_endpoint_type="Gateway",
            route_table_ids=private_rt_ids, tags=ctx.tagged(f"{ctx.prefix}-s3"), opts=child)
        self.s3_prefix_list_id = s3_endpoint.prefix_list_id

        self.endpoint_security_group_id: pulumi.Output[str] | None = None
        services = interface_endpoint_services(args.interface_endpoints, args.team_endpoints)
        if services:
            endpoint_sg = aws.ec2.SecurityGroup(
                f"{name}-endpoints", vpc_id=vpc_id, description="HTTPS from the VPC to interface endpoints",
                ingress=[aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp", from_port=443, to_port=443, cidr_blocks=[cfg.cidr],
                    description="HTTPS from inside the VPC")],
                egress=[], tags=ctx.tagged(f"{ctx.prefix}-endpoints"), opts=child)
            self.endpoint_security_group_id = endpoint_sg.id
            for service in services:
                # S3 has a gateway endpoint too: its interface endpoint's private DNS must answer for
                # all resolvers in the VPC (not only inbound Resolver endpoints), or VPC clients keep
                # resolving S3 to the public ranges the gateway routes (EC2 API DnsOptionsSpecification,
                # PrivateDnsOnlyForInboundResolverEndpoint).
                dns = aws.ec2.VpcEndpointDnsOptionsArgs(private_dns_only_for_inbound_resolver_endpoint=False) \
                    if service == "s3" else None
                suffix = "s3-interface" if service == "s3" else service.replace('.', '-')
                aws.ec2.VpcEndpoint(
                    f"{name}-{suffix}", vpc_id=vpc_id, service_name=ctx.endpoint_service(service),
                    vpc_endpoint_type="Interface", private_dns_enabled=True, dns_options=dns,
                    subnet_ids=list(self.private_subnet_ids.values()), security_group_ids=[endpoint_sg.id],
                    tags=ctx.tagged(f"{ctx.prefix}-{suffix}"), opts=child)

        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs", name=args.flow_log_group_name, retention_in_days=cfg.flow_logs.retention_days,
            kms_key_id=args.logs_key_arn, tags=ctx.tagged(), opts=ctx.stateful(self))
        aws.ec2.FlowLog(
            f"{name}-flow-log", vpc_id=vpc_id, traffic_type=cfg.flow_logs.traffic_type,
            log_destination_type="cloud-watch-logs", log_destination=self.flow_log_group.arn,
            iam_role_arn=args.flow_log_role_arn, max_aggregation_interval=60,
            tags=ctx.tagged(f"{ctx.prefix}-flow-log"), opts=child)

        # EFA's OS-bypass traffic must be allowed to and from the group itself, and nothing else.
        self.efa_security_group = aws.ec2.SecurityGroup(
            f"{name}-efa", vpc_id=vpc_id, description="EFA: all traffic within the group only",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, self=True,
                                                      description="EFA peers (self)")],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, self=True,
                                                    description="EFA peers (self)")],
            tags=ctx.tagged(f"{ctx.prefix}-efa"), opts=child)

        self.vpc_id = vpc_id
        self.register_outputs({
            "vpcId": vpc_id,
            "cidr": cfg.cidr,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
            "efaSecurityGroupId": self.efa_security_group.id,
        })
