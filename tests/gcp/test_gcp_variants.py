"""Variants the example stacks do not cover: other file tiers, flex-start queued provisioning, A4 RDMA."""

from __future__ import annotations

import pytest
from gcp_plans import named, one, plan_gcp

from lz.testing import inputs, of_type

SPOT_L4 = {"name": "l4", "instanceType": "g2-standard-4", "maxNodes": 2, "capacity": {"type": "spot"}}


@pytest.fixture(scope="module")
def filestore():
    return plan_gcp({"storage": {"file": {"kind": "filestore", "capacityGib": 2048}}, "gpuPools": [SPOT_L4]})


@pytest.fixture(scope="module")
def parallelstore():
    return plan_gcp({"storage": {"file": {"kind": "parallelstore"}}, "environment": "prod",
                     "gpuPools": [SPOT_L4]}, stack="ps")


@pytest.fixture(scope="module")
def flex_a4():
    return plan_gcp({"gpuPools": [
        {"name": "b200", "instanceType": "a4-highgpu-8g", "maxNodes": 4, "purpose": "training",
         "zone": "us-central1-b", "capacity": {"type": "flexStart"}, "placement": "none"}]}, stack="flex")


def test_filestore_is_zonal_cmek_on_private_services_access(filestore):
    fs = named(filestore, "gcp:filestore/instance:Instance", "filestore")
    assert fs["tier"] == "ZONAL" and fs["fileShares"]["capacityGb"] == 2048
    assert fs["networks"] == [{"network": one(filestore, "gcp:compute/network:Network", "net-vpc").outputs["name"],
                               "modes": ["MODE_IPV4"], "connectMode": "PRIVATE_SERVICE_ACCESS"}]
    key = one(filestore, "gcp:kms/cryptoKey:CryptoKey", "-filestore")
    assert fs["kmsKeyName"] == key.id
    grant = named(filestore, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "filestore-agent")
    assert grant["member"] == "serviceAccount:service-123456789012@cloud-filer.iam.gserviceaccount.com"
    assert named(filestore, "gcp:container/cluster:Cluster", "gke")["addonsConfig"][
        "gcpFilestoreCsiDriverConfig"] == {"enabled": True}
    # No Lustre here: no LNet rule on the cluster VPC.
    assert not [r for r in of_type(filestore, "gcp:compute/firewall:Firewall") if r.name.endswith("allow-lustre")]


def test_parallelstore_is_persistent_in_prod_and_protected(parallelstore):
    record = one(parallelstore, "gcp:parallelstore/instance:Instance")
    ps = inputs(record)
    assert ps["capacityGib"] == "12000" and ps["deploymentType"] == "PERSISTENT"
    assert record.protect and record.retain_on_delete
    assert named(parallelstore, "gcp:container/cluster:Cluster", "gke")["addonsConfig"][
        "parallelstoreCsiDriverConfig"] == {"enabled": True}
    services = {inputs(r)["service"] for r in of_type(parallelstore, "gcp:projects/service:Service")}
    assert {"parallelstore.googleapis.com", "servicenetworking.googleapis.com"} <= services


def test_flex_start_pool_uses_queued_provisioning(flex_a4):
    pool = named(flex_a4, "gcp:container/nodePool:NodePool", "b200-pool")
    assert pool["queuedProvisioning"] == {"enabled": True}
    assert pool["nodeConfig"]["flexStart"] is True
    assert pool["nodeConfig"]["reservationAffinity"] == {"consumeReservationType": "NO_RESERVATION"}
    assert pool["autoscaling"] == {"totalMinNodeCount": 0, "totalMaxNodeCount": 4, "locationPolicy": "ANY"}
    assert pool["management"] == {"autoRepair": False, "autoUpgrade": True}
    assert "placementPolicy" not in pool and pool["nodeLocations"] == ["us-central1-b"]


def test_a4_pool_gets_one_gvnic_and_eight_rdma_nics(flex_a4):
    additional = named(flex_a4, "gcp:container/nodePool:NodePool", "b200-pool")["networkConfig"][
        "additionalNodeNetworkConfigs"]
    assert len(additional) == 9
    rdma = named(flex_a4, "gcp:compute/network:Network", "b200-nics-rdma")
    assert rdma["networkProfile"] == "projects/acme-test/global/networkProfiles/us-central1-b-vpc-roce"
    assert rdma["mtu"] == 8896
    assert len({a["network"] for a in additional}) == 2  # one gVNIC VPC, one RoCE VPC with 8 subnets
    modes = sorted(inputs(r)["spec"]["deviceMode"]
                   for r in of_type(flex_a4, "kubernetes:networking.gke.io/v1:GKENetworkParamSet"))
    assert modes == ["NetDevice"] + ["RDMA"] * 8


def test_no_file_tier_means_no_private_services_peering(flex_a4):
    assert not of_type(flex_a4, "gcp:servicenetworking/connection:Connection")
    assert not of_type(flex_a4, "gcp:compute/globalAddress:GlobalAddress")


def test_zones_default_to_the_first_zone_count_zones_of_the_region():
    plan = plan_gcp({"network": {"zoneCount": 3}, "gpuPools": [SPOT_L4]}, stack="zones")
    assert named(plan, "gcp:container/cluster:Cluster", "gke")["nodeLocations"] == [
        "us-central1-a", "us-central1-b", "us-central1-c"]
    assert named(plan, "gcp:container/nodePool:NodePool", "l4-pool")["nodeLocations"] == [
        "us-central1-a", "us-central1-b", "us-central1-c"]


# --- one naming scheme: the stack, not the environment, scopes the names a stack chooses itself -------------

# (type, input) of every physical name a GCP stack chooses itself and GCP requires unique in a project.
PHYSICAL_NAMES = (("gcp:container/cluster:Cluster", "name"), ("gcp:storage/bucket:Bucket", "name"),
                  ("gcp:serviceaccount/account:Account", "accountId"),
                  ("gcp:logging/projectBucketConfig:ProjectBucketConfig", "bucketId"),
                  ("gcp:orgpolicy/customConstraint:CustomConstraint", "name"))
SHARED_PROJECT = {"gcpOrganizationId": "123456789012", "gpuPools": [
    {"name": "l4", "instanceType": "g2-standard-4", "maxNodes": 1, "capacity": {"type": "spot"}}]}


def physical_names(plan) -> set[str]:
    return {inputs(r)[key] for type_, key in PHYSICAL_NAMES for r in of_type(plan, type_)}


@pytest.fixture(scope="module")
def two_dev_stacks():
    return (plan_gcp(SHARED_PROJECT, stack="team-a-dev"), plan_gcp(SHARED_PROJECT, stack="team-b-dev"))


def test_two_stacks_of_one_environment_share_a_project(two_dev_stacks):
    """Both are `environment: dev` in project acme-test. Named after the environment (`lz-dev-gke`,
    `acme-test-dev-datasets`, `lz-dev-node-system`...) they named the same cluster, buckets and accounts."""
    a, b = (physical_names(p) for p in two_dev_stacks)
    # cluster, 4 buckets, 2 node accounts, audit log bucket, the org-policy constraint on GPU machine types
    assert len(a) == len(b) == 9
    assert a & b == set()
    assert {"ai-lz-team-a-dev-gke", "acme-test-ai-lz-team-a-dev-datasets", "ai-lz-team-a-dev-node-system",
            "ai-lz-team-a-dev-audit"} <= a


def test_legacy_naming_keeps_the_names_deployed_stacks_have():
    legacy = physical_names(plan_gcp({**SHARED_PROJECT, "naming": {"scheme": "legacy"}}, stack="team-a-dev"))
    assert {"lz-dev-gke", "acme-test-dev-datasets", "lz-dev-node-system", "lz-dev-node-l4", "lz-dev-audit"} <= legacy
    assert any(n.endswith("/customConstraints/custom.lzDevGpuMachineTypes" + n[-6:]) for n in legacy)
