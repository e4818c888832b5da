"""GPU NIC network layouts per machine type, CIDR slicing and the names the GCP components choose."""

from __future__ import annotations

import ipaddress

import pytest

from components.catalog import gcp_machine_type, gcp_machine_types
from components.gcp.layout import (
    NIC_SUBNET_PREFIX,
    PoolNics,
    account_id,
    bucket_name,
    cluster_nic_layouts,
    constraint_id,
    gpu_nic_layout,
    network_profile,
    overlapping_ranges,
)

BASE = "192.168.0.0/16"


def layout(machine: str, zone: str | None = "us-central1-b", base: str = BASE):
    return gpu_nic_layout(gcp_machine_type(machine), pool="train", project="acme", zone=zone, base_cidr=base)


@pytest.mark.parametrize(
    ("machine", "nics", "gvnic", "rdma", "mtu", "profile"),
    [
        ("a3-highgpu-8g", 4, 4, 0, 8244, None),
        ("a3-megagpu-8g", 8, 8, 0, 8244, None),
        ("a3-ultragpu-8g", 9, 1, 8, 8896, "projects/acme/global/networkProfiles/us-central1-b-vpc-roce"),
        ("a4-highgpu-8g", 9, 1, 8, 8896, "projects/acme/global/networkProfiles/us-central1-b-vpc-roce"),
        ("g2-standard-4", 0, 0, 0, None, None),
        ("g2-standard-48", 0, 0, 0, None, None),
        ("a2-highgpu-1g", 0, 0, 0, None, None),
        ("a2-highgpu-8g", 0, 0, 0, None, None),
        ("a2-ultragpu-8g", 0, 0, 0, None, None),
    ],
)
def test_extra_node_networks_per_machine_type(machine, nics, gvnic, rdma, mtu, profile):
    got = layout(machine)
    assert got.node_networks == nics == gcp_machine_type(machine).extra_node_networks
    gvnic_nets = [n for n in got.networks if n.kind == "gvnic"]
    rdma_nets = [n for n in got.networks if n.kind == "rdma"]
    assert len(gvnic_nets) == gvnic
    assert all(len(n.subnets) == 1 for n in gvnic_nets)       # one subnet per gVNIC VPC
    assert sum(len(n.subnets) for n in rdma_nets) == rdma
    assert len(rdma_nets) == (1 if rdma else 0)                # all RDMA NICs share one RoCE VPC
    assert got.mtus == ({mtu} if mtu else set())
    assert [n.network_profile for n in rdma_nets] == ([profile] if profile else [])
    assert all(n.network_profile is None for n in gvnic_nets)
    assert got.zonal is bool(rdma)


@pytest.mark.parametrize("machine", ["a3-highgpu-8g", "a3-megagpu-8g", "a3-ultragpu-8g", "a4-highgpu-8g"])
def test_nic_subnets_are_disjoint_slices_of_the_base_range(machine):
    subnets = layout(machine).subnets
    nets = [ipaddress.IPv4Network(s.cidr) for s in subnets]
    assert all(n.prefixlen == NIC_SUBNET_PREFIX and n.subnet_of(ipaddress.IPv4Network(BASE)) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    assert str(nets[0]) == "192.168.0.0/20" and str(nets[-1]) == f"192.168.{16 * (len(nets) - 1)}.0/20"


def test_device_modes_and_kubernetes_network_names():
    ultra = layout("a3-ultragpu-8g").subnets
    assert [(s.k8s_network, s.device_mode) for s in ultra] == [("train-gvnic-1", "NetDevice")] + [
        (f"train-rdma-{i}", "RDMA") for i in range(8)]
    mega = layout("a3-megagpu-8g").subnets
    assert [s.k8s_network for s in mega] == [f"train-gvnic-{i}" for i in range(1, 9)]
    assert {s.device_mode for s in mega} == {"NetDevice"}


def test_roce_networks_take_no_vpc_firewall_rules_or_flow_logs():
    nets = {n.kind: n for n in layout("a4-highgpu-8g").networks}
    assert nets["gvnic"].takes_vpc_firewall_rules and nets["gvnic"].logs_flows
    assert not nets["rdma"].takes_vpc_firewall_rules and not nets["rdma"].logs_flows


def test_rdma_layout_needs_a_zone():
    with pytest.raises(ValueError, match="zonal"):
        layout("a3-ultragpu-8g", zone=None)
    assert layout("a3-megagpu-8g", zone=None).node_networks == 8  # gVNIC VPCs are regional


@pytest.mark.parametrize(("base", "ok"), [("192.168.0.0/16", True), ("192.168.0.0/17", False),
                                          ("10.200.0.0/24", False)])
def test_base_range_must_hold_every_nic_subnet(base, ok):
    if ok:
        assert layout("a3-ultragpu-8g", base=base).node_networks == 9
    else:
        with pytest.raises(ValueError, match="gpuNicCidr"):
            layout("a3-ultragpu-8g", base=base)


def test_every_catalog_machine_type_has_a_consistent_layout():
    for name, machine in gcp_machine_types().items():
        got = gpu_nic_layout(machine, pool="p", project="acme", zone="us-central1-a", base_cidr=BASE)
        assert got.node_networks == machine.extra_node_networks, name


def test_network_profile_url_form():
    assert network_profile("p", "europe-west1-b", "vpc-roce") == "projects/p/global/networkProfiles/europe-west1-b-vpc-roce"


@pytest.mark.parametrize(
    ("ranges", "overlaps"),
    [
        ({"a": "10.0.0.0/16", "b": "10.64.0.0/14", "c": "10.68.0.0/20"}, []),
        ({"a": "10.0.0.0/16", "b": "10.0.128.0/20"}, [("a", "b")]),
        ({"a": "10.64.0.0/14", "b": "10.66.0.0/20", "c": "10.66.0.0/24"}, [("a", "b"), ("a", "c"), ("b", "c")]),
    ],
)
def test_overlapping_ranges(ranges, overlaps):
    assert overlapping_ranges(ranges) == overlaps


@pytest.mark.parametrize(
    ("prefix", "name", "expected"),
    [
        ("lz-dev-node", "system", "lz-dev-node-system"),
        ("lz-prod-team", "research", "lz-prod-team-research"),
        ("lz", "a", "lz-a00"),                 # padded to the 6-character minimum
        ("9lz", "x", "sa-9lz-x"),              # must start with a letter
    ],
)
def test_account_id(prefix, name, expected):
    assert account_id(prefix, name) == expected


def test_long_account_ids_keep_a_stable_distinguishing_hash():
    got = account_id("lz-staging-node", "very-long-pool-name-for-training")
    assert len(got) == 30 and got.startswith("lz-staging-node-very-long-")
    assert got == account_id("lz-staging-node", "very-long-pool-name-for-training")
    assert got != account_id("lz-staging-node", "very-long-pool-name-for-trainings")


@pytest.mark.parametrize(
    ("project", "env", "purpose", "expected"),
    [
        ("acme-ml", "prod", "datasets", "acme-ml-prod-datasets"),
        ("my-google-proj", "dev", "logs", "my-g00gle-proj-dev-logs"),
    ],
)
def test_bucket_name(project, env, purpose, expected):
    assert bucket_name(project, env, purpose) == expected


def test_long_bucket_names_are_shortened_with_a_hash():
    name = bucket_name("p" * 30, "staging", "checkpoints-and-more-checkpoints")
    assert len(name) <= 63 and name != bucket_name("p" * 30, "staging", "checkpoints-and-more-checkpointz")


def test_constraint_id_is_a_valid_custom_constraint_name():
    cid = constraint_id("acme-ml-prod", "ai-lz-gcp-prod")
    assert cid.startswith("custom.aiLzGcpProdGpuMachineTypes") and cid[len("custom."):].isalnum()
    assert len(cid) - len("custom.") <= 70
    assert cid != constraint_id("acme-ml-dev", "ai-lz-gcp-prod")
    assert cid != constraint_id("acme-ml-prod", "ai-lz-gcp-prod2")  # two stacks of one project
    # the longest prefix still fits: 70 letters/digits after `custom.`
    assert len(constraint_id("p", "x" * 24)) - len("custom.") <= 70
    # legacy naming (prefix lz-<environment>) keeps the constraint stacks got before
    assert constraint_id("acme-ml-prod", "lz-prod").startswith("custom.lzProdGpuMachineTypes")


def _cluster(*pools: tuple[str, str, str | None], base: str = "172.16.0.0/12"):
    return cluster_nic_layouts([PoolNics(name, gcp_machine_type(machine), zone) for name, machine, zone in pools],
                               project="acme", base_cidr=base)


def test_no_two_gpu_networks_of_a_cluster_overlap():
    """gcp-prod's pools: before, the A3 Ultra pool reused the A3 Mega pool's 192.168.0.0/20 ... ranges."""
    layouts = _cluster(("h100-train", "a3-megagpu-8g", "us-central1-a"), ("h200-train", "a3-ultragpu-8g", "us-central1-b"),
                       ("h100-more", "a3-highgpu-8g", None))
    nets = [ipaddress.IPv4Network(s.cidr) for layout in layouts.values() for s in layout.subnets]
    assert len(nets) == 8 + 9 + 4
    assert not [(a, b) for i, a in enumerate(nets) for b in nets[i + 1:] if a.overlaps(b)]
    assert all(n.subnet_of(ipaddress.IPv4Network("172.16.0.0/12")) and n.prefixlen == NIC_SUBNET_PREFIX for n in nets)
    # In config order, each pool continuing where the previous one ended.
    assert [s.cidr for s in layouts["h200-train"].subnets][0] == "172.16.128.0/20"


def test_appending_a_pool_never_recuts_the_earlier_ones():
    one = _cluster(("a", "a3-megagpu-8g", None))
    two = _cluster(("a", "a3-megagpu-8g", None), ("b", "a4-highgpu-8g", "us-central1-b"))
    assert one["a"] == two["a"]


def test_pools_without_gpu_nics_take_no_range():
    layouts = _cluster(("g2", "g2-standard-48", None), ("mega", "a3-megagpu-8g", None))
    assert layouts["g2"].networks == ()
    assert layouts["mega"].subnets[0].cidr == "172.16.0.0/20"


def test_the_cluster_must_fit_its_range():
    with pytest.raises(ValueError, match="gpuNicCidr 192.168.0.0/16 holds 16 /20 NIC subnets.*need at least 17"):
        _cluster(("a", "a3-megagpu-8g", None), ("b", "a3-ultragpu-8g", "us-central1-b"), base="192.168.0.0/16")
