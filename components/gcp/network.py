"""The cluster VPC: one regional node subnet with pod and service ranges, Cloud NAT, closed ingress.

Nodes have no external IPs: they reach the internet through Cloud NAT and Google APIs through
Private Google Access. Ingress is denied by default; allowed are traffic between nodes and pods, SSH
from Google's IAP range only, and - with a Managed Lustre file tier - Lustre's LNet port from the
private-services range. Every subnet logs flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.config.model import NetworkConfig
from components.names import PROJECT
from components.options import child

from .common import GcpContext
from .layout import IAP_RANGE

# Jumbo frames on the cluster VPC: data loading, checkpoints and Lustre traffic run over it, and Dataplane V2
# gives pods the VPC's MTU. Google's AI Hypercomputer and Managed Lustre guides use 8896, the VPC maximum.
PRIMARY_MTU = 8896

PODS_RANGE = "pods"
SERVICES_RANGE = "services"

# Lustre's LNet listens on 988; the GKE Lustre CSI driver's legacy port 6988 avoids the clash with the
# GKE metadata server on nodes (Managed Lustre with gke_support_enabled).
LUSTRE_PORTS = ("988", "6988")
# Private Google Access through private.googleapis.com: Google APIs answer on 199.36.153.8/30, reached
# over the VPC's default internet route without leaving Google's network. A private Cloud DNS zone for
# googleapis.com resolves every API name there (VPC docs, "Configure Private Google Access", DNS
# configuration: A records for private.googleapis.com, CNAME *.googleapis.com). Team namespaces allow
# HTTPS to this range only, so their pods reach Cloud Storage and no other internet address.
PRIVATE_GOOGLE_APIS_CIDR = "199.36.153.8/30"
PRIVATE_GOOGLE_APIS_ADDRESSES = ("199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11")


def flow_log_config() -> gcp.compute.SubnetworkLogConfigArgs:
    """VPC flow logs for a subnet: 5-second aggregation, half the flows sampled, full metadata."""
    return gcp.compute.SubnetworkLogConfigArgs(
        aggregation_interval="INTERVAL_5_SEC", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA")


@dataclass(frozen=True)
class NetworkArgs:
    ctx: GcpContext
    network: NetworkConfig
    private_services: bool  # peer the private-services range (Managed Lustre, Parallelstore, Filestore)
    lustre: bool = False    # a Managed Lustre file tier: allow its LNet ingress from the private-services range


class Network(pulumi.ComponentResource):
    """`lz:gcp:Network`: `.vpc`, `.subnet`, and `.psa_connection` when private services are peered."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:Network", name, None, opts)
        ctx, net = args.ctx, args.network
        project, region = ctx.project, ctx.region

        self.vpc = gcp.compute.Network(
            f"{name}-vpc", project=project, auto_create_subnetworks=False, routing_mode="REGIONAL",
            mtu=PRIMARY_MTU, description=f"{PROJECT} cluster VPC", opts=child(self, opts))
        self.subnet = gcp.compute.Subnetwork(
            f"{name}-nodes", project=project, region=region, network=self.vpc.id, ip_cidr_range=net.cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE, ip_cidr_range=net.pods_cidr),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=SERVICES_RANGE,
                                                            ip_cidr_range=net.services_cidr),
            ],
            log_config=flow_log_config(), opts=child(self, opts))

        self.router = gcp.compute.Router(f"{name}-router", project=project, region=region, network=self.vpc.id,
                                         opts=child(self, opts))
        self.nat = gcp.compute.RouterNat(
            f"{name}-nat", project=project, region=region, router=self.router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[gcp.compute.RouterNatSubnetworkArgs(
                name=self.subnet.id, source_ip_ranges_to_nats=["ALL_IP_RANGES"])],
            enable_endpoint_independent_mapping=False, enable_dynamic_port_allocation=True,
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child(self, opts))

        internal = [net.cidr, net.pods_cidr]
        self.firewalls = [
            # Explicit (and logged) version of the implied deny: rules at lower numbers, including the
            # ones GKE creates for its control plane, take precedence.
            gcp.compute.Firewall(
                f"{name}-deny-ingress", project=project, network=self.vpc.id, direction="INGRESS",
                priority=65534, source_ranges=["0.0.0.0/0"],
                denies=[gcp.compute.FirewallDenyArgs(protocol="all")],
                log_config=gcp.compute.FirewallLogConfigArgs(metadata="INCLUDE_ALL_METADATA"),
                description="deny all ingress not allowed by a higher-priority rule", opts=child(self, opts)),
            gcp.compute.Firewall(
                f"{name}-allow-internal", project=project, network=self.vpc.id, direction="INGRESS",
                priority=1000, source_ranges=internal,
                allows=[gcp.compute.FirewallAllowArgs(protocol="tcp"), gcp.compute.FirewallAllowArgs(protocol="udp"),
                        gcp.compute.FirewallAllowArgs(protocol="icmp")],
                description="node and pod traffic inside the cluster VPC", opts=child(self, opts)),
            gcp.compute.Firewall(
                f"{name}-allow-iap-ssh", project=project, network=self.vpc.id, direction="INGRESS",
                priority=1000, source_ranges=[IAP_RANGE],
                allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=["22"])],
                log_config=gcp.compute.FirewallLogConfigArgs(metadata="INCLUDE_ALL_METADATA"),
                description="SSH through Identity-Aware Proxy TCP forwarding only", opts=child(self, opts)),
        ]

        self.googleapis_zone = gcp.dns.ManagedZone(
            f"{name}-googleapis", project=project, name=f"{name}-googleapis", dns_name="googleapis.com.",
            visibility="private", description="Google APIs over private.googleapis.com (Private Google Access)",
            private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
                networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(network_url=self.vpc.id)]),
            labels=dict(ctx.labels), opts=child(self, opts))
        gcp.dns.RecordSet(
            f"{name}-googleapis-a", project=project, managed_zone=self.googleapis_zone.name,
            name="private.googleapis.com.", type="A", ttl=300, rrdatas=list(PRIVATE_GOOGLE_APIS_ADDRESSES),
            opts=child(self, opts))
        gcp.dns.RecordSet(
            f"{name}-googleapis-cname", project=project, managed_zone=self.googleapis_zone.name,
            name="*.googleapis.com.", type="CNAME", ttl=300, rrdatas=["private.googleapis.com."],
            opts=child(self, opts))

        self.psa_range: gcp.compute.GlobalAddress | None = None
        self.psa_connection: gcp.servicenetworking.Connection | None = None
        if args.private_services:
            address, prefix = net.private_services_cidr.split("/")
            self.psa_range = gcp.compute.GlobalAddress(
                f"{name}-private-services", project=project, network=self.vpc.id, purpose="VPC_PEERING",
                address_type="INTERNAL", address=address, prefix_length=int(prefix),
                labels=dict(ctx.labels), opts=child(self, opts))
            self.psa_connection = gcp.servicenetworking.Connection(
                f"{name}-private-services", network=self.vpc.id, service="servicenetworking.googleapis.com",
                reserved_peering_ranges=[self.psa_range.name], opts=child(self, opts))
            if args.lustre:
                # Lustre servers open LNet connections to their clients: the only ingress from the service.
                self.firewalls.append(gcp.compute.Firewall(
                    f"{name}-allow-lustre", project=project, network=self.vpc.id, direction="INGRESS",
                    priority=1000, source_ranges=[net.private_services_cidr],
                    allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=list(LUSTRE_PORTS))],
                    description="Managed Lustre LNet from the private-services range", opts=child(self, opts)))

        self.register_outputs({"vpc": self.vpc.id, "subnet": self.subnet.id})
