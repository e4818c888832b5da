"""GKE multi-network objects that let pods use a pool's GPU NICs.

A node pool only attaches the NIC networks to its nodes. Pods reach them through one cluster-scoped
`GKENetworkParamSet` (VPC, subnet, device mode) and one `Network` (networking.gke.io/v1) per NIC; a pod
lists them in its `networking.gke.io/interfaces` annotation. gVNIC NICs are `NetDevice`, ConnectX NICs
on the RoCE network are `RDMA`. Object names are `<pool>-gvnic-<n>` and `<pool>-rdma-<i>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.options import child

from .gpu_networks import AttachedSubnet

API_VERSION = "networking.gke.io/v1"
# A pod that names a Network in its interfaces annotation is given requests of the extended resources
# `networking.gke.io.networks/<network>` and `networking.gke.io.networks/<network>.IP`, which the
# nodes of a pool attached to that network advertise (GKE "Set up multi-network support for Pods").
POD_NETWORK_RESOURCE_PREFIX = "networking.gke.io.networks/"


@dataclass(frozen=True)
class PodNetworksArgs:
    provider: k8s.Provider
    subnets: list[AttachedSubnet]


class PodNetworks(pulumi.ComponentResource):
    """`lz:gcp:PodNetworks`: `.networks` maps each GKE `Network` name to its object."""

    def __init__(self, name: str, args: PodNetworksArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:PodNetworks", name, None, opts)
        self.networks: dict[str, k8s.apiextensions.CustomResource] = {}
        for subnet in args.subnets:
            object_name = subnet.spec.k8s_network
            params = k8s.apiextensions.CustomResource(
                f"{name}-{object_name}-params", api_version=API_VERSION, kind="GKENetworkParamSet",
                metadata={"name": object_name},
                spec={"vpc": subnet.network_name, "vpcSubnet": subnet.subnet_name,
                      "deviceMode": subnet.spec.device_mode},
                opts=child(self, opts, provider=args.provider))
            self.networks[object_name] = k8s.apiextensions.CustomResource(
                f"{name}-{object_name}", api_version=API_VERSION, kind="Network",
                metadata={"name": object_name},
                spec={"type": "Device", "parametersRef": {
                    "group": "networking.gke.io", "kind": "GKENetworkParamSet", "name": object_name}},
                opts=child(self, opts, provider=args.provider, depends_on=[params]))
        self.register_outputs({"networks": list(self.networks)})
