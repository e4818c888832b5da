"""The gcp-dev and gcp-prod example stacks, planned with the policy pack as `lz plan` does.

Inventory (counts by type + defining inputs) lives in tests/gcp/inventory/<stack>.yaml; the tests here
check the properties that must hold whatever the counts: secure cluster settings, GPU NIC wiring,
compact placement, protection of prod data, labels, least privilege, guardrails.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
import yaml
from gcp_plans import inventory, landing_zone_records, named, one, stack_plan

from lz.testing import inputs, of_type

STACKS = ("gcp-dev", "gcp-prod")
INVENTORY = Path(__file__).parent / "inventory"

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
NETWORK = "gcp:compute/network:Network"
FIREWALL = "gcp:compute/firewall:Firewall"

# Types that hold data or cannot be recreated without loss: protect + retainOnDelete in prod.
STATEFUL = ("gcp:storage/bucket:Bucket", "gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey", CLUSTER,
            "gcp:lustre/instance:Instance", "gcp:filestore/instance:Instance", "gcp:parallelstore/instance:Instance",
            "gcp:logging/projectBucketConfig:ProjectBucketConfig")
# Types with a labels field, and where the labels go in their inputs.
LABELS = {"gcp:storage/bucket:Bucket": ("labels",), "gcp:kms/cryptoKey:CryptoKey": ("labels",),
          CLUSTER: ("resourceLabels",), NODE_POOL: ("nodeConfig", "resourceLabels"),
          "gcp:lustre/instance:Instance": ("labels",), "gcp:compute/globalAddress:GlobalAddress": ("labels",)}
COST_LABELS = ("team", "environment", "cost-center", "managed-by")


def dig(value: Any, *path: str) -> Any:
    for key in path:
        value = (value or {}).get(key)
    return value


def subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(subset, expected, actual))
    return expected == actual


@pytest.fixture(scope="module", params=STACKS)
def plan(request):
    return stack_plan(request.param)


@pytest.fixture(scope="module")
def dev():
    return stack_plan("gcp-dev")


@pytest.fixture(scope="module")
def prod():
    return stack_plan("gcp-prod")


# --- plan outcome and inventory ---------------------------------------------------------------------

def test_plans_cleanly_with_no_mandatory_violation(plan):
    assert plan.exit_code == 0
    assert [v for v in plan.violations if v.enforcement_level == "mandatory"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_inventory(stack):
    expected = yaml.safe_load((INVENTORY / f"{stack}.yaml").read_text())
    result = stack_plan(stack)
    assert inventory(result) == expected["counts"]
    records = {f"{r.type}::{r.name}": r for r in landing_zone_records(result)}
    for key, values in expected["values"].items():
        assert key in records, f"{key} not planned"
        assert subset(values, inputs(records[key])), f"{key}: {values} not in {inputs(records[key])}"


# --- cluster ---------------------------------------------------------------------------------------

def test_secure_cluster_settings(plan):
    cluster = one(plan, CLUSTER)
    c = inputs(cluster)
    assert c["privateClusterConfig"]["enablePrivateNodes"] is True
    assert c["masterAuthorizedNetworksConfig"]["cidrBlocks"]
    assert c["masterAuthorizedNetworksConfig"]["gcpPublicCidrsAccessEnabled"] is False
    assert all(ipaddress.IPv4Network(b["cidrBlock"]).prefixlen > 0 for b in c["masterAuthorizedNetworksConfig"]["cidrBlocks"])
    assert c["workloadIdentityConfig"]["workloadPool"] == f"{c['project']}.svc.id.goog"
    assert c["enableShieldedNodes"] is True
    assert c["releaseChannel"]["channel"] in ("STABLE", "REGULAR")
    assert c["datapathProvider"] == "ADVANCED_DATAPATH" and c["enableMultiNetworking"] is True
    assert c["networkingMode"] == "VPC_NATIVE"
    gke_key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-gke")
    assert c["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": gke_key.id}
    assert {"SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"} <= set(c["loggingConfig"]["enableComponents"])
    assert {"SYSTEM_COMPONENTS", "DCGM"} <= set(c["monitoringConfig"]["enableComponents"])
    assert c["monitoringConfig"]["managedPrometheus"]["enabled"] is True
    assert c["removeDefaultNodePool"] is True
    assert c["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    # Even the default pool that exists for a moment runs as the dedicated node account.
    account = c["nodeConfig"]["serviceAccount"]
    assert account.startswith(f"ai-lz-{plan.stack}-node-")  # names.stack_prefix: the stack, not the environment
    assert c["nodeConfig"]["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}


def test_prod_control_plane_is_private_and_protected(prod, dev):
    p, d = named(prod, CLUSTER, "gke"), named(dev, CLUSTER, "gke")
    assert p["privateClusterConfig"]["enablePrivateEndpoint"] is True and p["deletionProtection"] is True
    assert d["privateClusterConfig"]["enablePrivateEndpoint"] is False and d["deletionProtection"] is False
    assert [b["cidrBlock"] for b in d["masterAuthorizedNetworksConfig"]["cidrBlocks"]] == ["10.20.0.0/16",
                                                                                          "198.51.100.0/24"]


def test_every_node_pool_is_hardened(plan):
    disks_key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-disks")
    for record in of_type(plan, NODE_POOL):
        n = inputs(record)
        cfg = n["nodeConfig"]
        assert cfg["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
        assert cfg["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert cfg["imageType"] == "COS_CONTAINERD"
        assert cfg["gvnic"] == {"enabled": True}
        assert cfg["bootDiskKmsKey"] == disks_key.id
        assert "compute@developer" not in cfg["serviceAccount"]
        assert n["management"]["autoUpgrade"] is True and n["management"]["autoRepair"] is True


def test_gpu_pools_taints_drivers_and_local_ssd(plan):
    for record in of_type(plan, NODE_POOL):
        n = inputs(record)
        if n["name"] == "system":
            continue
        cfg = n["nodeConfig"]
        assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in cfg["taints"]
        assert cfg["labels"]["ai-landing-zone/pool"] == n["name"]
        assert [a["gpuDriverInstallationConfig"]["gpuDriverVersion"] for a in cfg["guestAccelerators"]] in (
            ["DEFAULT"], ["LATEST"])
        assert n["autoscaling"]["totalMinNodeCount"] == 0  # scale to zero: no idle GPUs
        assert n["upgradeSettings"] == {"strategy": "SURGE", "maxSurge": 0, "maxUnavailable": 1}


def test_training_pools_are_compact_in_one_zone(prod, dev):
    for record in of_type(prod, NODE_POOL):
        n = inputs(record)
        if n["name"] == "system":
            continue
        assert n["nodeConfig"]["labels"]["ai-landing-zone/purpose"] == "training"
        assert n["placementPolicy"] == {"type": "COMPACT"}
        assert len(n["nodeLocations"]) == 1
    spot = named(dev, NODE_POOL, "l4-spot-pool")
    assert "placementPolicy" not in spot and spot["nodeLocations"] == ["us-central1-a", "us-central1-b"]


@pytest.mark.parametrize(("pool", "nics", "mtu", "rdma"), [("h100-train", 8, 8244, 0), ("h200-train", 9, 8896, 8)])
def test_gpu_nic_networks_are_attached_to_their_pool(prod, pool, nics, mtu, rdma):
    additional = named(prod, NODE_POOL, f"{pool}-pool")["networkConfig"]["additionalNodeNetworkConfigs"]
    assert len(additional) == nics
    vpcs = {r.outputs["name"]: inputs(r) for r in of_type(prod, NETWORK) if r.name.startswith(f"lz-{pool}-nics-")}
    assert {a["network"] for a in additional} == set(vpcs)
    assert {v["mtu"] for v in vpcs.values()} == {mtu}
    profiles = [v["networkProfile"] for v in vpcs.values() if "networkProfile" in v]
    assert profiles == (["projects/acme-ml-prod/global/networkProfiles/us-central1-b-vpc-roce"] if rdma else [])
    subnets = {r.outputs["name"]: inputs(r) for r in of_type(prod, SUBNET) if r.name.startswith(f"lz-{pool}-nics-")}
    assert {a["subnetwork"] for a in additional} == set(subnets)
    # One GKE Network + GKENetworkParamSet per NIC, RDMA device mode on the RoCE subnets.
    params = [inputs(r)["spec"] for r in of_type(prod, "kubernetes:networking.gke.io/v1:GKENetworkParamSet")
              if inputs(r)["metadata"]["name"].startswith(f"{pool}-")]
    assert sorted((p["vpc"], p["vpcSubnet"]) for p in params) == sorted((a["network"], a["subnetwork"])
                                                                         for a in additional)
    assert sum(p["deviceMode"] == "RDMA" for p in params) == rdma


def test_no_two_networks_of_the_cluster_overlap(plan):
    """Every GPU NIC subnet of every pool, the node subnet and its pod / service ranges: all disjoint
    (gcp-prod's A3 Mega and A3 Ultra pools used to share 192.168.0.0/20 and up)."""
    ranges: list[tuple[str, ipaddress.IPv4Network]] = []
    for record in of_type(plan, SUBNET):
        sub = inputs(record)
        ranges.append((record.name, ipaddress.IPv4Network(sub["ipCidrRange"])))
        for secondary in sub.get("secondaryIpRanges", []):
            ranges.append((f"{record.name}/{secondary['rangeName']}", ipaddress.IPv4Network(secondary["ipCidrRange"])))
    assert len(ranges) == 3 + (17 if plan.stack == "gcp-prod" else 0)   # node, pods, services (+ NICs)
    clashes = [(a, b) for i, (a, na) in enumerate(ranges) for b, nb in ranges[i + 1:] if na.overlaps(nb)]
    assert clashes == []


def test_gpu_nic_networks_allow_only_their_own_traffic(prod):
    for record in of_type(prod, FIREWALL):
        if "-nics-" not in record.name:
            continue
        rule = inputs(record)
        nets = [ipaddress.IPv4Network(c) for c in rule["sourceRanges"]]
        assert all(n.subnet_of(ipaddress.IPv4Network("172.16.0.0/12")) for n in nets)
    # RoCE VPCs take no VPC firewall rules (the API refuses them).
    assert not [r for r in of_type(prod, FIREWALL) if "-nics-rdma" in r.name]


# --- network ---------------------------------------------------------------------------------------

def test_flow_logs_on_every_subnet_except_roce(plan):
    for record in of_type(plan, SUBNET):
        if "-nics-rdma-" in record.name:
            assert "logConfig" not in inputs(record)
        else:
            assert inputs(record)["logConfig"]["flowSampling"] > 0, record.name


def test_node_subnet_has_pod_and_service_ranges_and_private_google_access(plan):
    assert named(plan, NETWORK, "net-vpc")["mtu"] == 8896
    s = named(plan, SUBNET, "net-nodes")
    assert s["privateIpGoogleAccess"] is True
    assert [r["rangeName"] for r in s["secondaryIpRanges"]] == ["pods", "services"]


def test_ingress_is_denied_by_default_and_ssh_comes_only_through_iap(plan):
    rules = {r.name: inputs(r) for r in of_type(plan, FIREWALL) if r.name.startswith("lz-net-")}
    deny = rules["lz-net-deny-ingress"]
    assert deny["denies"] == [{"protocol": "all"}] and deny["priority"] == 65534
    for name, rule in rules.items():
        if rule.get("allows"):
            assert "0.0.0.0/0" not in rule["sourceRanges"], name
            for allow in rule["allows"]:
                if "22" in allow.get("ports", []):
                    assert rule["sourceRanges"] == ["35.235.240.0/20"], name
    assert rules["lz-net-allow-iap-ssh"]["allows"] == [{"protocol": "tcp", "ports": ["22"]}]


def test_nat_for_the_node_subnet_only(plan):
    nat = named(plan, "gcp:compute/routerNat:RouterNat", "net-nat")
    assert nat["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    assert len(nat["subnetworks"]) == 1


# --- data ------------------------------------------------------------------------------------------

def test_prod_stateful_resources_are_protected_and_kept(prod, dev):
    stateful = [r for r in landing_zone_records(prod) if r.type in STATEFUL]
    assert {r.type for r in stateful} >= {"gcp:storage/bucket:Bucket", "gcp:kms/cryptoKey:CryptoKey", CLUSTER,
                                          "gcp:lustre/instance:Instance"}
    assert [r.name for r in stateful if not (r.protect and r.retain_on_delete)] == []
    assert [r.name for r in landing_zone_records(dev) if r.type in STATEFUL and (r.protect or r.retain_on_delete)] == []


def test_buckets(plan):
    storage_key = one(plan, "gcp:kms/cryptoKey:CryptoKey", "-storage")
    grant = one(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "-storage-agent")
    # The Cloud Storage agent exists only once asked for: its address comes from the data source, which
    # creates it, never from the documented template (pulumi_gcp storage.get_project_service_account).
    assert "gcp:storage/getProjectServiceAccount:getProjectServiceAccount" in plan.run.invokes
    assert inputs(grant)["member"] == "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com"
    for record in of_type(plan, "gcp:storage/bucket:Bucket"):
        b = inputs(record)
        assert b["uniformBucketLevelAccess"] is True and b["publicAccessPrevention"] == "enforced"
        assert b["encryption"]["defaultKmsKeyName"] == storage_key.id
        assert grant.urn in record.dependencies  # the agent may use the key before the bucket exists
        assert b["softDeletePolicy"]["retentionDurationSeconds"] >= 7 * 86400
        assert b["forceDestroy"] is False
        logs = record.name.endswith("-logs")
        # WORM model artifacts in prod, as S3 Object Lock keeps them on AWS.
        retained = logs or (plan.stack == "gcp-prod" and record.name.endswith("-artifacts"))
        assert b["versioning"]["enabled"] is not retained      # GCS: retention policy xor versioning
        assert ("retentionPolicy" in b) is retained
        if retained:
            # The provider schema types retentionPeriod as a string of seconds.
            assert b["retentionPolicy"]["retentionPeriod"] == str(365 * 86400)
            assert b["retentionPolicy"].get("isLocked", False) is (plan.stack == "gcp-prod")
            # No rule for noncurrent versions on a bucket that keeps none.
            assert not [r for r in b.get("lifecycleRules", []) if "daysSinceNoncurrentTime" in r["condition"]]


def test_lustre_is_fed_from_the_datasets_bucket(prod):
    reader = named(prod, "gcp:storage/bucketIAMMember:BucketIAMMember", "lustre-reads-datasets")
    datasets = one(prod, "gcp:storage/bucket:Bucket", "-datasets")
    assert reader["bucket"] == inputs(datasets)["name"] and reader["role"] == "roles/storage.objectViewer"
    assert reader["member"] == "serviceAccount:service-123456789012@gcp-sa-lustre.iam.gserviceaccount.com"
    lustre = named(prod, "gcp:lustre/instance:Instance", "lustre")
    assert lustre["kmsKey"].endswith(one(prod, "gcp:kms/cryptoKey:CryptoKey", "-managedlustre").outputs["name"])
    assert lustre["network"] == one(prod, NETWORK, "net-vpc").id


# --- labels, identities, guardrails, audit ----------------------------------------------------------

def test_cost_labels_on_every_labelable_resource(plan):
    checked = 0
    for record in landing_zone_records(plan):
        path = LABELS.get(record.type)
        if path:
            labels = dig(inputs(record), *path)
            assert labels and all(labels.get(k) for k in COST_LABELS), record.name
            checked += 1
    assert checked >= 9


def test_node_accounts_have_exactly_three_roles_and_no_primitive_role_anywhere(plan):
    every = [inputs(r) for r in of_type(plan, "gcp:projects/iAMMember:IAMMember")]
    # the teams' secret grants (team account reads, team group adds versions) are each limited by a
    # condition to the team's secrets (tests/gcp/test_gcp_supply.py)
    secrets = [g for g in every if g["role"].startswith("roles/secretmanager.")]
    assert secrets and all(g.get("condition", {}).get("expression") for g in secrets)
    every = [g for g in every if g not in secrets]
    grants = [g for g in every if not g["member"].startswith("group:")]     # the teams' people: clusterViewer only
    people = [g for g in every if g["member"].startswith("group:")]
    assert {g["role"] for g in people} <= {"roles/container.clusterViewer"}
    assert {g["role"] for g in grants} == {"roles/logging.logWriter", "roles/monitoring.metricWriter",
                                           "roles/artifactregistry.reader"}
    members = {g["member"] for g in grants}
    assert len(grants) == 3 * len(members)
    every_role = [inputs(r).get("role", "") for r in landing_zone_records(plan)]
    assert not {"roles/owner", "roles/editor", "roles/viewer"} & set(every_role)


def test_workload_identity_bindings_wait_for_the_cluster(plan):
    """`PROJECT.svc.id.goog` exists only once a cluster with Workload Identity does: on a fresh project a
    binding made earlier fails with "Identity Pool does not exist"."""
    cluster = one(plan, CLUSTER)
    bindings = [r for r in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember")
                if ".svc.id.goog[" in inputs(r)["member"]]
    assert bindings
    for record in bindings:
        assert cluster.urn in record.dependencies, record.name


def test_team_identity_is_workload_identity_scoped_to_its_prefix(plan):
    for team in ("research", "applied"):
        wi = named(plan, "gcp:serviceaccount/iAMMember:IAMMember", f"team-{team}-wi")
        assert wi["role"] == "roles/iam.workloadIdentityUser"
        assert wi["member"].endswith(f".svc.id.goog[{team}/{team}]")
        for purpose in ("datasets", "checkpoints", "artifacts"):
            grant = named(plan, "gcp:storage/bucketIAMMember:BucketIAMMember", f"team-{team}-{purpose}")
            bucket = grant["bucket"]
            assert bucket == inputs(one(plan, "gcp:storage/bucket:Bucket", f"-{purpose}"))["name"]
            assert grant["condition"]["expression"] == (
                f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{team}/") || '
                f'(resource.type == "storage.googleapis.com/Bucket" && '
                f'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("{team}/"))')
            assert grant["role"] == "roles/storage.objectUser"


def test_platform_gets_the_workload_identity_annotation(plan):
    accounts = [inputs(r) for r in of_type(plan, "kubernetes:core/v1:ServiceAccount")
                if inputs(r)["metadata"].get("namespace") in ("research", "applied")]
    emails = {r.outputs["email"] for r in of_type(plan, "gcp:serviceaccount/account:Account") if "-team-" in r.name}
    annotated = {a["metadata"].get("annotations", {}).get("iam.gke.io/gcp-service-account") for a in accounts}
    assert emails and emails <= annotated


def test_platform_queues_select_gke_node_pools(plan):
    flavors = {inputs(r)["metadata"]["name"]: inputs(r)["spec"].get("nodeLabels", {})
               for r in of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:ResourceFlavor")}
    pools = [inputs(r)["name"] for r in of_type(plan, NODE_POOL) if inputs(r)["name"] != "system"]
    selected = {labels.get("cloud.google.com/gke-nodepool") for labels in flavors.values()}
    assert set(pools) <= selected


def test_org_policies(prod, dev):
    for plan in (prod, dev):
        constraints = {inputs(r)["name"].rsplit("/", 1)[1]: inputs(r)["spec"]["rules"]
                       for r in of_type(plan, "gcp:orgpolicy/policy:Policy")}
        for c in ("storage.uniformBucketLevelAccess", "storage.publicAccessPrevention",
                  "iam.disableServiceAccountKeyCreation", "compute.requireOsLogin"):
            assert constraints[c] == [{"enforce": "TRUE"}]
        assert constraints["compute.vmExternalIpAccess"] == [{"denyAll": "TRUE"}]
    custom = named(prod, "gcp:orgpolicy/customConstraint:CustomConstraint", "gpu-machine-types")
    assert custom["actionType"] == "DENY" and custom["resourceTypes"] == ["container.googleapis.com/NodePool"]
    assert "['a3-megagpu-8g', 'a3-ultragpu-8g']" in custom["condition"]
    assert not of_type(dev, "gcp:orgpolicy/customConstraint:CustomConstraint")  # no organization id in dev


def test_audit_logs(prod):
    audit = named(prod, "gcp:projects/iAMAuditConfig:IAMAuditConfig", "allservices")
    assert audit["service"] == "allServices"
    assert {c["logType"] for c in audit["auditLogConfigs"]} == {"ADMIN_READ", "DATA_READ", "DATA_WRITE"}
    sink = named(prod, "gcp:logging/projectSink:ProjectSink", "audit-sink")
    assert sink["destination"].endswith("/buckets/ai-lz-gcp-prod-audit")
    assert "cloudaudit.googleapis.com" in sink["filter"]


def test_keys_rotate_every_90_days(plan):
    for record in of_type(plan, "gcp:kms/cryptoKey:CryptoKey"):
        assert inputs(record)["rotationPeriod"] == "7776000s"
