"""What the shared GpuPool spec becomes on GKE: zones, placement, capacity model, taints, labels, disks."""

from __future__ import annotations

import pytest

from components.catalog import gcp_machine_type
from components.config.model import GpuPool
from components.gcp.pool_settings import (
    GPU_TAINT,
    POOL_LABEL,
    effective_placement,
    gke_pool_settings,
    gke_taint_effect,
)

ZONES = ["us-central1-a", "us-central1-b", "us-central1-c"]


def pool(**kw) -> GpuPool:
    spec = {"name": "p", "instanceType": "a3-megagpu-8g", "maxNodes": 4, **kw}
    return GpuPool.model_validate(spec)


def settings(**kw):
    p = pool(**kw)
    return gke_pool_settings(p, gcp_machine_type(p.instance_type), ZONES)


@pytest.mark.parametrize(
    ("machine", "purpose", "placement", "expected"),
    [
        ("a3-megagpu-8g", "training", None, "compact"),     # GPU NICs + training: packed close
        ("a3-highgpu-8g", "training", None, "compact"),
        ("a3-ultragpu-8g", "training", None, "compact"),
        ("a4-highgpu-8g", "training", None, "compact"),
        ("a3-megagpu-8g", "inference", None, "none"),
        ("g2-standard-48", "training", None, "none"),       # no GPU NICs: nothing to gain
        ("a2-highgpu-8g", "training", None, "none"),
        ("g2-standard-48", "training", "compact", "compact"),  # explicit setting wins
        ("a3-megagpu-8g", "training", "none", "none"),
    ],
)
def test_placement(machine, purpose, placement, expected):
    p = pool(instanceType=machine, purpose=purpose, placement=placement)
    assert effective_placement(p, gcp_machine_type(machine)) == expected
    s = gke_pool_settings(p, gcp_machine_type(machine), ZONES)
    assert s.placement == ("COMPACT" if expected == "compact" else None)
    if expected == "compact":
        assert len(s.node_locations) == 1  # compact placement lives in one zone


@pytest.mark.parametrize(
    ("capacity", "spot", "queued", "reservation", "policy", "repair"),
    [
        ({"type": "onDemand"}, False, False, ("ANY_RESERVATION", None, ()), "BALANCED", True),
        ({"type": "spot"}, True, False, ("NO_RESERVATION", None, ()), "ANY", True),
        ({"type": "reservation", "reservationId": "res-a", "zone": "us-central1-b"}, False, False,
         ("SPECIFIC_RESERVATION", "compute.googleapis.com/reservation-name", ("res-a",)), "ANY", True),
        ({"type": "flexStart"}, False, True, ("NO_RESERVATION", None, ()), "ANY", False),
    ],
)
def test_capacity_models(capacity, spot, queued, reservation, policy, repair):
    s = settings(capacity=capacity, purpose="inference")
    assert s.spot is spot
    assert s.queued_provisioning is queued and s.flex_start is queued
    r = s.reservation
    assert (r.consume_reservation_type, r.key, r.values) == reservation
    assert s.location_policy == policy
    assert s.auto_repair is repair


def test_capacity_block_is_rejected_on_gcp():
    with pytest.raises(ValueError, match="AWS-only"):
        settings(capacity={"type": "capacityBlock", "reservationId": "cr-0123"})


@pytest.mark.parametrize(
    ("kw", "locations"),
    [
        ({"purpose": "inference", "instanceType": "g2-standard-48"}, ZONES),                # spreads
        ({"purpose": "inference", "instanceType": "g2-standard-48", "zone": "us-central1-c"}, ["us-central1-c"]),
        ({"purpose": "training"}, ["us-central1-a"]),                                        # compact: first zone
        ({"purpose": "inference", "instanceType": "a3-ultragpu-8g"}, ["us-central1-a"]),     # RDMA profile: zonal
        ({"capacity": {"type": "reservation", "reservationId": "r", "zone": "us-central1-b"}}, ["us-central1-b"]),
    ],
)
def test_zones(kw, locations):
    assert list(settings(**kw).node_locations) == locations


@pytest.mark.parametrize(("min_nodes", "zone", "initial"), [(0, None, 0), (3, None, 1), (4, None, 2), (5, "us-central1-a", 5)])
def test_initial_node_count_is_per_zone(min_nodes, zone, initial):
    s = settings(instanceType="g2-standard-48", minNodes=min_nodes, maxNodes=8, zone=zone)
    assert s.initial_node_count == initial
    assert (s.total_min_nodes, s.total_max_nodes) == (min_nodes, 8)


def test_gpu_taint_is_always_set_and_extra_taints_are_mapped():
    s = settings(taints=[{"key": "team", "value": "research", "effect": "NoExecute"},
                         {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}])
    assert [(t.key, t.value, t.effect) for t in s.taints] == [
        (GPU_TAINT.key, "present", "NO_SCHEDULE"), ("team", "research", "NO_EXECUTE")]


@pytest.mark.parametrize(("effect", "gke"), [("NoSchedule", "NO_SCHEDULE"), ("PreferNoSchedule", "PREFER_NO_SCHEDULE"),
                                             ("NoExecute", "NO_EXECUTE")])
def test_taint_effects(effect, gke):
    assert gke_taint_effect(effect) == gke


def test_labels_add_pool_and_purpose_and_refuse_reserved_prefixes():
    s = settings(labels={"workload": "llm"}, purpose="training", capacity={"type": "spot"})
    assert s.labels == {"workload": "llm", POOL_LABEL: "p", "ai-landing-zone/accelerator": "h100-mega",
                        "ai-landing-zone/capacity-type": "spot", "ai-landing-zone/purpose": "training"}
    with pytest.raises(ValueError, match="reserves"):
        settings(labels={"cloud.google.com/gke-nodepool": "x"})


@pytest.mark.parametrize(
    ("machine", "accel", "count", "ssd", "disk", "driver"),
    [
        ("g2-standard-4", "nvidia-l4", 1, 0, "pd-balanced", "DEFAULT"),
        ("a2-ultragpu-8g", "nvidia-a100-80gb", 8, 8, "pd-balanced", "DEFAULT"),
        ("a3-megagpu-8g", "nvidia-h100-mega-80gb", 8, 16, "pd-balanced", "DEFAULT"),
        ("a3-ultragpu-8g", "nvidia-h200-141gb", 8, 32, "hyperdisk-balanced", "LATEST"),
        ("a4-highgpu-8g", "nvidia-b200", 8, 32, "hyperdisk-balanced", "LATEST"),
    ],
)
def test_accelerators_disks_and_driver(machine, accel, count, ssd, disk, driver):
    s = settings(instanceType=machine, purpose="inference", zone="us-central1-b")
    assert (s.accelerator_type, s.accelerator_count) == (accel, count)
    assert s.local_ssd_count == ssd
    assert s.boot_disk_type == disk
    assert s.driver_version == driver
    assert s.gpus_at_max == 4 * count


@pytest.mark.parametrize(("image", "expected"), [(None, "COS_CONTAINERD"), ("cos", "COS_CONTAINERD"),
                                                 ("ubuntu", "UBUNTU_CONTAINERD")])
def test_image_types(image, expected):
    assert settings(image=image).image_type == expected


def test_eks_images_are_rejected():
    with pytest.raises(ValueError, match="cos or ubuntu"):
        settings(image="al2023-nvidia")
