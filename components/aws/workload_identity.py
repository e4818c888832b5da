"""IRSA roles for the cluster add-ons and for each team, and the teams' EKS access entries.

Each role trusts only this cluster's OIDC provider and only the named ServiceAccount, carries the
landing-zone boundary, and is granted named actions on named resources:

- `vpc-cni` (kube-system/aws-node): the CNI's ENI management, off the node role, so a pod that
  reaches instance metadata does not inherit it.
- `ebs-csi` / `efs-csi`: the drivers' AWS-managed policies, plus use of the EBS key for volumes.
- one role per team, trusted by the team's workload ServiceAccount exactly as the Kubernetes layer
  names it (`team_service_account`, which asks `components.k8s.manifests`, the one place that
  decides those names, shared with GCP's Workload Identity): read/write under `<team>/` in the datasets, checkpoints and artifacts
  buckets, and the storage key through S3 only. The same role is the team's EKS access entry with
  the Edit policy scoped to the team's namespace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.model import Team
from components.k8s import manifests as k8s_names
from components.names import TEAM_BUCKETS

from .common import AwsContext, Statement
from .iam_boundary import BoundedRole, RolePolicy, bounded_role, irsa_trust_policy

ADDON_SERVICE_ACCOUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "vpc-cni": (("kube-system", "aws-node"),),
    "ebs-csi": (("kube-system", "ebs-csi-controller-sa"),),
    "efs-csi": (("kube-system", "efs-csi-controller-sa"), ("kube-system", "efs-csi-node-sa")),
}
ADDON_MANAGED_POLICIES = {
    "vpc-cni": ("AmazonEKS_CNI_Policy",),
    "ebs-csi": ("service-role/AmazonEBSCSIDriverPolicy",),
    "efs-csi": ("service-role/AmazonEFSCSIDriverPolicy",),
}
TEAM_ACCESS_POLICY = "AmazonEKSEditPolicy"


def team_service_account(team: Team) -> tuple[str, str]:
    """(namespace, ServiceAccount) whose pods act as the team's IAM role; the Kubernetes layer creates them."""
    return k8s_names.team_namespace(team), k8s_names.team_service_account(team)


def team_storage_statements(team: str, bucket_arns: Mapping[str, pulumi.Input[str]],
                            storage_key_arn: pulumi.Input[str], region: str) -> list[Statement]:
    """Object access under `<team>/` in each team bucket, listing limited to that prefix."""
    arns = [bucket_arns[b] for b in TEAM_BUCKETS]
    return [
        {"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": arns,
         "Condition": {"StringLike": {"s3:prefix": [f"{team}/", f"{team}/*"]}}},
        {"Sid": "ReadWriteOwnPrefix", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
                    "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
         "Resource": [pulumi.Output.concat(arn, f"/{team}/*") for arn in arns]},
        {"Sid": "StorageKeyViaS3", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": storage_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}},
    ]


def ebs_key_statements(ebs_key_arn: pulumi.Input[str]) -> list[Statement]:
    """What the EBS CSI driver needs to create and attach volumes encrypted with our key."""
    return [
        {"Sid": "UseEbsKey", "Effect": "Allow",
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": ebs_key_arn},
        {"Sid": "GrantEbsKeyToEc2", "Effect": "Allow",
         "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": ebs_key_arn,
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]


@dataclass(frozen=True)
class WorkloadIdentityArgs:
    context: AwsContext
    boundary_arn: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]               # without https://
    teams: Sequence[Team]
    bucket_arns: Mapping[str, pulumi.Input[str]]
    storage_key_arn: pulumi.Input[str]
    ebs_key_arn: pulumi.Input[str]


class WorkloadIdentity(pulumi.ComponentResource):
    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:WorkloadIdentity", name, None, opts)
        ctx = args.context

        def trust(subjects: Sequence[tuple[str, str]]) -> pulumi.Output[str]:
            return pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: json.dumps(irsa_trust_policy(v[0], v[1], subjects)))

        self.addon_roles: dict[str, BoundedRole] = {}
        for addon, subjects in ADDON_SERVICE_ACCOUNTS.items():
            extra = [RolePolicy("ebs-key", ebs_key_statements(args.ebs_key_arn), "EBS CSI: the EBS key")] \
                if addon == "ebs-csi" else []
            self.addon_roles[addon] = bounded_role(
                f"{name}-{addon}", context=ctx, boundary_arn=args.boundary_arn, trust=trust(subjects),
                description=f"IRSA for the {addon} add-on", managed_policies=ADDON_MANAGED_POLICIES[addon],
                policies=extra, parent=self)

        self.team_roles: dict[str, BoundedRole] = {}
        for team in args.teams:
            if team.managed_by == "workspace":
                continue  # its team-workspace project creates the team's role and access entry
            namespace, service_account = team_service_account(team)
            role = bounded_role(
                f"{name}-team-{team.name}", context=ctx, boundary_arn=args.boundary_arn,
                trust=trust([(namespace, service_account)]),
                description=f"Workloads of team {team.name} ({namespace}/{service_account})",
                policies=[RolePolicy("storage", team_storage_statements(
                    team.name, args.bucket_arns, args.storage_key_arn, ctx.region), f"{team.name}: own prefixes")],
                parent=self, extra_tags={"team": team.name, "cost-center": team.cost_center})
            entry = aws.eks.AccessEntry(
                f"{name}-team-{team.name}", cluster_name=args.cluster_name, principal_arn=role.arn,
                type="STANDARD", tags=ctx.tagged(team=team.name, **{"cost-center": team.cost_center}),
                opts=pulumi.ResourceOptions(parent=self))
            aws.eks.AccessPolicyAssociation(
                f"{name}-team-{team.name}", cluster_name=args.cluster_name, principal_arn=role.arn,
                policy_arn=f"arn:{ctx.partition}:eks::aws:cluster-access-policy/{TEAM_ACCESS_POLICY}",
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="namespace", namespaces=[namespace]),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]))
            self.team_roles[team.name] = role

        self.register_outputs({
            **{f"{addon}RoleArn": r.arn for addon, r in self.addon_roles.items()},
            "teamRoleArns": {team: r.arn for team, r in self.team_roles.items()},
        })
