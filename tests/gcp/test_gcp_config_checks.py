"""GCP-only config problems: reported before any resource exists, as file + key path + what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from components.config.checks import semantic_problems
from components.config.model import LandingZoneConfig
from lz.testing import plan_config

BASE: dict[str, Any] = {"environment": "dev", "cloud": "gcp", "region": "us-central1", "gcpProject": "p",
                        "tags": {"costCenter": "cc"}}


def problems(**overrides: Any) -> list[tuple[str, str]]:
    cfg = LandingZoneConfig.model_validate({**BASE, **overrides})
    """Every problem the config pipeline finds, the GCP checks included."""
    return [(p.path, p.message) for p in semantic_problems(cfg)]


def pool(**kw: Any) -> dict[str, Any]:
    return {"name": "gpu", "instanceType": "g2-standard-48", "maxNodes": 2, **kw}


def test_a_clean_config_has_no_problems():
    assert problems(gpuPools=[pool()], storage={"file": {"kind": "managedLustre"}}) == []


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"network": {"cidr": "10.64.0.0/16"}}, "network.podsCidr", "overlaps network.cidr"),
        ({"network": {"privateServicesCidr": "10.68.0.0/20"}}, "network.privateServicesCidr",
         "overlaps network.servicesCidr"),
        ({"network": {"privateServicesCidr": "10.100.0.0/24"}}, "network.privateServicesCidr", "/20 or larger"),
        ({"network": {"zones": ["europe-west4-a"]}}, "network.zones[0]", "not in region 'us-central1'"),
        ({"storage": {"file": {"kind": "efs"}}}, "storage.file.kind", "none, managedLustre, filestore, parallelstore"),
        ({"storage": {"file": {"kind": "lustre"}}}, "storage.file.kind", "when cloud is gcp"),
        ({"storage": {"block": {"defaultClass": "gp3"}}}, "storage.block.defaultClass", "pd-balanced"),
        ({"storage": {"objects": {"logs": {"transitionToInfrequentDays": 90, "expirationDays": 30}}}},
         "storage.objects.logs.expirationDays", "later than transitionToInfrequentDays"),
        ({"storage": {"objects": {"objectLockDays": 1000}}}, "storage.objects.logs.expirationDays",
         "at least objectLockDays (1000)"),
        ({"gpuPools": [pool(capacity={"type": "capacityBlock", "reservationId": "cr-1"})]},
         "gpuPools[0].capacity.type", "onDemand, spot, reservation, flexStart when cloud is gcp"),
        ({"gpuPools": [pool(capacity={"type": "flexStart"}, minNodes=1)]}, "gpuPools[0].minNodes", "must be 0"),
        ({"gpuPools": [pool(image="bottlerocket-nvidia")]}, "gpuPools[0].image", "must be one of cos, ubuntu when cloud is gcp"),
        ({"gpuPools": [pool(labels={"kubernetes.io/role": "gpu"})]}, "gpuPools[0].labels", "reserved by GKE"),
        ({"gpuPools": [pool(instanceType="a3-ultragpu-8g")]}, "gpuPools[0].zone", "RDMA (RoCE) network profile"),
        ({"network": {"gpuNicCidr": "10.64.0.0/12"}}, "network.gpuNicCidr", "overlaps network.podsCidr"),
        # Prod artifacts carry the object-lock retention policy too (WORM parity with S3 Object Lock).
        ({"environment": "prod", "storage": {"objects": {"artifacts": {"expirationDays": 90}}}},
         "storage.objects.artifacts.expirationDays", "at least objectLockDays (365)"),
    ],
)
def test_problems(overrides, path, fragment):
    found = problems(**overrides)
    assert any(p == path and fragment in m for p, m in found), found


def test_an_rdma_pool_may_take_its_zone_from_the_reservation_or_the_network():
    assert problems(gpuPools=[pool(instanceType="a3-ultragpu-8g", zone="us-central1-b")]) == []
    assert problems(gpuPools=[pool(instanceType="a4-highgpu-8g",
                                   capacity={"type": "reservation", "reservationId": "r", "zone": "us-central1-b"})]) == []
    assert problems(network={"zones": ["us-central1-b"]}, gpuPools=[pool(instanceType="a4-highgpu-8g")]) == []


def test_the_organization_id_must_be_a_number():
    with pytest.raises(ValueError, match="digits only"):
        LandingZoneConfig.model_validate({**BASE, "gcpOrganizationId": "organizations/123"})
    assert LandingZoneConfig.model_validate({**BASE, "gcpOrganizationId": 123456}).gcp_organization_id == "123456"


def test_a_plan_stops_with_every_problem_listed_against_the_stack_file():
    cfg = {"gcp:project": "p", "gcp:region": "us-central1", **{f"ai-landing-zone:{k}": v for k, v in BASE.items()},
           "ai-landing-zone:storage": {"file": {"kind": "efs"}},
           "ai-landing-zone:gpuPools": [pool(capacity={"type": "flexStart"}, minNodes=1)]}
    result = plan_config(cfg, policy=False)
    assert result.exit_code == 2
    assert result.records == [] or all(not r.type.startswith("gcp:") for r in result.records)
    lines = result.run.error.splitlines()
    assert lines[0] == "invalid stack configuration (2 problems):"
    assert "stacks/Pulumi.test.yaml: ai-landing-zone:storage.file.kind: must be one of none, managedLustre, " \
           "filestore, parallelstore when cloud is gcp (got 'efs')" in lines
    assert any(line.startswith("stacks/Pulumi.test.yaml: ai-landing-zone:gpuPools[0].minNodes: must be 0")
               for line in lines)


def test_the_gpu_nic_range_must_hold_every_nic_of_every_pool():
    """A3 Mega (8 NICs) + A3 Ultra (9) need 17 /20 subnets, each its own; a /16 holds 16."""
    pools = [pool(name="mega", instanceType="a3-megagpu-8g", zone="us-central1-a"),
             pool(name="ultra", instanceType="a3-ultragpu-8g", zone="us-central1-b")]
    found = problems(network={"gpuNicCidr": "192.168.0.0/16"}, gpuPools=pools)
    assert found == [("network.gpuNicCidr",
                      "must hold one /20 subnet for every GPU NIC of every pool (17: mega 8, ultra 9) but holds 16; "
                      "use a /15 or larger private range that overlaps no other range, e.g. 172.16.0.0/12 "
                      "(got 192.168.0.0/16)")]
    assert problems(network={"gpuNicCidr": "192.168.0.0/16"}, gpuPools=pools[:1]) == []   # 8 fit
    assert problems(gpuPools=pools) == []                                                  # the default holds 256


def test_a_too_small_gpu_nic_range_stops_the_plan_naming_file_key_and_value():
    cfg = {"gcp:project": "p", "gcp:region": "us-central1", **{f"ai-landing-zone:{k}": v for k, v in BASE.items()},
           "ai-landing-zone:network": {"gpuNicCidr": "192.168.0.0/17"},
           "ai-landing-zone:gpuPools": [pool(name="ultra", instanceType="a3-ultragpu-8g", zone="us-central1-b")]}
    result = plan_config(cfg, policy=False)
    assert result.exit_code == 2
    assert any(line.startswith("stacks/Pulumi.test.yaml: ai-landing-zone:network.gpuNicCidr: must hold one /20 "
                               "subnet for every GPU NIC of every pool (9: ultra 9) but holds 8")
               and line.endswith("(got 192.168.0.0/17)") for line in result.run.error.splitlines())
