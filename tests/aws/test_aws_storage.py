"""Tiered storage, audit trail, cluster settings and protection of stateful resources."""

from __future__ import annotations

import pytest
from aws_plans import doc, named, of_type, one, plan_aws, stack_plan

from components.aws.common import AwsContext
from components.aws.eks_cluster import endpoint_access
from components.aws.tiered_storage import (
    BucketSpec,
    LustreSize,
    bucket_specs,
    lifecycle_rules,
    lustre_size,
)
from components.config.model import BucketPolicy, ObjectTier
from components.storage_advisor import fsx_lustre_prices
from lz.testing import inputs

CTX = AwsContext(account_id="111122223333", partition="aws", region="us-east-1", prefix="ai-lz-t")
STATEFUL = ("aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup", "aws:eks/cluster:Cluster",
            "aws:fsx/lustreFileSystem:LustreFileSystem", "aws:efs/fileSystem:FileSystem", "aws:amp/workspace:Workspace")


@pytest.fixture(scope="module", params=["dev", "prod"])
def plan(request):
    return stack_plan(request.param)


def _buckets(plan):
    """The home-region buckets by purpose (TieredStorage's; the audit replica's are tested below)."""
    return {r.name.rsplit("-", 1)[1]: r for r in of_type(plan, "aws:s3/bucket:Bucket")
            if "lz:aws:TieredStorage" in r.urn}


def _by_bucket(plan, type_):
    ids = {r.id: purpose for purpose, r in _buckets(plan).items()}
    return {ids[inputs(r)["bucket"]]: inputs(r) for r in of_type(plan, type_) if inputs(r)["bucket"] in ids}


# ------------------------------------------------------------------------------- buckets

def test_buckets_by_purpose(plan):
    assert sorted(_buckets(plan)) == ["artifacts", "audit", "checkpoints", "datasets", "logs"]


def test_every_bucket_blocks_public_access(plan):
    blocks = _by_bucket(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert sorted(blocks) == sorted(_buckets(plan))
    for settings in blocks.values():
        assert all(settings[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                  "restrictPublicBuckets"))
    ownership = _by_bucket(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert {o["rule"]["objectOwnership"] for o in ownership.values()} == {"BucketOwnerEnforced"}
    assert len(ownership) == len(blocks)


def test_every_bucket_is_sse_kms_with_bucket_keys_and_the_right_key(plan):
    keys = {inputs(k)["tags"]["purpose"]: k.outputs["arn"] for k in of_type(plan, "aws:kms/key:Key")}
    sse = _by_bucket(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sorted(sse) == sorted(_buckets(plan))
    for purpose, config in sse.items():
        (rule,) = config["rules"]
        assert rule["bucketKeyEnabled"] is True
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        expected = keys["logs"] if purpose in ("logs", "audit") else keys["storage"]
        assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == expected


def test_every_bucket_denies_plain_http_and_logs_its_access(plan):
    buckets = _buckets(plan)
    policies = _by_bucket(plan, "aws:s3/bucketPolicy:BucketPolicy")
    for purpose, policy in policies.items():
        tls = next(st for st in doc(policy["policy"])["Statement"] if st["Sid"] == "DenyInsecureTransport")
        arn = buckets[purpose].outputs["arn"]
        assert tls["Effect"] == "Deny" and tls["Resource"] == [arn, f"{arn}/*"]
        assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    logging = _by_bucket(plan, "aws:s3/bucketLogging:BucketLogging")
    assert sorted(logging) == sorted(set(buckets) - {"logs"})
    assert {entry["targetBucket"] for entry in logging.values()} == {buckets["logs"].id}
    delivery = next(st for st in doc(policies["logs"]["policy"])["Statement"] if st["Sid"] == "S3ServerAccessLogs")
    assert sorted(delivery["Condition"]["ArnLike"]["aws:SourceArn"]) == sorted(
        buckets[p].outputs["arn"] for p in logging)


def test_versioning_and_object_lock(plan):
    versioned = _by_bucket(plan, "aws:s3/bucketVersioning:BucketVersioning")
    # Every bucket, datasets and logs included: a deleted shard or log stays recoverable.
    assert sorted(versioned) == sorted(_buckets(plan))
    assert {v["versioningConfiguration"]["status"] for v in versioned.values()} == {"Enabled"}
    locks = _by_bucket(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    if plan.stack == "prod":
        assert sorted(locks) == ["artifacts", "audit"]
        assert {lock["rule"]["defaultRetention"]["mode"] for lock in locks.values()} == {"GOVERNANCE"}
        assert inputs(_buckets(plan)["artifacts"])["objectLockEnabled"] is True
    else:
        assert locks == {}
    # S3 refuses access-log delivery into a bucket with a default retention: the logs bucket stays unlocked.
    assert "logs" not in locks


def test_lifecycle_rules_always_abort_stale_uploads(plan):
    rules = _by_bucket(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    for config in rules.values():
        (rule,) = config["rules"]
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    datasets = rules["datasets"]["rules"][0]["transitions"]
    assert [(t["days"], t["storageClass"]) for t in datasets] == [(30, "STANDARD_IA"), (180, "GLACIER_IR")]
    assert rules["checkpoints"]["rules"][0]["noncurrentVersionExpiration"] == {"noncurrentDays": 14}
    assert rules["datasets"]["rules"][0]["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rules["logs"]["rules"][0]["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    # Under a 365-day object lock, old artifact versions cannot be expired before the lock ends: the
    # expiration follows the lock (prod) instead of being a rule that can never act.
    artifacts = rules["artifacts"]["rules"][0]["noncurrentVersionExpiration"]["noncurrentDays"]
    assert artifacts == (365 if plan.stack == "prod" else 90)


@pytest.mark.parametrize(("lock", "configured", "lock_days", "expected"), [
    (True, 90, 365, 365),      # shorter than the lock: the lock wins
    (True, 400, 365, 400),     # longer: kept
    (False, 90, 365, 90),      # no lock: as configured
])
def test_noncurrent_expiration_never_ends_before_the_object_lock(lock, configured, lock_days, expected):
    spec = BucketSpec("artifacts", "storage", versioned=True, object_lock=lock, lock_days=lock_days,
                      lifecycle=BucketPolicy(noncurrent_version_expiration_days=configured))
    (rule,) = lifecycle_rules(spec)
    assert rule.noncurrent_version_expiration.noncurrent_days == expected


@pytest.mark.parametrize(("policy", "versioned", "expected"), [
    (BucketPolicy(transition_to_infrequent_days=30), False, {"transitions": [(30, "STANDARD_IA")]}),
    (BucketPolicy(noncurrent_version_expiration_days=5), False, {}),     # no versions to expire
    (BucketPolicy(noncurrent_version_expiration_days=5), True, {"noncurrent": 5}),
    (BucketPolicy(expiration_days=730, transition_to_infrequent_days=90), False,
     {"transitions": [(90, "STANDARD_IA")], "expiration": 730}),
])
def test_lifecycle_rules_table(policy, versioned, expected):
    (rule,) = lifecycle_rules(BucketSpec("x", "storage", versioned=versioned, object_lock=False, lifecycle=policy))
    assert [(t.days, t.storage_class) for t in rule.transitions or []] == expected.get("transitions", [])
    noncurrent = rule.noncurrent_version_expiration
    assert (noncurrent.noncurrent_days if noncurrent else None) == expected.get("noncurrent")
    assert (rule.expiration.days if rule.expiration else None) == expected.get("expiration")


def test_bucket_specs_without_audit_trail():
    specs = bucket_specs(ObjectTier(), object_lock=True, audit_trail=False)
    assert [(s.purpose, s.object_lock) for s in specs] == [
        ("datasets", False), ("checkpoints", False), ("artifacts", True), ("logs", False)]


# ------------------------------------------------------------------------------- file and block tiers

@pytest.mark.parametrize(("capacity", "tier", "demand", "expected"), [
    (9600, 500, 0, LustreSize(9600, 500)),
    (3000, None, 0, LustreSize(4800, 250)),         # rounded up to a multiple of 2,400 GiB
    (100, 125, 0, LustreSize(1200, 125)),           # the smallest PERSISTENT_2 file system
    (2400, 1000, 0, LustreSize(2400, 1000)),
    (None, 1000, 20000, LustreSize(21600, 1000)),   # sized for the demand at the configured tier
    (None, None, 0, LustreSize(1200, 125)),         # nothing to feed: the smallest, cheapest
])
def test_lustre_size(capacity, tier, demand, expected):
    got = lustre_size(capacity, tier, demand_mbps=demand, prices=fsx_lustre_prices())
    assert (got.capacity_gib, got.throughput_mbps_per_tib) == (expected.capacity_gib, expected.throughput_mbps_per_tib)
    assert got.capacity_gib == 1200 or got.capacity_gib % 2400 == 0
    assert got.aggregate_mbps >= demand


def test_lustre_size_rejects_an_unknown_tier():
    with pytest.raises(ValueError, match="125, 250, 500, 1000"):
        lustre_size(1200, 300, demand_mbps=0, prices={})


def test_prod_lustre_in_the_training_zone_linked_to_datasets():
    prod = stack_plan("prod")
    fs = one(prod, "aws:fsx/lustreFileSystem:LustreFileSystem")
    settings = inputs(fs)
    zone_of = {r.id: inputs(r)["availabilityZone"] for r in of_type(prod, "aws:ec2/subnet:Subnet")}
    assert zone_of[settings["subnetIds"]] == "us-east-1a"       # the Capacity Block's zone
    assert settings["deploymentType"] == "PERSISTENT_2"
    assert settings["kmsKeyId"] == next(k.outputs["arn"] for k in of_type(prod, "aws:kms/key:Key")
                                        if inputs(k)["tags"]["purpose"] == "storage")
    # Sized by the storage advisor for 4 x p5.48xlarge (32 GPUs) reading the default per-GPU rate.
    supply = settings["storageCapacity"] / 1024 * settings["perUnitStorageThroughput"]
    assert supply >= 32 * 312.5
    dra = named(prod, "aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation", "storage-datasets")
    datasets = _buckets(prod)["datasets"]
    assert dra["dataRepositoryPath"] == f"s3://{datasets.outputs['bucket']}"
    assert dra["s3"]["autoImportPolicy"]["events"] == ["NEW", "CHANGED", "DELETED"]
    grant = named(prod, "aws:kms/grant:Grant", "lustre-s3")
    assert grant["granteePrincipal"].endswith(f"AWSServiceRoleForFSxS3Access_{fs.id}")
    assert grant["constraints"] == [{"encryptionContextSubset": {"aws:s3:arn": datasets.outputs["arn"]}}]


def test_efs_for_shared_homes():
    plan = plan_aws({"storage": {"sharedHomes": True}})
    fs = named(plan, "aws:efs/fileSystem:FileSystem", "storage-efs")
    assert fs["encrypted"] is True and fs["kmsKeyId"].startswith("arn:aws:kms:")
    assert fs["throughputMode"] == "elastic"
    assert len(of_type(plan, "aws:efs/mountTarget:MountTarget")) == 2
    sg = named(plan, "aws:ec2/securityGroup:SecurityGroup", "storage-efs")
    assert [(r["fromPort"], r["cidrBlocks"]) for r in sg["ingress"]] == [(2049, ["10.0.0.0/16"])]


# ------------------------------------------------------------------------------- audit, cluster, protection

def test_audit_trail(plan):
    trail = named(plan, "aws:cloudtrail/trail:Trail", "audit-trail")
    assert trail["isMultiRegionTrail"] is True and trail["enableLogFileValidation"] is True
    assert trail["kmsKeyId"] == next(k.outputs["arn"] for k in of_type(plan, "aws:kms/key:Key")
                                     if inputs(k)["tags"]["purpose"] == "logs")
    audit = _buckets(plan)["audit"]
    assert trail["s3BucketName"] == audit.outputs["bucket"]
    policy = _by_bucket(plan, "aws:s3/bucketPolicy:BucketPolicy")["audit"]
    write = next(st for st in doc(policy["policy"])["Statement"] if st["Sid"] == "CloudTrailWrite")
    assert write["Resource"] == f"{audit.outputs['arn']}/AWSLogs/123456789012/*"
    assert write["Condition"]["StringEquals"]["aws:SourceArn"].endswith(f":trail/{trail['name']}")


def test_cluster_settings(plan):
    cluster = named(plan, "aws:eks/cluster:Cluster", "eks-cluster")
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    assert cluster["enabledClusterLogTypes"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    if plan.stack == "prod":
        assert cluster["vpcConfig"]["endpointPublicAccess"] is False and "publicAccessCidrs" not in cluster["vpcConfig"]
    else:
        assert cluster["vpcConfig"]["publicAccessCidrs"] == ["198.51.100.0/24"]
    log_group = named(plan, "aws:cloudwatch/logGroup:LogGroup", "eks-logs")
    assert log_group["name"] == f"/aws/eks/{cluster['name']}/cluster"
    assert log_group["kmsKeyId"].startswith("arn:aws:kms:") and log_group["retentionInDays"] in (90, 365)
    addons = sorted(inputs(a)["addonName"] for a in of_type(plan, "aws:eks/addon:Addon"))
    expected = ["aws-ebs-csi-driver", "aws-efs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]
    if plan.stack == "prod":
        expected = sorted([*expected, "aws-fsx-csi-driver", "eks-pod-identity-agent"])
    assert addons == expected


@pytest.mark.parametrize(("is_prod", "cidrs", "public"), [
    (True, ["198.51.100.0/24"], False), (False, [], False), (False, ["198.51.100.0/24"], True)])
def test_endpoint_access(is_prod, cidrs, public):
    access = endpoint_access(is_prod, cidrs)
    assert access.private and access.public is public
    assert access.public_cidrs == (tuple(cidrs) if public else ())


def test_prod_protects_every_stateful_resource():
    prod = stack_plan("prod")
    stateful = [r for r in prod.records if r.type in STATEFUL]
    # buckets (+ the audit replica and its log bucket), keys (+ the replica key), log groups, cluster, Lustre,
    # the GPU metrics workspace, the registry and secrets keys
    assert len(stateful) == 5 + 2 + 5 + 1 + 2 + 1 + 1 + 1 + 2
    unprotected = [r.name for r in stateful if not (r.protect and r.retain_on_delete)]
    assert unprotected == []
    assert named(prod, "aws:eks/cluster:Cluster", "eks-cluster")["deletionProtection"] is True


def test_dev_protects_nothing():
    assert [r.name for r in stack_plan("dev").records if r.protect or r.retain_on_delete] == []


def test_block_volumes_use_the_landing_zones_ebs_key_and_homes_get_an_efs_class():
    result = plan_aws({"storage": {"sharedHomes": True},
                       "gpuPools": [{"name": "infer", "instanceType": "g6e.xlarge", "maxNodes": 1}],
                       "teams": [{"name": "vision", "costCenter": "cv", "gpuQuota": {"infer": 1}}]})
    ebs_key = next(r for r in of_type(result, "aws:kms/key:Key") if r.name.endswith("-ebs"))
    classes = {inputs(r)["metadata"]["name"]: inputs(r) for r in of_type(result, "kubernetes:storage.k8s.io/v1:StorageClass")}
    assert set(classes) == {"gp3", "io2", "efs"}
    for name in ("gp3", "io2"):
        assert classes[name]["parameters"]["kmsKeyId"] == ebs_key.outputs["arn"]
    efs = next(r for r in of_type(result, "aws:efs/fileSystem:FileSystem"))
    assert classes["efs"]["parameters"]["fileSystemId"] == efs.id


# ------------------------------------------------------------------------------- audit replica (prod)

REPLICA = "lz:aws:AuditReplica"


def _replica(plan, type_, suffix=""):
    found = [r for r in of_type(plan, type_) if REPLICA in r.urn and r.name.endswith(suffix)]
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def test_prod_audit_bucket_is_replicated_to_a_second_region():
    """CloudTrail's bucket survives the loss of its region: S3 Cross-Region Replication into a locked,
    versioned bucket in logging.auditReplicaRegion (S3 User Guide, "Using S3 Object Lock with replication")."""
    prod = stack_plan("prod")
    audit = _buckets(prod)["audit"]
    replica = _replica(prod, "aws:s3/bucket:Bucket", "-bucket")
    key = _replica(prod, "aws:kms/key:Key")
    assert inputs(replica)["region"] == inputs(key)["region"] == "us-west-2"
    assert inputs(replica)["objectLockEnabled"] is True        # the source is locked: the copy must be too
    lock = _replica(prod, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert inputs(lock)["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 365}
    versioning = _replica(prod, "aws:s3/bucketVersioning:BucketVersioning", "-bucket")
    assert inputs(versioning)["versioningConfiguration"]["status"] == "Enabled"

    config = _replica(prod, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    spec = inputs(config)
    assert spec["bucket"] == audit.id
    (rule,) = spec["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}   # a delete never hides the copy
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["destination"]["bucket"] == replica.outputs["arn"]
    assert rule["destination"]["encryptionConfiguration"] == {"replicaKmsKeyId": key.outputs["arn"]}
    source_versioning = [r for r in of_type(prod, "aws:s3/bucketVersioning:BucketVersioning")
                         if inputs(r)["bucket"] == audit.id]
    assert source_versioning[0].urn in config.dependencies      # a versioned source first

    role = _replica(prod, "aws:iam/role:Role")
    assert spec["role"] == role.outputs["arn"]
    assert inputs(role)["permissionsBoundary"]
    statements = {st["Sid"]: st for st in doc(inputs(_replica(prod, "aws:iam/rolePolicy:RolePolicy"))["policy"])[
        "Statement"]}
    assert {"s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:GetObjectVersionForReplication"} <= set(
        statements["ReadSourceVersions"]["Action"])
    assert statements["DecryptSourceObjects"]["Condition"]["StringEquals"]["kms:ViaService"] == "s3.us-east-1.amazonaws.com"
    assert statements["EncryptReplicas"]["Condition"]["StringEquals"]["kms:ViaService"] == "s3.us-west-2.amazonaws.com"

    # Access logs of the replica stay in its region, in an unlocked bucket (S3 refuses locked targets).
    logs = _replica(prod, "aws:s3/bucket:Bucket", "-logs")
    logging = _replica(prod, "aws:s3/bucketLogging:BucketLogging")
    assert inputs(logging)["bucket"] == replica.id and inputs(logging)["targetBucket"] == logs.id
    assert "objectLockEnabled" not in inputs(logs) and inputs(logs)["region"] == "us-west-2"


def test_no_replica_outside_prod_unless_asked():
    assert not [r for r in stack_plan("dev").records if REPLICA in r.urn]


def test_prod_needs_a_replica_region_and_a_different_one():
    from components.config.checks import semantic_problems
    from components.config.model import LandingZoneConfig

    base = {"environment": "prod", "cloud": "aws", "tags": {"costCenter": "cc"}}
    problems = [p.path for p in semantic_problems(LandingZoneConfig.model_validate(base))]
    assert "logging.auditReplicaRegion" in problems
    ok = LandingZoneConfig.model_validate({**base, "logging": {"auditReplicaRegion": "us-west-2"}})
    assert "logging.auditReplicaRegion" not in [p.path for p in semantic_problems(ok)]


def test_a_replica_in_the_home_region_stops_the_plan():
    from lz.testing import plan_config

    config = {"aws:region": "us-east-1", "ai-landing-zone:environment": "prod", "ai-landing-zone:cloud": "aws",
              "ai-landing-zone:tags": {"costCenter": "cc"},
              "ai-landing-zone:network": {"zones": ["us-east-1a", "us-east-1b"]},
              "ai-landing-zone:logging": {"auditReplicaRegion": "us-east-1"}}
    result = plan_config(config, stack="same-region", policy=False)
    assert result.exit_code == 2
    assert "ai-landing-zone:logging.auditReplicaRegion: must differ from aws:region (us-east-1)" in result.run.error
