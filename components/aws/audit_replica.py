"""A copy of CloudTrail's bucket in a second region (S3 Cross-Region Replication).

The trail is multi-region, but its bucket lives in one: losing that region (or the bucket) would lose
the audit evidence. Replication copies every object version, with its Object Lock retention, to a
bucket in `logging.auditReplicaRegion` (Amazon S3 User Guide, "Replicating objects" and "Using S3
Object Lock with replication"). What the sources require, and where it is done here:

- Both buckets versioned; the replica bucket has Object Lock enabled at creation when the source has
  it (a replica of a locked object needs a lock-enabled destination; enabling lock on an existing
  bucket is what needs AWS Support - ours are new, so no token is involved).
- The replication role may read the source versions with their retention and legal hold
  (`s3:GetObjectVersionForReplication`, `s3:GetObjectRetention`, `s3:GetObjectLegalHold`, ...) and
  replicate into the destination; SSE-KMS sources are opted in with `sseKmsEncryptedObjects` and
  re-encrypted with a key in the replica region (`replicaKmsKeyId`), the role holding `kms:Decrypt`
  on the source key and `kms:Encrypt` on the replica key through S3 only ("Replicating objects
  created with server-side encryption (SSE) using AWS KMS"). With bucket keys the replica key's policy
  must let the role decrypt too ("Amazon S3 Bucket Keys and replication").
- Delete markers are not replicated: a delete in the home region never hides evidence in the copy.

The replica bucket is an ordinary bucket of ours in every other way (public-access block, no ACLs,
TLS-only policy, lifecycle), and its server access logs go to a log bucket in the same region, because
S3 delivers access logs only within a region and never into a bucket with Object Lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.model import BucketPolicy

from .common import AwsContext, Statement, policy, policy_json, service_trust, tls_only_statement
from .config_checks import audit_replica_problems
from .iam_boundary import bounded_role
from .tiered_storage import BucketSpec, access_log_delivery_statement, secure_bucket

REPLICATION_SOURCE_ACTIONS = ("s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                              "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold")
REPLICATION_DESTINATION_ACTIONS = ("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags")


def replication_statements(source_bucket_arn: pulumi.Input[str], replica_bucket_arn: pulumi.Input[str],
                           source_key_arn: pulumi.Input[str], replica_key_arn: pulumi.Input[str],
                           source_region: str, replica_region: str) -> list[Statement]:
    """The replication role's permissions (S3 User Guide, "Setting up permissions" and the SSE-KMS page)."""
    def objects(arn: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat(arn, "/*")

    return [
        {"Sid": "ReadReplicationConfiguration", "Effect": "Allow",
         "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": source_bucket_arn},
        {"Sid": "ReadSourceVersions", "Effect": "Allow", "Action": list(REPLICATION_SOURCE_ACTIONS),
         "Resource": objects(source_bucket_arn)},
        {"Sid": "WriteReplicas", "Effect": "Allow", "Action": list(REPLICATION_DESTINATION_ACTIONS),
         "Resource": objects(replica_bucket_arn)},
        {"Sid": "DecryptSourceObjects", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": source_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{source_region}.amazonaws.com"},
                       "StringLike": {"kms:EncryptionContext:aws:s3:arn": [source_bucket_arn,
                                                                           objects(source_bucket_arn)]}}},
        {"Sid": "EncryptReplicas", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt",
                                                                 "kms:GenerateDataKey"],
         "Resource": replica_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{replica_region}.amazonaws.com"},
                       "StringLike": {"kms:EncryptionContext:aws:s3:arn": [replica_bucket_arn,
                                                                           objects(replica_bucket_arn)]}}},
    ]


def replica_key_policy(ctx: AwsContext, role_arn: pulumi.Input[str]) -> dict:
    """Account administration, the replication role (bucket keys: the key policy itself must allow it),
    and S3 server access log delivery into the replica region's log bucket."""
    return policy([
        {"Sid": "AccountAdministration", "Effect": "Allow", "Principal": {"AWS": ctx.root_arn},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "ReplicationRoleEncryptsReplicas", "Effect": "Allow", "Principal": {"AWS": role_arn},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"},
        {"Sid": "S3ServerAccessLogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}}},
    ])


@dataclass(frozen=True)
class AuditReplicaArgs:
    context: AwsContext
    replica_region: str
    source_bucket: aws.s3.Bucket
    source_versioning: pulumi.Resource            # replication needs a versioned source first
    source_key_arn: pulumi.Input[str]             # the logs key CloudTrail encrypts with
    boundary_arn: pulumi.Input[str]
    lifecycle: BucketPolicy                       # the logs policy, as for the source
    object_lock: bool
    lock_days: int


class AuditReplica(pulumi.ComponentResource):
    """`lz:aws:AuditReplica`: `.bucket` in the replica region, `.replication` on the source."""

    def __init__(self, name: str, args: AuditReplicaArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:AuditReplica", name, None, opts)
        ctx, region = args.context, args.replica_region
        # The config pipeline refuses a replica in the stack file's aws:region (config_checks); this guards a
        # region the provider took from the environment (AWS_REGION, a profile), which no stack file shows.
        for problem in audit_replica_problems(region, ctx.region):
            raise pulumi.RunError(problem.render("the AWS provider's region"))
        child = pulumi.ResourceOptions(parent=self)

        self.role = bounded_role(
            f"{name}-replication", context=ctx, boundary_arn=args.boundary_arn,
            trust=json.dumps(service_trust("s3.amazonaws.com", source_account=ctx.account_id)),
            description=f"S3 replication of the audit bucket to {region}", parent=self)
        self.key = aws.kms.Key(
            f"{name}-key", region=region, description=f"{ctx.prefix}: audit replica ({region})",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(replica_key_policy(ctx, self.role.arn)),
            tags=ctx.tagged(f"{ctx.prefix}-audit-replica", purpose="audit-replica"), opts=ctx.stateful(self))
        aws.kms.Alias(f"{name}-key", name=f"alias/{ctx.prefix}-audit-replica", target_key_id=self.key.key_id,
                      region=region, opts=child)

        logs_spec = BucketSpec("audit-replica-logs", "logs", versioned=True, object_lock=False,
                               lifecycle=args.lifecycle, access_logged=False)
        replica_spec = BucketSpec("audit-replica", "logs", versioned=True, object_lock=args.object_lock,
                                  lifecycle=args.lifecycle, lock_days=args.lock_days)
        logs = secure_bucket(self, ctx, f"{name}-logs", logs_spec, self.key.arn, args.lock_days, region=region)
        replica = secure_bucket(self, ctx, f"{name}-bucket", replica_spec, self.key.arn, args.lock_days,
                                region=region)
        self.bucket = replica.bucket

        logs_policy = aws.s3.BucketPolicy(
            f"{name}-logs", bucket=logs.bucket.id, region=region,
            policy=policy_json([tls_only_statement(logs.bucket.arn),
                                access_log_delivery_statement(ctx, logs.bucket.arn, [replica.bucket.arn])]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs.public_access_block]))
        aws.s3.BucketPolicy(
            f"{name}-bucket", bucket=replica.bucket.id, region=region,
            policy=policy_json([tls_only_statement(replica.bucket.arn)]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[replica.public_access_block]))
        aws.s3.BucketLogging(
            f"{name}-bucket", bucket=replica.bucket.id, target_bucket=logs.bucket.id, target_prefix="audit-replica/",
            region=region, opts=pulumi.ResourceOptions(parent=self, depends_on=[logs_policy]))

        grants = aws.iam.RolePolicy(
            f"{name}-replication", role=self.role.role.id,
            policy=policy_json(replication_statements(
                args.source_bucket.arn, replica.bucket.arn, args.source_key_arn, self.key.arn, ctx.region, region)),
            opts=child)
        self.replication = aws.s3.BucketReplicationConfig(
            f"{name}-replication", bucket=args.source_bucket.id, role=self.role.arn,
            rules=[aws.s3.BucketReplicationConfigRuleArgs(
                id="audit-to-second-region", status="Enabled", priority=1,
                filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                    status="Disabled"),
                source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                    sse_kms_encrypted_objects=(
                        aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"))),
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                    bucket=replica.bucket.arn, storage_class="STANDARD",
                    encryption_configuration=(
                        aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=self.key.arn))))],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.source_versioning, grants,
                                                                 *([replica.versioning] if replica.versioning else [])]))
        self.register_outputs({"replicaBucket": replica.bucket.bucket, "replicaRegion": region})
