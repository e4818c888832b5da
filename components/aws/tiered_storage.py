"""Object, file and block storage for GPU work, encrypted with the landing zone's keys.

Objects (S3), one bucket per purpose so that lifecycle, versioning and retention fit the data:
- `datasets`: large, re-read, rarely rewritten: to Standard-IA, then Glacier Instant Retrieval
  (never a restore-before-read class: a training job cannot wait hours for its shards).
- `checkpoints`: versioned, so an overwritten checkpoint can be recovered; old versions expire.
- `artifacts`: versioned; object lock (governance mode) when `storage.objects.objectLock` (prod).
- `logs`: the S3 server access logs of all the others. S3 cannot deliver access logs into a bucket
  with a default object-lock retention, so this bucket is never locked.
- `audit` (when `logging.auditTrail`): CloudTrail's files; object lock in prod.
Every bucket is versioned (a deleted or overwritten dataset shard or log is recoverable until its
noncurrent version expires). Under object lock, noncurrent versions are kept at least as long as the
lock: S3 lifecycle cannot delete a version before its retention ends, so a shorter expiration would be
a rule that never acts; the lock length is what the bucket keeps (`noncurrent_days`).
Every bucket: SSE-KMS with bucket keys, all four public-access blocks, BucketOwnerEnforced (no
ACLs), a TLS-only bucket policy and access logging into `logs`.

File (`storage.file.kind`): FSx for Lustre PERSISTENT_2 in the GPU pools' zone, linked to the
datasets bucket by an import-only data repository association (no auto-export: a team's deletes on
the shared file system must not reach another team's S3 prefix); or EFS. EFS (elastic throughput) also serves
shared home directories when `storage.sharedHomes`.

Block: a typed storage-class description for the Kubernetes layer (gp3 or io2, encrypted with the
EBS key).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config.model import BucketPolicy, ObjectTier, StorageConfig
from components.config.support import FSX_LUSTRE_TIERS
from components.platform_inputs import FileTierHandle
from components.storage_advisor import (
    FSX_FIRST_GIB,
    FSX_STEP_GIB,
    fsx_capacity_for,
    lustre_supply_mbps,
    size_lustre,
)

from .common import AwsContext, Statement, policy_json, tls_only_statement

# --------------------------------------------------------------------------------------- buckets

ABORT_INCOMPLETE_UPLOADS_DAYS = 7   # failed checkpoint uploads otherwise bill forever (CKV_AWS_300)


@dataclass(frozen=True)
class BucketSpec:
    purpose: str
    key: str                      # "storage" | "logs": which KMS key encrypts it
    versioned: bool
    object_lock: bool
    lifecycle: BucketPolicy
    access_logged: bool = True    # into the logs bucket (all but the logs bucket itself)
    lock_days: int = 0            # default object-lock retention, when object_lock

    @property
    def noncurrent_days(self) -> int | None:
        """Noncurrent-version expiration: the configured days, never shorter than the object lock."""
        days = self.lifecycle.noncurrent_version_expiration_days
        if not self.versioned or days is None:
            return None
        return max(days, self.lock_days) if self.object_lock else days


def bucket_specs(objects: ObjectTier, *, object_lock: bool, audit_trail: bool) -> list[BucketSpec]:
    lock = objects.object_lock_days
    specs = [
        BucketSpec("datasets", "storage", versioned=True, object_lock=False, lifecycle=objects.datasets),
        BucketSpec("checkpoints", "storage", versioned=True, object_lock=False, lifecycle=objects.checkpoints),
        BucketSpec("artifacts", "storage", versioned=True, object_lock=object_lock, lifecycle=objects.artifacts,
                   lock_days=lock),
        BucketSpec("logs", "logs", versioned=True, object_lock=False, lifecycle=objects.logs, access_logged=False),
    ]
    if audit_trail:
        specs.append(BucketSpec("audit", "logs", versioned=True, object_lock=object_lock, lifecycle=objects.logs,
                                lock_days=lock))
    return specs


def lifecycle_rules(spec: BucketSpec) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    """One whole-bucket rule from the purpose's BucketPolicy, always aborting stale multipart uploads."""
    p = spec.lifecycle
    transitions = []
    if p.transition_to_infrequent_days:
        transitions.append(aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
            days=p.transition_to_infrequent_days, storage_class="STANDARD_IA"))
    if p.transition_to_archive_days:
        transitions.append(aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
            days=p.transition_to_archive_days, storage_class="GLACIER_IR"))
    noncurrent = None
    if spec.noncurrent_days:
        noncurrent = aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=spec.noncurrent_days)
    expiration = (aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=p.expiration_days)
                  if p.expiration_days else None)
    return [aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=f"{spec.purpose}-lifecycle",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        transitions=transitions or None,
        noncurrent_version_expiration=noncurrent,
        expiration=expiration,
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=ABORT_INCOMPLETE_UPLOADS_DAYS),
    )]


def cloudtrail_bucket_statements(ctx: AwsContext, bucket_arn: pulumi.Input[str], trail_name: str) -> list[Statement]:
    """What CloudTrail needs on its bucket (the trail ARN is known before the trail exists)."""
    trail_arn = ctx.arn("cloudtrail", f"trail/{trail_name}")
    return [
        {"Sid": "CloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn,
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Sid": "CloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject",
         "Resource": pulumi.Output.concat(bucket_arn, f"/AWSLogs/{ctx.account_id}/*"),
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}},
    ]


def access_log_delivery_statement(ctx: AwsContext, logs_bucket_arn: pulumi.Input[str],
                                  source_bucket_arns: Sequence[pulumi.Input[str]]) -> Statement:
    return {
        "Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": pulumi.Output.concat(logs_bucket_arn, "/*"),
        "Condition": {"ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
                      "StringEquals": {"aws:SourceAccount": ctx.account_id}},
    }


@dataclass(frozen=True)
class SecureBucket:
    bucket: aws.s3.Bucket
    public_access_block: aws.s3.BucketPublicAccessBlock
    versioning: aws.s3.BucketVersioning | None


def secure_bucket(parent: pulumi.Resource, ctx: AwsContext, rn: str, spec: BucketSpec, key_arn: pulumi.Input[str],
                  lock_days: int, *, region: str | None = None) -> SecureBucket:
    """A bucket and the companions every bucket of ours has: public-access block, BucketOwnerEnforced,
    SSE-KMS with a bucket key, versioning, lifecycle, and object lock when `spec.object_lock`. `region`
    places all of them in another region (pulumi-aws v7 resources take a `region` argument)."""
    bucket = aws.s3.Bucket(
        rn, object_lock_enabled=spec.object_lock or None, force_destroy=False, region=region,
        tags=ctx.tagged(purpose=spec.purpose), opts=ctx.stateful(parent))
    child = pulumi.ResourceOptions(parent=parent)
    public_access_block = aws.s3.BucketPublicAccessBlock(
        rn, bucket=bucket.id, block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
        restrict_public_buckets=True, region=region, opts=child)
    aws.s3.BucketOwnershipControls(
        rn, bucket=bucket.id, region=region,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"), opts=child)
    aws.s3.BucketServerSideEncryptionConfiguration(
        rn, bucket=bucket.id, region=region,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=(
                aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key_arn)),
            # Bucket keys cut KMS request costs (by up to 99 %, per AWS) on many-shard datasets.
            bucket_key_enabled=True)],
        opts=child)
    versioning = None
    if spec.versioned:
        versioning = aws.s3.BucketVersioning(
            rn, bucket=bucket.id, region=region,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child)
    after_versioning = pulumi.ResourceOptions(parent=parent, depends_on=[versioning] if versioning else None)
    aws.s3.BucketLifecycleConfiguration(rn, bucket=bucket.id, rules=lifecycle_rules(spec), region=region,
                                        opts=after_versioning)
    if spec.object_lock:
        aws.s3.BucketObjectLockConfiguration(
            rn, bucket=bucket.id, region=region,
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode="GOVERNANCE", days=lock_days)),
            opts=after_versioning)
    return SecureBucket(bucket, public_access_block, versioning)


# --------------------------------------------------------------------------------------- file tier

# A configured capacity without a configured tier gets this one (twice the entry tier's throughput).
DEFAULT_LUSTRE_THROUGHPUT = 250
LUSTRE_PORTS = ((988, 988), (1018, 1023))


def _ports(lo: int, hi: int) -> str:
    return f"port {lo}" if lo == hi else f"ports {lo}-{hi}"


@dataclass(frozen=True)
class LustreSize:
    capacity_gib: int
    throughput_mbps_per_tib: int
    note: str = ""

    @property
    def aggregate_mbps(self) -> float:
        return lustre_supply_mbps(self.capacity_gib, self.throughput_mbps_per_tib)


def lustre_size(capacity_gib: int | None, throughput_mbps_per_tib: int | None, *, demand_mbps: float,
                prices: Mapping[int, float | None]) -> LustreSize:
    """A valid PERSISTENT_2 size (1,200 GiB or a multiple of 2,400 GiB) and tier.

    Configured values win (capacity rounded up to a valid size). Without a capacity the storage advisor
    sizes for `demand_mbps`, what the training pools read at max scale: at the configured tier, or at the
    cheapest tier that delivers it. No training pools (demand 0) gives the smallest file system.
    """
    if throughput_mbps_per_tib is not None and throughput_mbps_per_tib not in FSX_LUSTRE_TIERS:
        raise ValueError(f"Lustre PERSISTENT_2 throughput must be one of {FSX_LUSTRE_TIERS} MB/s/TiB, "
                         f"got {throughput_mbps_per_tib}")
    if capacity_gib is not None:
        if capacity_gib < 1:
            raise ValueError(f"Lustre capacity must be positive, got {capacity_gib}")
        tier = throughput_mbps_per_tib or DEFAULT_LUSTRE_THROUGHPUT
        capacity = FSX_FIRST_GIB if capacity_gib <= FSX_FIRST_GIB else math.ceil(capacity_gib / FSX_STEP_GIB) * FSX_STEP_GIB
        return LustreSize(capacity, tier, "configured")
    if throughput_mbps_per_tib is not None:
        capacity = fsx_capacity_for(demand_mbps, throughput_mbps_per_tib)
        return LustreSize(capacity, throughput_mbps_per_tib, f"sized for {demand_mbps:g} MB/s of training reads")
    choice = size_lustre(demand_mbps, prices)
    return LustreSize(choice.capacity_gib, choice.throughput_per_tib, choice.note)


# --------------------------------------------------------------------------------------- component

@dataclass(frozen=True)
class TieredStorageArgs:
    context: AwsContext
    storage: StorageConfig
    object_lock: bool
    storage_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    ebs_key_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    file_subnet_id: pulumi.Input[str]                  # Lustre: the GPU pools' zone
    efs_subnet_ids: Sequence[pulumi.Input[str]]        # EFS: one mount target per zone
    s3_prefix_list_id: pulumi.Input[str]               # Lustre data repository traffic to S3
    lustre_demand_mbps: float = 0.0                    # training reads at max scale (storage advisor)
    lustre_prices: Mapping[int, float | None] = field(default_factory=dict)   # USD per GiB-month by tier
    trail_name: str | None = None                      # audit bucket for this CloudTrail trail


class TieredStorage(pulumi.ComponentResource):
    """Buckets by purpose, the file tier (FSx for Lustre / EFS) and the block storage class."""

    def __init__(self, name: str, args: TieredStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:TieredStorage", name, None, opts)
        ctx, cfg = args.context, args.storage
        self._context = ctx
        self._public_access_blocks: dict[str, aws.s3.BucketPublicAccessBlock] = {}
        self.versioning: dict[str, aws.s3.BucketVersioning] = {}
        keys = {"storage": args.storage_key_arn, "logs": args.logs_key_arn}

        self.specs = bucket_specs(cfg.objects, object_lock=args.object_lock, audit_trail=args.trail_name is not None)
        self.buckets: dict[str, aws.s3.Bucket] = {}
        for spec in self.specs:
            self.buckets[spec.purpose] = self._bucket(name, spec, keys[spec.key], cfg.objects.object_lock_days)

        logs = self.buckets["logs"]
        logged = [self.buckets[s.purpose] for s in self.specs if s.access_logged]
        self.policies: dict[str, aws.s3.BucketPolicy] = {}
        for spec in self.specs:
            bucket = self.buckets[spec.purpose]
            statements = [tls_only_statement(bucket.arn)]
            if spec.purpose == "logs":
                statements.append(access_log_delivery_statement(ctx, bucket.arn, [b.arn for b in logged]))
            if spec.purpose == "audit" and args.trail_name:
                statements += cloudtrail_bucket_statements(ctx, bucket.arn, args.trail_name)
            self.policies[spec.purpose] = aws.s3.BucketPolicy(
                f"{name}-{spec.purpose}", bucket=bucket.id, policy=policy_json(statements),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self._public_access_blocks[spec.purpose]]))
        for spec in self.specs:
            if spec.access_logged:
                aws.s3.BucketLogging(
                    f"{name}-{spec.purpose}", bucket=self.buckets[spec.purpose].id, target_bucket=logs.id,
                    target_prefix=f"{spec.purpose}/",
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policies["logs"]]))

        self.file_tier: FileTierHandle | None = None
        self.lustre: aws.fsx.LustreFileSystem | None = None
        self.lustre_size: LustreSize | None = None
        self.efs: aws.efs.FileSystem | None = None
        self.shared_homes: FileTierHandle | None = None
        if cfg.file.kind == "lustre":
            self._lustre(name, args)
        if cfg.file.kind == "efs" or cfg.shared_homes:
            self._efs(name, args)
            self.shared_homes = FileTierHandle(kind="efs", id=self.efs.id, dns_name=self.efs.dns_name)
            if cfg.file.kind == "efs":
                self.file_tier = self.shared_homes

        self.register_outputs({
            **{f"{purpose}Bucket": b.bucket for purpose, b in self.buckets.items()},
            "fileSystemId": self.file_tier.id if self.file_tier else None,
        })

    # ------------------------------------------------------------------ pieces
    def _bucket(self, name: str, spec: BucketSpec, key_arn: pulumi.Input[str], lock_days: int) -> aws.s3.Bucket:
        made = secure_bucket(self, self._context, f"{name}-{spec.purpose}", spec, key_arn, lock_days)
        self._public_access_blocks[spec.purpose] = made.public_access_block
        if made.versioning is not None:
            self.versioning[spec.purpose] = made.versioning
        return made.bucket

    def _lustre(self, name: str, args: TieredStorageArgs) -> None:
        ctx, file_cfg = args.context, args.storage.file
        size = lustre_size(file_cfg.capacity_gib, file_cfg.throughput_mbps_per_tib,
                           demand_mbps=args.lustre_demand_mbps, prices=args.lustre_prices)
        sg = aws.ec2.SecurityGroup(
            f"{name}-lustre", vpc_id=args.vpc_id, description="FSx for Lustre: LNet from the VPC",
            ingress=[aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=lo, to_port=hi, cidr_blocks=[args.vpc_cidr], self=True,
                description=f"Lustre {_ports(lo, hi)} from the VPC") for lo, hi in LUSTRE_PORTS],
            egress=[
                *[aws.ec2.SecurityGroupEgressArgs(
                    protocol="tcp", from_port=lo, to_port=hi, cidr_blocks=[args.vpc_cidr], self=True,
                    description=f"Lustre {_ports(lo, hi)} to clients and peers") for lo, hi in LUSTRE_PORTS],
                aws.ec2.SecurityGroupEgressArgs(
                    protocol="tcp", from_port=443, to_port=443, prefix_list_ids=[args.s3_prefix_list_id],
                    description="Data repository import/export to S3 via the gateway endpoint"),
            ],
            tags=ctx.tagged(f"{ctx.prefix}-lustre"), opts=pulumi.ResourceOptions(parent=self))
        fs = aws.fsx.LustreFileSystem(
            f"{name}-lustre",
            deployment_type="PERSISTENT_2",
            storage_type="SSD",
            storage_capacity=size.capacity_gib,
            per_unit_storage_throughput=size.throughput_mbps_per_tib,
            subnet_ids=args.file_subnet_id,
            security_group_ids=[sg.id],
            kms_key_id=args.storage_key_arn,
            file_system_type_version="2.15",
            data_compression_type="LZ4",
            automatic_backup_retention_days=7 if ctx.protect else 0,
            copy_tags_to_backups=True,
            tags=ctx.tagged(f"{ctx.prefix}-lustre"),
            opts=ctx.stateful(self))
        datasets = self.buckets["datasets"]
        events = ["NEW", "CHANGED", "DELETED"]
        # Import only, never export: every team mounts the whole file system read-write, so an exported
        # delete or overwrite under another team's directory would reach that team's S3 prefix around
        # its prefix-scoped IAM. Lustre is the datasets' read cache and the teams' scratch; what must
        # persist (checkpoints, results) is written to S3 with the team's own IRSA role.
        dra = aws.fsx.DataRepositoryAssociation(
            f"{name}-datasets",
            file_system_id=fs.id,
            file_system_path="/datasets",
            data_repository_path=pulumi.Output.concat("s3://", datasets.bucket),
            batch_import_meta_data_on_create=True,
            s3=aws.fsx.DataRepositoryAssociationS3Args(
                auto_import_policy=(aws.fsx.DataRepositoryAssociationS3AutoImportPolicyArgs(events=events)
                                    if file_cfg.auto_import else None)),
            tags=ctx.tagged(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policies["datasets"]]))
        # FSx reads and writes the SSE-KMS datasets bucket as a service-linked role named after the file
        # system. A key policy cannot name a role before it exists (and the file system needs the key
        # first), so the role gets a grant, limited to this bucket by encryption context (bucket keys
        # put the bucket ARN in the context).
        aws.kms.Grant(
            f"{name}-lustre-s3",
            key_id=args.storage_key_arn,
            grantee_principal=fs.id.apply(lambda fs_id: (
                f"arn:{ctx.partition}:iam::{ctx.account_id}:role/aws-service-role/"
                f"s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_{fs_id}")),
            operations=["Encrypt", "Decrypt", "GenerateDataKey"],
            constraints=[aws.kms.GrantConstraintArgs(encryption_context_subset={"aws:s3:arn": datasets.arn})],
            retire_on_delete=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[dra]))
        self.lustre, self.lustre_size = fs, size
        self.file_tier = FileTierHandle(kind="lustre", id=fs.id, dns_name=fs.dns_name, mount_name=fs.mount_name,
                                        capacity_gib=size.capacity_gib)

    def _efs(self, name: str, args: TieredStorageArgs) -> None:
        ctx = args.context
        sg = aws.ec2.SecurityGroup(
            f"{name}-efs", vpc_id=args.vpc_id, description="EFS: NFS from the VPC",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=2049, to_port=2049,
                                                      cidr_blocks=[args.vpc_cidr], description="NFS from the VPC")],
            egress=[], tags=ctx.tagged(f"{ctx.prefix}-efs"), opts=pulumi.ResourceOptions(parent=self))
        self.efs = aws.efs.FileSystem(
            f"{name}-efs", encrypted=True, kms_key_id=args.storage_key_arn, throughput_mode="elastic",
            performance_mode="generalPurpose",
            lifecycle_policies=[aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia="AFTER_30_DAYS")],
            tags=ctx.tagged(f"{ctx.prefix}-shared"), opts=ctx.stateful(self))
        for i, subnet_id in enumerate(args.efs_subnet_ids):
            aws.efs.MountTarget(f"{name}-efs-{i}", file_system_id=self.efs.id, subnet_id=subnet_id,
                                security_groups=[sg.id], opts=pulumi.ResourceOptions(parent=self))
