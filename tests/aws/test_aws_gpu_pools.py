"""GPU node pools: the EFA interface layout per instance type, placement, capacity and scale-from-zero tags."""

from __future__ import annotations

import pytest
from aws_plans import named, of_type, one, plan_aws

from components.aws.gpu_node_pool import (
    CapacitySettings,
    NetworkInterfaceSpec,
    autoscaler_tags,
    capacity_settings,
    efa_interfaces,
    pool_layout,
)
from components.catalog import aws_instance_type
from components.config.model import Capacity, GpuPool, Taint
from lz.testing import inputs

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


# ------------------------------------------------------------------------------- EFA layout (pure)

@pytest.mark.parametrize(("instance_type", "efa_cards"), [
    ("p5.48xlarge", list(range(32))),
    ("p5e.48xlarge", list(range(32))),
    ("p5en.48xlarge", list(range(16))),
    ("p4d.24xlarge", list(range(4))),
    ("p6-b200.48xlarge", list(range(8))),
    ("p6-b300.48xlarge", list(range(1, 17))),   # card 0 is ENA-only on this type
    ("g6e.48xlarge", list(range(4))),
    ("g6e.12xlarge", [0]),
    ("trn1.32xlarge", list(range(8))),
    ("g5.xlarge", []),
    ("g6e.xlarge", []),
])
def test_efa_layout_per_instance_type(instance_type, efa_cards):
    layout = efa_interfaces(instance_type)
    if not efa_cards:
        assert layout == []
        return
    primary, *efa = layout
    assert primary == NetworkInterfaceSpec(0, 0, "interface")
    assert [nic.network_card_index for nic in efa] == efa_cards
    assert all(nic.interface_type == "efa-only" for nic in efa)
    # Card 0 already holds the primary at device 0, so its EFA goes to device 1; every other card uses 0.
    assert [nic.device_index for nic in efa] == [1 if card == 0 else 0 for card in efa_cards]
    assert len(efa) == aws_instance_type(instance_type).network.max_efa_interfaces
    assert len({(n.network_card_index, n.device_index) for n in layout}) == len(layout)


def test_p5_has_33_interfaces_32_of_them_efa():
    layout = efa_interfaces(aws_instance_type("p5.48xlarge"))
    assert len(layout) == 33
    assert sum(nic.is_efa for nic in layout) == 32
    assert layout[1] == NetworkInterfaceSpec(0, 1, "efa-only")
    assert layout[-1] == NetworkInterfaceSpec(31, 0, "efa-only")


# ------------------------------------------------------------------------------- capacity and layout (pure)

@pytest.mark.parametrize(("capacity", "expected"), [
    ({}, CapacitySettings("ON_DEMAND")),
    ({"type": "spot"}, CapacitySettings("SPOT")),
    ({"type": "reservation", "reservationId": "cr-1", "zone": "us-east-1b"},
     CapacitySettings("ON_DEMAND", reservation_id="cr-1")),
    ({"type": "capacityBlock", "reservationId": "cr-2", "zone": "us-east-1c"},
     CapacitySettings("CAPACITY_BLOCK", market_type="capacity-block", reservation_id="cr-2")),
])
def test_capacity_settings(capacity, expected):
    assert capacity_settings(Capacity.model_validate(capacity)) == expected


def test_flex_start_is_not_an_aws_capacity():
    with pytest.raises(ValueError, match="not available on AWS"):
        capacity_settings(Capacity(type="flexStart"))


def _pool(**kw) -> GpuPool:
    return GpuPool.model_validate({"name": "p", "instanceType": "p5.48xlarge", "maxNodes": 2, **kw})


@pytest.mark.parametrize(("pool", "efa", "placement_group", "zone"), [
    ({"purpose": "training"}, True, True, "us-east-1a"),
    ({"purpose": "training", "zone": "us-east-1b"}, True, True, "us-east-1b"),
    ({"purpose": "training", "placement": "none"}, True, False, "us-east-1a"),
    ({"purpose": "inference"}, False, False, None),
    ({"purpose": "inference", "placement": "compact"}, False, True, "us-east-1a"),
    # A reservation decides zone and placement: no group of ours, pinned to its zone.
    ({"purpose": "training", "capacity": {"type": "capacityBlock", "reservationId": "cr-1", "zone": "us-east-1c"}},
     True, False, "us-east-1c"),
    ({"purpose": "training", "capacity": {"type": "reservation", "reservationId": "cr-1", "zone": "us-east-1b"}},
     True, False, "us-east-1b"),
    ({"purpose": "training", "instanceType": "g5.xlarge"}, False, False, None),
])
def test_pool_layout(pool, efa, placement_group, zone):
    instance = aws_instance_type(pool.get("instanceType", "p5.48xlarge"))
    layout = pool_layout(_pool(**pool), instance, ZONES)
    assert (layout.efa, layout.placement_group, layout.zone) == (efa, placement_group, zone)


def test_pool_layout_refuses_a_zone_outside_the_vpc():
    with pytest.raises(ValueError, match="not one of the VPC's zones"):
        pool_layout(_pool(zone="us-east-1f"), aws_instance_type("p5.48xlarge"), ZONES)


def test_autoscaler_tags_describe_the_node_template():
    tags = autoscaler_tags("c1", {"ai-landing-zone/pool": "p"}, [Taint(key="nvidia.com/gpu", value="true")],
                           {"nvidia.com/gpu": 8, "vpc.amazonaws.com/efa": 32})
    assert tags == {
        "k8s.io/cluster-autoscaler/enabled": "true",
        "k8s.io/cluster-autoscaler/c1": "owned",
        "k8s.io/cluster-autoscaler/node-template/label/ai-landing-zone/pool": "p",
        "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "8",
        "k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa": "32",
    }


# ------------------------------------------------------------------------------- planned pools

@pytest.fixture(scope="module")
def pools_plan():
    return plan_aws({
        "network": {"zones": ["us-east-1a", "us-east-1b"]},
        "gpuPools": [
            {"name": "train", "instanceType": "p5.48xlarge", "maxNodes": 2, "purpose": "training",
             "metadataHopLimit": 2},
            {"name": "block", "instanceType": "p5en.48xlarge", "maxNodes": 2, "purpose": "training",
             "capacity": {"type": "capacityBlock", "reservationId": "cr-0abc", "zone": "us-east-1b"}},
            {"name": "odcr", "instanceType": "p4d.24xlarge", "maxNodes": 2, "purpose": "training",
             "capacity": {"type": "reservation", "reservationId": "cr-0def", "zone": "us-east-1a"}},
            {"name": "small", "instanceType": "g5.xlarge", "maxNodes": 3, "capacity": {"type": "spot"}},
            {"name": "rocket", "instanceType": "g6e.48xlarge", "maxNodes": 1, "image": "bottlerocket-nvidia",
             "diskSizeGib": 400},
        ],
    })


def _lt(plan, pool):
    return named(plan, "aws:ec2/launchTemplate:LaunchTemplate", f"pool-{pool}-lt")


def _ng(plan, pool):
    return named(plan, "aws:eks/nodeGroup:NodeGroup", f"pool-{pool}-nodes")


def test_p5_launch_template_carries_the_documented_efa_layout(pools_plan):
    lt = _lt(pools_plan, "train")
    nics = lt["networkInterfaces"]
    assert len(nics) == 33
    assert [(n["networkCardIndex"], n["deviceIndex"], n["interfaceType"]) for n in nics] == (
        [(0, 0, "interface"), (0, 1, "efa-only")] + [(card, 0, "efa-only") for card in range(1, 32)])
    efa_sg = one(pools_plan, "aws:ec2/securityGroup:SecurityGroup", "network-efa").id
    cluster_sg = one(pools_plan, "aws:eks/cluster:Cluster").outputs["vpcConfig"]["clusterSecurityGroupId"]
    assert all(n["securityGroups"] == [cluster_sg, efa_sg] for n in nics)
    # Security groups live on the interfaces: a launch template with interfaces may not set them on top.
    assert "vpcSecurityGroupIds" not in lt
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                     "httpPutResponseHopLimit": 2, "instanceMetadataTags": "disabled"}
    assert lt["placement"]["groupName"]
    assert _ng(pools_plan, "train")["tags"]["k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa"] == "32"


def test_efa_pool_sits_in_one_subnet_with_a_cluster_placement_group(pools_plan):
    groups = of_type(pools_plan, "aws:ec2/placementGroup:PlacementGroup")
    assert [g.name for g in groups] == ["lz-pool-train-placement"]
    assert inputs(groups[0])["strategy"] == "cluster"
    assert len(_ng(pools_plan, "train")["subnetIds"]) == 1


def test_capacity_block_pool(pools_plan):
    lt, ng = _lt(pools_plan, "block"), _ng(pools_plan, "block")
    assert lt["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert lt["capacityReservationSpecification"] == {"capacityReservationTarget": {"capacityReservationId": "cr-0abc"}}
    assert "placement" not in lt                       # the block is already co-located
    assert ng["capacityType"] == "CAPACITY_BLOCK"
    # EKS user guide, Capacity Blocks with managed node groups: the instance type is in the launch
    # template, and the node group then lists none (the request is rejected otherwise).
    assert lt["instanceType"] == "p5en.48xlarge"
    assert "instanceTypes" not in ng
    assert len(lt["networkInterfaces"]) == 17          # ENA + 16 EFA on p5en
    zone_b = named(pools_plan, "aws:ec2/subnet:Subnet", "network-private-1")
    assert zone_b["availabilityZone"] == "us-east-1b"
    assert ng["subnetIds"] == [one(pools_plan, "aws:ec2/subnet:Subnet", "network-private-1").id]


def test_odcr_pool_targets_the_reservation_on_demand(pools_plan):
    lt, ng = _lt(pools_plan, "odcr"), _ng(pools_plan, "odcr")
    assert lt["capacityReservationSpecification"]["capacityReservationTarget"]["capacityReservationId"] == "cr-0def"
    assert "instanceMarketOptions" not in lt and "placement" not in lt
    assert ng["capacityType"] == "ON_DEMAND"
    assert ng["instanceTypes"] == ["p4d.24xlarge"] and "instanceType" not in lt
    assert len(lt["networkInterfaces"]) == 5           # ENA + 4 EFA on p4d


def test_non_efa_spot_pool_has_plain_security_groups_and_all_zones(pools_plan):
    lt, ng = _lt(pools_plan, "small"), _ng(pools_plan, "small")
    assert "networkInterfaces" not in lt and "placement" not in lt
    assert len(lt["vpcSecurityGroupIds"]) == 1
    assert "instanceMarketOptions" not in lt           # managed node groups request Spot themselves
    assert ng["capacityType"] == "SPOT"
    assert len(ng["subnetIds"]) == 2
    assert ng["amiType"] == "AL2023_x86_64_NVIDIA"


def test_inference_pool_on_an_efa_type_does_not_use_efa(pools_plan):
    lt = _lt(pools_plan, "rocket")
    assert "networkInterfaces" not in lt
    assert _ng(pools_plan, "rocket")["amiType"] == "BOTTLEROCKET_x86_64_NVIDIA"
    assert [(b["deviceName"], b["ebs"]["volumeSize"]) for b in lt["blockDeviceMappings"]] == [
        ("/dev/xvda", 4), ("/dev/xvdb", 400)]


@pytest.mark.parametrize("pool", ["train", "block", "odcr", "small", "rocket"])
def test_every_pool_node_settings(pools_plan, pool):
    lt, ng = _lt(pools_plan, pool), _ng(pools_plan, pool)
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in ng["taints"]
    assert ng["labels"]["ai-landing-zone/pool"] == pool
    assert ng["nodeRepairConfig"] == {"enabled": True}
    assert ng["updateConfig"] == {"maxUnavailable": 1}
    assert ng["scalingConfig"]["minSize"] == 0
    assert all(b["ebs"]["encrypted"] == "true" and b["ebs"]["kmsKeyId"].startswith("arn:aws:kms:")
               and b["ebs"]["volumeType"] == "gp3" for b in lt["blockDeviceMappings"])
    assert lt["metadataOptions"]["httpTokens"] == "required"
    assert ng["launchTemplate"]["id"].startswith("lt-")
    template = "k8s.io/cluster-autoscaler/node-template"
    assert ng["tags"][f"{template}/taint/nvidia.com/gpu"] == "present:NoSchedule"
    assert ng["tags"][f"{template}/label/ai-landing-zone/pool"] == pool
    # EKS does not copy node-group tags to the Auto Scaling group: each template tag is set on it too.
    asg_tags = {inputs(r)["tag"]["key"]: inputs(r)["tag"]["value"]
                for r in of_type(pools_plan, "aws:autoscaling/tag:Tag") if f"pool-{pool}-asg-" in r.name}
    assert asg_tags == {k: v for k, v in ng["tags"].items() if k.startswith(template)}
    assert ng["tags"]["cost-center"] == "ml-test"


def test_node_groups_ignore_the_autoscalers_desired_size(pools_plan):
    for r in of_type(pools_plan, "aws:eks/nodeGroup:NodeGroup"):
        assert r.ignore_changes == ["scalingConfig.desiredSize"]
