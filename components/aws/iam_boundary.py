"""The permission boundary every landing-zone role carries, and the roles that exist before the cluster.

A boundary is a ceiling, not a grant: a role can do only what both its own policies and the boundary
allow. Ours allows only the services a GPU cluster's roles use (the EKS control plane, nodes, the VPC
CNI, the CSI drivers, flow-log delivery and team workloads reading and writing S3), so IAM, STS role
chaining, CloudTrail and everything else are out of reach whatever a role is later granted. Inside those
services it explicitly denies what would let a compromised workload widen its reach or destroy
evidence: key deletion or key-policy edits, bucket policy / public-access / object-lock changes, log
and flow-log deletion, cluster deletion or access changes. The service-level wildcards live only here,
where they cap; the policies that grant are scoped to named actions and resources.

`bounded_role` is the one way this package creates an IAM role, so the boundary cannot be forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .common import AwsContext, Statement, policy, service_trust

# Services the landing zone's roles need, capped by service (a boundary grants nothing by itself).
BOUNDARY_ALLOWED_SERVICES = (
    "ec2", "elasticloadbalancing", "autoscaling", "eks", "eks-auth", "ecr", "ssm", "ssmmessages",
    "ec2messages", "s3", "kms", "logs", "elasticfilesystem", "secretsmanager",
)

# Actions inside the allowed services that no landing-zone role may take, whatever a later policy
# attached to it says. (IAM, STS, CloudTrail, FSx... are outside the ceiling, so already denied.)
BOUNDARY_DENIED_ACTIONS = (
    "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateKey", "kms:DeleteAlias",
    "kms:UpdateAlias",
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock", "s3:PutBucketObjectLockConfiguration", "s3:BypassGovernanceRetention",
    "s3:PutBucketOwnershipControls", "s3:PutBucketAcl", "s3:PutEncryptionConfiguration", "s3:DeleteBucket",
    "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketLogging",
    "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey",
    "ec2:DeleteFlowLogs", "ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection",
    "ec2:AttachInternetGateway", "ec2:CreateInternetGateway",
    "eks:DeleteCluster", "eks:UpdateClusterConfig", "eks:CreateAccessEntry", "eks:AssociateAccessPolicy",
    "elasticfilesystem:DeleteFileSystem",
    # A secret's resource policy could open it to other principals than the team's prefix-scoped roles.
    "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
    "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", "ecr:PutRegistryPolicy",
    "ecr:PutImageTagMutability",
)

# The AWS-managed policies a node needs (CNI permissions go to the aws-node service account via IRSA).
NODE_MANAGED_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
)


def boundary_document() -> dict[str, Any]:
    return policy([
        {"Sid": "CeilingForLandingZoneRoles", "Effect": "Allow",
         "Action": [f"{service}:*" for service in BOUNDARY_ALLOWED_SERVICES], "Resource": "*"},
        # Service-linked roles for ELB / autoscaling are created by the control plane on first use.
        {"Sid": "ServiceLinkedRolesOnly", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": "*", "Condition": {"StringLike": {"iam:AWSServiceName": [
             "elasticloadbalancing.amazonaws.com", "autoscaling.amazonaws.com"]}}},
        {"Sid": "NoPrivilegeOrEvidenceChanges", "Effect": "Deny", "Action": list(BOUNDARY_DENIED_ACTIONS),
         "Resource": "*"},
    ])


def irsa_trust_policy(provider_arn: str, issuer: str, subjects: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Trust for IAM Roles for Service Accounts: this cluster's OIDC provider, these ServiceAccounts only.

    `issuer` is the provider URL without scheme (oidc.eks.<region>.amazonaws.com/id/<ID>); `subjects`
    are (namespace, service account) pairs.
    """
    if not subjects:
        raise ValueError("an IRSA role needs at least one (namespace, service account) subject")
    issuer = issuer.removeprefix("https://")
    subs = [f"system:serviceaccount:{ns}:{sa}" for ns, sa in subjects]
    return policy([{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{issuer}:sub": subs[0] if len(subs) == 1 else subs,
            f"{issuer}:aud": "sts.amazonaws.com",
        }},
    }])


@dataclass(frozen=True)
class RolePolicy:
    """A customer-managed policy attached to one role: `statements` may hold Outputs."""

    suffix: str
    statements: Sequence[Statement]
    description: str = ""


@dataclass
class BoundedRole:
    role: aws.iam.Role
    attachments: list[pulumi.Resource] = field(default_factory=list)

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.role.arn


def bounded_role(
    name: str,
    *,
    context: AwsContext,
    boundary_arn: pulumi.Input[str],
    trust: pulumi.Input[str],
    description: str,
    managed_policies: Sequence[str] = (),
    policies: Sequence[RolePolicy] = (),
    parent: pulumi.Resource,
    extra_tags: Mapping[str, str] | None = None,
) -> BoundedRole:
    """An IAM role with the landing-zone boundary, AWS-managed policies by name, and scoped policies.

    Policies are attached with `RolePolicyAttachment` only (never inline on the role as well), so one
    mechanism owns the role's permissions.
    """
    ctx = context
    role = aws.iam.Role(
        name, assume_role_policy=trust, description=description, permissions_boundary=boundary_arn,
        max_session_duration=3600, tags=ctx.tagged(**(extra_tags or {})),
        opts=pulumi.ResourceOptions(parent=parent))
    out = BoundedRole(role)
    for managed in managed_policies:
        out.attachments.append(aws.iam.RolePolicyAttachment(
            f"{name}-{managed}", role=role.name, policy_arn=ctx.managed_policy(managed),
            opts=pulumi.ResourceOptions(parent=parent)))
    for extra in policies:
        doc = aws.iam.Policy(
            f"{name}-{extra.suffix}", description=extra.description or f"{name}: {extra.suffix}",
            policy=pulumi.Output.json_dumps(policy(list(extra.statements))), tags=ctx.tagged(),
            opts=pulumi.ResourceOptions(parent=parent))
        out.attachments.append(aws.iam.RolePolicyAttachment(
            f"{name}-{extra.suffix}", role=role.name, policy_arn=doc.arn, opts=pulumi.ResourceOptions(parent=parent)))
    return out


@dataclass(frozen=True)
class IamBoundaryArgs:
    context: AwsContext
    eks_key_arn: pulumi.Input[str]
    flow_log_group_name: str


class IamBoundary(pulumi.ComponentResource):
    """The boundary policy, and the roles needed before the cluster exists: cluster, nodes, flow logs."""

    def __init__(self, name: str, args: IamBoundaryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:IamBoundary", name, None, opts)
        ctx = args.context
        self.boundary = aws.iam.Policy(
            f"{name}-boundary", name=f"{ctx.prefix}-boundary",
            description="Permission boundary for every role the AI landing zone creates",
            policy=json.dumps(boundary_document()), tags=ctx.tagged(), opts=pulumi.ResourceOptions(parent=self))
        self.boundary_arn = self.boundary.arn

        def role(suffix: str, **kwargs: Any) -> BoundedRole:
            return bounded_role(f"{name}-{suffix}", context=ctx, boundary_arn=self.boundary_arn, parent=self, **kwargs)

        self.cluster = role(
            "cluster", trust=json.dumps(service_trust("eks.amazonaws.com")),
            description="EKS control plane", managed_policies=["AmazonEKSClusterPolicy"],
            policies=[RolePolicy("secrets-key", [{
                "Sid": "EnvelopeEncryptionOfSecrets", "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                "Resource": args.eks_key_arn}], "KMS envelope encryption of Kubernetes secrets")])
        self.node = role(
            "node", trust=json.dumps(service_trust("ec2.amazonaws.com")),
            description="EKS nodes (CNI permissions are on the aws-node service account)",
            managed_policies=list(NODE_MANAGED_POLICIES))
        group_arn = ctx.arn("logs", f"log-group:{args.flow_log_group_name}")
        self.flow_logs = role(
            "flow-logs", trust=json.dumps(service_trust("vpc-flow-logs.amazonaws.com", source_account=ctx.account_id)),
            description="VPC flow-log delivery to CloudWatch Logs",
            policies=[RolePolicy("deliver", [
                {"Sid": "WriteFlowLogs", "Effect": "Allow",
                 "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                 "Resource": [group_arn, f"{group_arn}:*"]},
                {"Sid": "FindTheGroup", "Effect": "Allow", "Action": "logs:DescribeLogGroups",
                 "Resource": ctx.arn("logs", "log-group:*")},
            ], "VPC flow logs to their own log group")])
        self.register_outputs({
            "boundaryArn": self.boundary_arn,
            "clusterRoleArn": self.cluster.arn,
            "nodeRoleArn": self.node.arn,
            "flowLogRoleArn": self.flow_logs.arn,
        })
