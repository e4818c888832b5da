"""Pure network layout helpers: GPU NIC networks per machine type, CIDR slicing, resource names.

Nothing here touches Pulumi, so every rule can be table-tested. The GPU NIC layout is derived from
the hardware catalog (`GcpMachineType.gpu_nics`), never from machine-type name patterns:

- GPUDirect-TCPX / -TCPXO (A3 High, A3 Mega): one extra gVNIC VPC per GPU NIC, one subnet each.
- GPUDirect-RDMA (A3 Ultra, A4): `extra_gvnic_networks` gVNIC VPCs plus one RoCE VPC created with the
  zonal `<zone>-vpc-roce` network profile and one subnet per ConnectX NIC.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from components.catalog import GcpMachineType
from components.invariants import present

# Each NIC subnet is a /20: 4,092 usable addresses, more than the 1,000-node ceiling of a pool, so a
# pool never outgrows its subnets and changing maxNodes never re-cuts a range.
NIC_SUBNET_PREFIX = 20

# Google's IAP TCP-forwarding source range: SSH through IAP only, never from the internet.
IAP_RANGE = "35.235.240.0/20"

DeviceMode = Literal["NetDevice", "RDMA"]


@dataclass(frozen=True)
class NicSubnet:
    key: str                  # unique within the pool, e.g. "gvnic-1", "rdma-3"
    cidr: str
    k8s_network: str          # name of the GKE `Network` / `GKENetworkParamSet` pods reference
    device_mode: DeviceMode


@dataclass(frozen=True)
class NicNetwork:
    key: str                  # "gvnic-1" ... or "rdma"
    kind: Literal["gvnic", "rdma"]
    mtu: int
    network_profile: str | None
    subnets: tuple[NicSubnet, ...]

    @property
    def takes_vpc_firewall_rules(self) -> bool:
        # RoCE VPCs accept only regional network firewall policies of type RDMA_ROCE_POLICY and allow
        # all traffic by default; a classic VPC firewall rule on one is rejected by the API.
        return self.kind == "gvnic"

    @property
    def logs_flows(self) -> bool:
        # RDMA traffic goes NIC to NIC over the RoCE fabric, outside the VPC dataplane flow logs sample.
        return self.kind == "gvnic"


@dataclass(frozen=True)
class GpuNicLayout:
    machine_type: str
    flavour: str
    networks: tuple[NicNetwork, ...] = ()

    @property
    def subnets(self) -> tuple[NicSubnet, ...]:
        return tuple(s for n in self.networks for s in n.subnets)

    @property
    def node_networks(self) -> int:
        """Additional node networks (NICs) a node of this pool gets besides the primary VPC."""
        return len(self.subnets)

    @property
    def mtus(self) -> set[int]:
        return {n.mtu for n in self.networks}

    @property
    def zonal(self) -> bool:
        """An RDMA network profile is zonal: the pool must live in exactly that zone."""
        return any(n.network_profile for n in self.networks)


def network_profile(project: str, zone: str, suffix: str) -> str:
    """Partial URL of a zonal network profile, the form `compute.Network.network_profile` accepts."""
    return f"projects/{project}/global/networkProfiles/{zone}-{suffix}"


def nic_subnet_capacity(base_cidr: str) -> int:
    """How many /NIC_SUBNET_PREFIX NIC subnets `base_cidr` holds (0 when it is smaller than one)."""
    base = ipaddress.IPv4Network(base_cidr)
    return 0 if base.prefixlen > NIC_SUBNET_PREFIX else 2 ** (NIC_SUBNET_PREFIX - base.prefixlen)


def _nic_cidrs(base_cidr: str, first: int, count: int) -> list[str]:
    """NIC subnets number `first` .. `first + count - 1` of `base_cidr`, in address order."""
    available = nic_subnet_capacity(base_cidr)
    if first + count > available:
        raise ValueError(
            f"network.gpuNicCidr {base_cidr} holds {available} /{NIC_SUBNET_PREFIX} NIC subnets, "
            f"the cluster's GPU pools need at least {first + count}; use a larger range (a /16 holds 16)")
    base = ipaddress.IPv4Network(base_cidr)
    subnets = base.subnets(new_prefix=NIC_SUBNET_PREFIX)
    return [str(s) for _, s in zip(range(first + count), subnets, strict=False)][first:]


def gpu_nic_layout(machine: GcpMachineType, *, pool: str, project: str, zone: str | None,
                   base_cidr: str, first_subnet: int = 0) -> GpuNicLayout:
    """The extra networks a node pool of `machine` needs, with subnets cut from `base_cidr` starting at
    its `first_subnet`-th /NIC_SUBNET_PREFIX (`cluster_nic_layouts` gives each pool of a cluster its own)."""
    nics = machine.gpu_nics
    if nics.flavour == "none":
        return GpuNicLayout(machine.name, nics.flavour)
    present(nics.mtu, "the catalog model requires an MTU whenever there are GPU NICs")
    cidrs = iter(_nic_cidrs(base_cidr, first_subnet, nics.extra_networks))
    networks: list[NicNetwork] = []
    for i in range(1, nics.extra_gvnic_networks + 1):
        key = f"gvnic-{i}"
        subnet = NicSubnet(key, next(cidrs), f"{pool}-{key}", "NetDevice")
        networks.append(NicNetwork(key, "gvnic", nics.mtu, None, (subnet,)))
    if nics.rdma_network is not None:
        if not zone:
            raise ValueError(f"{machine.name}: an RDMA network profile is zonal; the pool needs a zone")
        subnets = tuple(NicSubnet(f"rdma-{i}", next(cidrs), f"{pool}-rdma-{i}", "RDMA")
                        for i in range(nics.rdma_network.subnets))
        profile = network_profile(project, zone, nics.rdma_network.network_profile_suffix)
        networks.append(NicNetwork("rdma", "rdma", nics.mtu, profile, subnets))
    return GpuNicLayout(machine.name, nics.flavour, tuple(networks))


@dataclass(frozen=True)
class PoolNics:
    """What `cluster_nic_layouts` needs to know about one node pool."""

    pool: str
    machine: GcpMachineType
    zone: str | None


def cluster_nic_layouts(pools: list[PoolNics], *, project: str, base_cidr: str) -> dict[str, GpuNicLayout]:
    """Every pool's NIC layout, each NIC subnet its own slice of `base_cidr` across the whole cluster.

    A node's additional interfaces and the GKE `Network` objects pods attach to are cluster-wide, so two
    pools whose NIC subnets shared a range would give two pod networks of one cluster the same
    addresses. Pools are sliced in config order: adding a pool at the end never re-cuts an existing one.
    """
    layouts: dict[str, GpuNicLayout] = {}
    used = 0
    for p in pools:
        layouts[p.pool] = gpu_nic_layout(p.machine, pool=p.pool, project=project, zone=p.zone,
                                         base_cidr=base_cidr, first_subnet=used)
        used += layouts[p.pool].node_networks
    return layouts


def overlapping_ranges(ranges: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs of config keys whose CIDR ranges overlap (the GKE node, pod, service, PSA ranges)."""
    nets = {key: ipaddress.IPv4Network(cidr) for key, cidr in ranges.items()}
    keys = list(nets)
    return [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:] if nets[a].overlaps(nets[b])]


_NAME_RE = re.compile(r"[^a-z0-9-]")


def _short_hash(text: str, length: int = 4) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def account_id(prefix: str, name: str) -> str:
    """A service-account id (6-30 chars, [a-z][-a-z0-9]*[a-z0-9]); long names keep a stable hash suffix."""
    raw = _NAME_RE.sub("-", f"{prefix}-{name}".lower()).strip("-")
    if not raw[:1].isalpha():
        raw = f"sa-{raw}"
    if len(raw) > 30:
        raw = f"{raw[:25].rstrip('-')}-{_short_hash(raw)}"
    return raw.ljust(6, "0") if len(raw) < 6 else raw


def bucket_name(project: str, scope: str, purpose: str) -> str:
    """Globally unique bucket name (3-63 chars): the project id makes it unique across customers, `scope`
    (the stack's name prefix) across the project's stacks."""
    raw = _NAME_RE.sub("-", f"{project}-{scope}-{purpose}".lower()).strip("-")
    raw = raw.replace("google", "g00gle")  # bucket names may not contain "google"
    if len(raw) > 63:
        raw = f"{raw[:58].rstrip('-')}-{_short_hash(raw)}"
    return raw


def constraint_id(project: str, prefix: str) -> str:
    """Custom org-policy constraint name: `custom.` + up to 70 letters/digits, unique per stack (the stack's
    name prefix, at most names.PREFIX_MAX_LENGTH characters, and a hash of the project)."""
    words = re.split(r"[^a-zA-Z0-9]+", f"{prefix} gpu machine types")
    camel = words[0].lower() + "".join(w.capitalize() for w in words[1:] if w)
    return f"custom.{camel}{_short_hash(project, 6)}"
