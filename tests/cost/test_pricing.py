"""Table tests for components.catalog.pricing: one resource's wire inputs -> its charge."""

from __future__ import annotations

import pytest

from components.catalog import aws_instance_type, gcp_machine_type, price
from components.catalog.pricing import (
    HOURS_PER_MONTH,
    PricingContext,
    attribution,
    gke_node_counts,
    price_resource,
    round_usd,
)

P5 = aws_instance_type("p5.48xlarge").on_demand_usd_per_hour
G6E = aws_instance_type("g6e.12xlarge").on_demand_usd_per_hour
A3 = gcp_machine_type("a3-highgpu-8g").on_demand_usd_per_hour
NAT = price("aws.nat_gateway.hour").usd
ENDPOINT = price("aws.vpc_interface_endpoint.hour_per_az").usd
FSX_125 = price("aws.fsx_lustre.persistent_2.125.gb_month").usd

NG = "aws:eks/nodeGroup:NodeGroup"
NP = "gcp:container/nodePool:NodePool"


def node_group(lo: int, hi: int, **extra) -> dict:
    return {"scalingConfig": {"minSize": lo, "maxSize": hi, "desiredSize": lo}, "nodeGroupName": "train", **extra}


@pytest.mark.parametrize(("inputs", "context", "expected"), [
    # type on the node group, on-demand
    (node_group(0, 2, instanceTypes=["p5.48xlarge"]), PricingContext(), (0.0, 2 * P5, "onDemand")),
    (node_group(1, 3, instanceTypes=["g6e.12xlarge"]), PricingContext(), (G6E, 3 * G6E, "onDemand")),
    # type only in the launch template, found by the template id recorded by lz
    (node_group(0, 4, launchTemplate={"id": "lt-1", "version": "1"}),
     PricingContext(launch_templates={"lt-1": {"instanceType": "p5.48xlarge"}}), (0.0, 4 * P5, "onDemand")),
    # ... or by its name
    (node_group(0, 1, launchTemplate={"name": "gpu-lt", "version": "$Latest"}),
     PricingContext(launch_templates={"gpu-lt": {"instanceType": "g6e.12xlarge"}}), (0.0, G6E, "onDemand")),
    # spot: upper bound at the on-demand price
    (node_group(0, 2, instanceTypes=["p5.48xlarge"], capacityType="SPOT"), PricingContext(), (0.0, 2 * P5, "spot")),
    # an ODCR targeted by the launch template bills at the on-demand rate
    (node_group(2, 2, launchTemplate={"id": "lt-r"}),
     PricingContext(launch_templates={"lt-r": {"instanceType": "p5.48xlarge", "capacityReservationSpecification": {
         "capacityReservationTarget": {"capacityReservationId": "cr-1"}}}}), (2 * P5, 2 * P5, "reservation")),
    # Capacity Blocks have no fixed public rate: unknown, never 0
    (node_group(0, 2, instanceTypes=["p5.48xlarge"], capacityType="CAPACITY_BLOCK"), PricingContext(),
     (None, None, "capacityBlock")),
    # a CPU type priced in prices.yaml (the system pool)
    (node_group(2, 4, instanceTypes=["m7i.large"]), PricingContext(),
     (2 * price("aws.ec2.m7i.large.hour").usd, 4 * price("aws.ec2.m7i.large.hour").usd, "onDemand")),
    # a type neither the catalog nor prices.yaml knows: unknown
    (node_group(1, 2, instanceTypes=["r7i.large"]), PricingContext(), (None, None, "onDemand")),
    # no type anywhere (launch template not found): unknown
    (node_group(0, 2, launchTemplate={"id": "lt-missing"}), PricingContext(), (None, None, "onDemand")),
])
def test_node_group(inputs, context, expected):
    charge = price_resource(NG, inputs, context)
    assert (charge.hourly_min, charge.hourly_max, charge.capacity_type) == pytest.approx(expected)
    assert charge.pool == "train"
    if expected[2] == "spot":
        assert "upper bound at the on-demand price" in charge.basis


@pytest.mark.parametrize(("inputs", "nodes"), [
    ({"autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 4}}, (0, 4)),
    ({"autoscaling": {"minNodeCount": 1, "maxNodeCount": 2}, "nodeLocations": ["a", "b", "c"]}, (3, 6)),
    ({"autoscaling": {"minNodeCount": 0, "maxNodeCount": 2}}, (0, 2)),
    ({"nodeCount": 2, "nodeLocations": ["a", "b"]}, (4, 4)),
    ({"initialNodeCount": 1}, (1, 1)),
])
def test_gke_node_counts(inputs, nodes):
    assert gke_node_counts(inputs)[:2] == nodes


@pytest.mark.parametrize(("node_config", "extra", "capacity"), [
    ({}, {}, "onDemand"),
    ({"spot": True}, {}, "spot"),
    ({"preemptible": True}, {}, "spot"),
    ({"flexStart": True}, {}, "flexStart"),
    ({}, {"queuedProvisioning": {"enabled": True}}, "flexStart"),
    ({"reservationAffinity": {"consumeReservationType": "SPECIFIC_RESERVATION"}}, {}, "reservation"),
])
def test_node_pool_capacity(node_config, extra, capacity):
    inputs = {"name": "train", "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 2},
              "nodeConfig": {"machineType": "a3-highgpu-8g", **node_config}, **extra}
    charge = price_resource(NP, inputs)
    assert (charge.hourly_min, charge.hourly_max, charge.capacity_type) == pytest.approx((0.0, 2 * A3, capacity))


@pytest.mark.parametrize(("type_", "inputs", "hourly"), [
    ("aws:ec2/natGateway:NatGateway", {}, NAT),
    ("aws:ec2/eip:Eip", {"domain": "vpc"}, price("aws.public_ipv4.hour").usd),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]}, 3 * ENDPOINT),
    ("aws:eks/cluster:Cluster", {}, price("aws.eks.cluster_hour").usd),
    ("gcp:container/cluster:Cluster", {"removeDefaultNodePool": True, "initialNodeCount": 1},
     price("gcp.gke.cluster_hour").usd),
    ("aws:fsx/lustreFileSystem:LustreFileSystem",
     {"storageCapacity": 4800, "deploymentType": "PERSISTENT_2", "perUnitStorageThroughput": 125},
     4800 * FSX_125 / HOURS_PER_MONTH),
    ("aws:kms/key:Key", {"enableKeyRotation": True}, price("aws.kms.key_month").usd / HOURS_PER_MONTH),
    ("gcp:kms/cryptoKey:CryptoKey", {"versionTemplate": {"protectionLevel": "HSM"}},
     price("gcp.kms.hsm_key_version_month").usd / HOURS_PER_MONTH),
    ("gcp:parallelstore/instance:Instance", {"capacityGib": "12000"},
     12000 * price("gcp.parallelstore.gib_month").usd / HOURS_PER_MONTH),
    # usage-only: $0 fixed, the rate named in the basis
    ("aws:s3/bucket:Bucket", {}, 0.0),
    ("gcp:storage/bucket:Bucket", {"storageClass": "COLDLINE"}, 0.0),
    ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 365}, 0.0),
])
def test_flat_charges(type_, inputs, hourly):
    charge = price_resource(type_, inputs)
    assert charge.hourly_min == pytest.approx(hourly)
    assert charge.hourly_max == pytest.approx(hourly)
    assert charge.monthly_max == pytest.approx(hourly * HOURS_PER_MONTH)
    if hourly == 0.0:
        assert "usage only" in charge.basis and "unknown" in charge.basis and price(charge.price_keys[0]).unit in charge.basis


# File tiers priced from the sources of issue #17 (prices.yaml): USD per month, written out so a catalog change shows.
# Filestore at its 1 TiB minimum is the figure the official service-tiers page prints (us-central1): Zonal
# $256.00, and $460.80 for the tier billed at the Regional rate.
@pytest.mark.parametrize(("type_", "inputs", "monthly"), [
    ("gcp:filestore/instance:Instance", {"tier": "ZONAL", "fileShares": {"capacityGb": 1024, "name": "home"}}, 256.0),
    ("gcp:filestore/instance:Instance", {"tier": "REGIONAL", "fileShares": [{"capacityGb": "1024", "name": "h"}]},
     460.8),
    ("gcp:lustre/instance:Instance", {"capacityGib": "144000", "perUnitStorageThroughput": "125"}, 20880.0),
    ("aws:fsx/lustreFileSystem:LustreFileSystem",
     {"storageCapacity": 2400, "deploymentType": "PERSISTENT_2", "perUnitStorageThroughput": 250}, 504.0),
])
def test_sourced_file_tiers(type_, inputs, monthly):
    charge = price_resource(type_, inputs)
    assert charge.monthly_min == pytest.approx(monthly) and charge.monthly_max == pytest.approx(monthly)


@pytest.mark.parametrize(("type_", "inputs"), [
    # prices the catalog does not have (yet): unknown, never 0
    ("aws:fsx/lustreFileSystem:LustreFileSystem",
     {"storageCapacity": 1200, "deploymentType": "PERSISTENT_2", "perUnitStorageThroughput": 1000}),
    ("aws:fsx/lustreFileSystem:LustreFileSystem", {"storageCapacity": 1200, "deploymentType": "SCRATCH_2"}),
    ("gcp:lustre/instance:Instance", {"capacityGib": "18000", "perUnitStorageThroughput": "1000"}),
    ("gcp:filestore/instance:Instance", {"tier": "BASIC_SSD", "fileShares": {"capacityGb": 2560, "name": "home"}}),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Interface"}),
    ("gcp:container/cluster:Cluster", {"initialNodeCount": 1}),  # default pool kept: its nodes are unpriced
    ("kubernetes:core/v1:Service", {"spec": {"type": "LoadBalancer"}}),
    ("aws:rds/instance:Instance", {"instanceClass": "db.r6g.large"}),  # billed, no rule: reported, not $0
])
def test_unknown_is_never_zero(type_, inputs):
    charge = price_resource(type_, inputs)
    assert charge is not None and charge.hourly_min is None and charge.hourly_max is None and charge.monthly_max is None


@pytest.mark.parametrize("type_", [
    "aws:iam/role:Role", "aws:ec2/subnet:Subnet", "aws:ec2/launchTemplate:LaunchTemplate", "lz:aws:Network",
    "kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service", "gcp:compute/firewall:Firewall",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gcp:serviceaccount/account:Account",
])
def test_no_charge_of_its_own(type_):
    assert price_resource(type_, {"spec": {"type": "ClusterIP"}}) is None


def test_gateway_endpoint_is_free():
    assert price_resource("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Gateway"}) is None


@pytest.mark.parametrize(("vms", "hourly"), [
    ((0, 0), 0.0), ((1, 4), None), ((40, 40), price("gcp.cloud_nat.gateway_hour_max").usd),
])
def test_cloud_nat_follows_node_count(vms, hourly):
    per_vm = price("gcp.cloud_nat.gateway_hour_per_vm").usd
    charge = price_resource("gcp:compute/routerNat:RouterNat", {}, PricingContext(gke_nodes=vms))
    if hourly is None:
        assert (charge.hourly_min, charge.hourly_max) == pytest.approx((vms[0] * per_vm, vms[1] * per_vm))
    else:
        assert charge.hourly_max == pytest.approx(hourly)


def test_context_counts_gke_nodes_and_indexes_launch_templates():
    rows = [(NP, "", {"autoscaling": {"totalMinNodeCount": 1, "totalMaxNodeCount": 3}}),
            (NP, "", {"nodeCount": 2, "nodeLocations": ["a"]}),
            ("aws:ec2/launchTemplate:LaunchTemplate", "lt-9", {"name": "gpu", "instanceType": "p5.48xlarge"})]
    ctx = PricingContext.of(rows)
    assert ctx.gke_nodes == (3, 5)
    assert set(ctx.launch_templates) == {"lt-9", "gpu"}


@pytest.mark.parametrize(("inputs", "key", "value"), [
    ({"tags": {"team": "vision"}}, "team", "vision"),
    ({"labels": {"team": "nlp"}}, "team", "nlp"),
    ({"resourceLabels": {"team": "platform"}}, "team", "platform"),
    ({"nodeConfig": {"resourceLabels": {"cost-center": "cc-7"}}}, "cost-center", "cc-7"),
    ({"metadata": {"labels": {"team": "infra"}}}, "team", "infra"),
    ({"labels": {"cost_center": "cc-9"}}, "Cost.Center", "cc-9"),
    ({"tags": {}}, "team", None),
])
def test_attribution(inputs, key, value):
    assert attribution(inputs, key) == value


@pytest.mark.parametrize(("value", "rounded"), [
    (None, None), (0.0, 0.0), (0.0014, 0.0014), (0.00137, 0.00137), (0.123456, 0.123), (110.084, 110.08),
])
def test_round_usd(value, rounded):
    assert round_usd(value) == rounded


@pytest.mark.parametrize(("type_", "inputs", "pool"), [
    (NG, node_group(0, 1, instanceTypes=["p5.48xlarge"], labels={"ai-landing-zone/pool": "h100"}), "h100"),
    (NG, {"scalingConfig": {"minSize": 0, "maxSize": 1}, "instanceTypes": ["p5.48xlarge"]}, ""),
    (NP, {"name": "np-1", "nodeConfig": {"machineType": "a3-highgpu-8g", "labels": {"ai-landing-zone/pool": "a3"}}},
     "a3"),
    (NP, {"name": "np-1", "nodeConfig": {"machineType": "a3-highgpu-8g"}}, "np-1"),
])
def test_pool_name_from_label_then_provider_name(type_, inputs, pool):
    assert price_resource(type_, inputs).pool == pool
