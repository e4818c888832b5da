"""One customer-managed KMS key per purpose, each with a key policy scoped to who needs it.

Every key lets the account administer it (the root statement is what lets IAM policies grant use at
all; without it a key can become unmanageable). Service principals get only the operations they use,
pinned to our account and to the resources they act for by encryption-context or source conditions.

- `eks`: envelope encryption of Kubernetes secrets; the cluster role gets use through IAM.
- `storage`: S3 buckets, FSx for Lustre, EFS; workloads get use through IAM (via S3 only).
- `logs`: CloudWatch log groups (cluster, flow logs), CloudTrail, S3 server access logs.
- `ebs`: node root volumes and EBS CSI volumes; the Auto Scaling service-linked role launches nodes
  with it, so it must be in the key policy (an IAM grant cannot reach a service-linked role).
- `registry`: the teams' ECR repositories (ECR creates its own grant on the key when a repository is
  created, through the creator's kms:CreateGrant; pullers need no key permission).
- `secrets`: the teams' Secrets Manager secrets; team roles decrypt through Secrets Manager only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .common import AwsContext, Statement, policy

PURPOSES = ("eks", "storage", "logs", "ebs", "registry", "secrets")


def _admin(ctx: AwsContext) -> Statement:
    return {"Sid": "AccountAdministration", "Effect": "Allow", "Principal": {"AWS": ctx.root_arn},
            "Action": "kms:*", "Resource": "*"}


def logs_key_statements(ctx: AwsContext, trail_name: str | None) -> list[Statement]:
    statements: list[Statement] = [
        {
            "Sid": "CloudWatchLogsInThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{ctx.region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "log-group:*")}},
        },
        {
            "Sid": "S3ServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
        },
    ]
    if trail_name:
        trail_arn = ctx.arn("cloudtrail", f"trail/{trail_name}")
        statements += [
            {
                "Sid": "CloudTrailEncryptLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                   f"arn:{ctx.partition}:cloudtrail:*:{ctx.account_id}:trail/*"},
                },
            },
            {
                "Sid": "CloudTrailDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
        ]
    return statements


def ebs_key_statements(ctx: AwsContext) -> list[Statement]:
    autoscaling = (f"arn:{ctx.partition}:iam::{ctx.account_id}:role/aws-service-role/"
                   "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
    return [
        {
            "Sid": "AutoScalingLaunchesEncryptedNodes",
            "Effect": "Allow",
            "Principal": {"AWS": autoscaling},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
        },
        {
            "Sid": "AutoScalingAttachesEncryptedVolumes",
            "Effect": "Allow",
            "Principal": {"AWS": autoscaling},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


def key_policy(ctx: AwsContext, purpose: str, *, trail_name: str | None = None) -> dict:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}; known: {', '.join(PURPOSES)}")
    extra: list[Statement] = []
    if purpose == "logs":
        extra = logs_key_statements(ctx, trail_name)
    elif purpose == "ebs":
        extra = ebs_key_statements(ctx)
    return policy([_admin(ctx), *extra])


@dataclass(frozen=True)
class KmsKeysArgs:
    context: AwsContext
    trail_name: str | None = None      # the CloudTrail trail that may use the logs key


class KmsKeys(pulumi.ComponentResource):
    """The landing zone's customer-managed keys, with yearly rotation and an alias each."""

    def __init__(self, name: str, args: KmsKeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:KmsKeys", name, None, opts)
        ctx = args.context
        self.keys: dict[str, aws.kms.Key] = {}
        for purpose in PURPOSES:
            key = aws.kms.Key(
                f"{name}-{purpose}",
                description=f"{ctx.prefix}: {purpose}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=pulumi.Output.json_dumps(key_policy(ctx, purpose, trail_name=args.trail_name)),
                tags=ctx.tagged(f"{ctx.prefix}-{purpose}", purpose=purpose),
                opts=ctx.stateful(self),
            )
            aws.kms.Alias(f"{name}-{purpose}", name=f"alias/{ctx.prefix}-{purpose}", target_key_id=key.key_id,
                          opts=pulumi.ResourceOptions(parent=self))
            self.keys[purpose] = key
        self.eks, self.storage, self.logs, self.ebs, self.registry, self.secrets = (self.keys[p] for p in PURPOSES)
        self.register_outputs({f"{p}KeyArn": k.arn for p, k in self.keys.items()})
