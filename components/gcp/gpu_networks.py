"""The GPU NIC networks of one node pool, built from its `GpuNicLayout`.

Each gVNIC network is a VPC with the catalog's jumbo MTU, one subnet with flow logs, and a rule that
allows traffic only from that subnet. The RDMA network is a RoCE VPC made from the zonal
`<zone>-vpc-roce` network profile with one subnet per ConnectX NIC. RoCE VPCs take no classic VPC
firewall rules (only RDMA_ROCE_POLICY firewall policies, implied allow) and carry no VPC-dataplane
traffic to log, so they get neither. None of these networks is routed anywhere: no NAT, no peering.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.options import child

from .common import GcpContext
from .layout import GpuNicLayout, NicNetwork, NicSubnet
from .network import flow_log_config


@dataclass(frozen=True)
class GpuNicNetworksArgs:
    ctx: GcpContext
    layout: GpuNicLayout


@dataclass(frozen=True)
class AttachedSubnet:
    """What the node pool and the GKE network objects need to reference one NIC's subnet."""

    spec: NicSubnet
    network_name: pulumi.Output[str]
    subnet_name: pulumi.Output[str]


class GpuNicNetworks(pulumi.ComponentResource):
    """`lz:gcp:GpuNicNetworks`: `.attached` lists the pool's additional node networks in NIC order."""

    def __init__(self, name: str, args: GpuNicNetworksArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:GpuNicNetworks", name, None, opts)
        self.attached: list[AttachedSubnet] = []
        self.networks: dict[str, gcp.compute.Network] = {}
        for spec in args.layout.networks:
            self.networks[spec.key] = self._network(name, spec, args, opts)
        self.register_outputs({"networks": {k: n.name for k, n in self.networks.items()},
                               "subnets": [a.subnet_name for a in self.attached]})

    def _network(self, name: str, spec: NicNetwork, args: GpuNicNetworksArgs,
                 opts: pulumi.ResourceOptions | None) -> gcp.compute.Network:
        vpc = gcp.compute.Network(
            f"{name}-{spec.key}", project=args.ctx.project, auto_create_subnetworks=False, routing_mode="REGIONAL",
            mtu=spec.mtu, network_profile=spec.network_profile,
            description=f"GPU NIC network ({spec.kind}) for {args.layout.machine_type}", opts=child(self, opts))
        for subnet_spec in spec.subnets:
            subnet = gcp.compute.Subnetwork(
                f"{name}-{subnet_spec.key}", project=args.ctx.project, region=args.ctx.region, network=vpc.id,
                ip_cidr_range=subnet_spec.cidr,
                log_config=flow_log_config() if spec.logs_flows else None,
                opts=child(self, opts))
            self.attached.append(AttachedSubnet(subnet_spec, vpc.name, subnet.name))
        if spec.takes_vpc_firewall_rules:
            gcp.compute.Firewall(
                f"{name}-{spec.key}-allow-internal", project=args.ctx.project, network=vpc.id, direction="INGRESS",
                priority=1000, source_ranges=[s.cidr for s in spec.subnets],
                allows=[gcp.compute.FirewallAllowArgs(protocol="tcp"), gcp.compute.FirewallAllowArgs(protocol="udp"),
                        gcp.compute.FirewallAllowArgs(protocol="icmp")],
                description="GPU-to-GPU traffic between nodes of this pool", opts=child(self, opts))
        return vpc
