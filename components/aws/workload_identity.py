"""IRSA roles for the cluster add-ons and for each team, and the teams' EKS access entries.

Each role trusts only this cluster's OIDC provider and only the named ServiceAccount, carries the
landing-zone boundary, and is granted named actions on named resources:

- `vpc-cni` (kube-system/aws-node): the CNI's ENI management, off the node role, so a pod that
  reaches instance metadata does not inherit it.
- `ebs-csi` / `efs-csi`: the drivers' AWS-managed policies, plus use of the EBS key for volumes.
- one workload role per team, trusted by the team's workload ServiceAccount exactly as the Kubernetes
  layer names it (`components.names.team_namespace` / `team_service_account`, the one place that
  decides those names, shared with GCP's Workload Identity): read/write under `<team>/` in the datasets,
  checkpoints and artifacts buckets, and the storage key through S3 only. It has no EKS access entry:
  pods get no Kubernetes rights through IAM.
- one human role per team that lists `people`: assumable only by those principals (ArnLike on
  `aws:PrincipalArn`, from their own accounts), it is the team's EKS access entry with the Edit policy
  scoped to the team's namespace, may describe the cluster (for `aws eks update-kubeconfig`) and reach
  the same storage prefixes (people upload datasets and read checkpoints).
- secrets: the workload role reads (GetSecretValue, DescribeSecret) only secrets named under the team's
  prefix (`components.registry_upstreams.aws_secret_prefix`), decrypting with the secrets key through
  Secrets Manager only; the people role creates and updates secrets under that prefix, with that key.
  The platform creates the access, never a secret value.
- images: the people role pushes to the team's ECR repository (and the team's `ciPrincipals` through
  the repository policy, components/aws/registries.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.model import Team
from components.k8s.charts import CLUSTER_AUTOSCALER_NAMESPACE, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT
from components.names import TEAM_BUCKETS, team_namespace, team_service_account
from components.registry_upstreams import aws_secret_prefix, aws_team_repository

from .common import AwsContext, Statement, policy
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
# The cluster autoscaler's actions, as kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md
# ("Full Cluster Autoscaler Features Policy") lists them for auto-discovery: the describes on every
# resource (they take no resource ARNs), scaling only on groups tagged as this cluster's.
AUTOSCALER_DESCRIBE_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "eks:DescribeNodegroup",   # labels and taints of managed node groups at zero nodes (scale from zero)
)
AUTOSCALER_SCALE_ACTIONS = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")
TEAM_ACCESS_POLICY = "AmazonEKSEditPolicy"


def team_service_subject(team: Team) -> tuple[str, str]:
    """(namespace, ServiceAccount) whose pods act as the team's IAM role; the Kubernetes layer creates them."""
    return team_namespace(team.name), team_service_account(team.name)


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


# What reading a secret takes (Secrets Manager API reference, GetSecretValue / DescribeSecret). External
# Secrets Operator names each secret in an ExternalSecret; `dataFrom.find` (ListSecrets, which takes no
# resource ARN) is not granted.
SECRET_READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
SECRET_WRITE_ACTIONS = ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
                        "secretsmanager:TagResource", "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue")
# Pushing to and reading a repository (ECR user guide, "Private repository policy examples": push).
ECR_PUSH_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                    "ecr:DescribeImages", "ecr:DescribeImageScanFindings", "ecr:ListImages")


def team_secret_arn(ctx: AwsContext, team: str) -> str:
    """Every secret under the team's prefix (Secrets Manager appends `-` and six characters to the name)."""
    return ctx.arn("secretsmanager", f"secret:{aws_secret_prefix(ctx.prefix, team)}*")


def team_secret_statements(ctx: AwsContext, team: str, secrets_key_arn: pulumi.Input[str]) -> list[Statement]:
    """Read the team's own secrets, decrypting with the secrets key through Secrets Manager only."""
    return [
        {"Sid": "ReadOwnSecrets", "Effect": "Allow", "Action": list(SECRET_READ_ACTIONS),
         "Resource": team_secret_arn(ctx, team)},
        {"Sid": "SecretsKeyViaSecretsManager", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": secrets_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{ctx.region}.amazonaws.com"}}},
    ]


def people_supply_statements(ctx: AwsContext, team: str, secrets_key_arn: pulumi.Input[str]) -> list[Statement]:
    """The team's people: put secrets under the team's prefix (encrypted with the secrets key: the
    `secretsmanager:KmsKeyArn` condition key of CreateSecret, Service Authorization Reference) and push
    images to the team's repository."""
    return [
        {"Sid": "CreateOwnSecretsWithSecretsKey", "Effect": "Allow", "Action": "secretsmanager:CreateSecret",
         "Resource": team_secret_arn(ctx, team),
         "Condition": {"StringEquals": {"secretsmanager:KmsKeyArn": secrets_key_arn}}},
        {"Sid": "ManageOwnSecrets", "Effect": "Allow",
         "Action": [a for a in SECRET_WRITE_ACTIONS if a != "secretsmanager:CreateSecret"],
         "Resource": team_secret_arn(ctx, team)},
        {"Sid": "SecretsKeyViaSecretsManager", "Effect": "Allow",
         "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"], "Resource": secrets_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{ctx.region}.amazonaws.com"}}},
        {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "PushOwnRepository", "Effect": "Allow", "Action": list(ECR_PUSH_ACTIONS),
         "Resource": ctx.arn("ecr", f"repository/{aws_team_repository(ctx.prefix, team)}")},
    ]


def people_trust_policy(partition: str, people: Sequence[str]) -> dict:
    """Trust for a team's human role: the listed principals only, through their accounts."""
    accounts = sorted({arn.split(":")[4] for arn in people})
    return policy([{
        "Effect": "Allow",
        "Principal": {"AWS": [f"arn:{partition}:iam::{account}:root" for account in accounts]},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:PrincipalArn": sorted(people)}},
    }])


def autoscaler_statements(cluster_name: str) -> list[Statement]:
    """Describe anything; scale and terminate only in Auto Scaling groups this cluster owns.

    EKS tags every managed node group's Auto Scaling group with `k8s.io/cluster-autoscaler/<cluster>:
    owned` (EKS user guide, "Managed node groups": "node group resources are tagged ... for the
    Kubernetes Cluster Autoscaler"), which is also the tag the autoscaler discovers them by.
    """
    return [
        {"Sid": "DescribeForDiscovery", "Effect": "Allow", "Action": list(AUTOSCALER_DESCRIBE_ACTIONS),
         "Resource": "*"},
        {"Sid": "ScaleOwnNodeGroups", "Effect": "Allow", "Action": list(AUTOSCALER_SCALE_ACTIONS), "Resource": "*",
         "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}}},
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
    secrets_key_arn: pulumi.Input[str]
    autoscaler_cluster_name: str | None = None   # the cluster's name as known before it exists: the autoscaler's role


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

        self.autoscaler_role: BoundedRole | None = None
        if args.autoscaler_cluster_name:
            self.autoscaler_role = bounded_role(
                f"{name}-cluster-autoscaler", context=ctx, boundary_arn=args.boundary_arn,
                trust=trust([(CLUSTER_AUTOSCALER_NAMESPACE, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT)]),
                description="IRSA for cluster-autoscaler: scales this cluster's node groups only",
                policies=[RolePolicy("scale", autoscaler_statements(args.autoscaler_cluster_name),
                                     "cluster-autoscaler: describe, and scale groups tagged for this cluster")],
                parent=self)

        self.team_roles: dict[str, BoundedRole] = {}
        self.people_roles: dict[str, BoundedRole] = {}
        for team in args.teams:
            if team.managed_by == "workspace":
                continue  # its team-workspace project creates the team's role and access entry
            namespace, service_account = team_service_subject(team)
            team_tags = {"team": team.name, "cost-center": team.cost_center}
            role = bounded_role(
                f"{name}-team-{team.name}", context=ctx, boundary_arn=args.boundary_arn,
                trust=trust([(namespace, service_account)]),
                description=f"Workloads of team {team.name} ({namespace}/{service_account})",
                policies=[RolePolicy("storage", team_storage_statements(
                    team.name, args.bucket_arns, args.storage_key_arn, ctx.region), f"{team.name}: own prefixes"),
                          RolePolicy("secrets", team_secret_statements(ctx, team.name, args.secrets_key_arn),
                                     f"{team.name}: read own secrets")],
                parent=self, extra_tags=team_tags)
            self.team_roles[team.name] = role
            if not team.people:
                continue
            people = bounded_role(
                f"{name}-team-{team.name}-people", context=ctx, boundary_arn=args.boundary_arn,
                trust=json.dumps(people_trust_policy(ctx.partition, team.people)),
                description=f"People of team {team.name}: namespace {namespace} (EKS Edit) and the team's prefixes",
                policies=[RolePolicy("access", [
                    {"Sid": "FindTheCluster", "Effect": "Allow", "Action": "eks:DescribeCluster",
                     "Resource": pulumi.Output.concat(f"arn:{ctx.partition}:eks:{ctx.region}:{ctx.account_id}:cluster/",
                                                      args.cluster_name)},
                    *team_storage_statements(team.name, args.bucket_arns, args.storage_key_arn, ctx.region),
                ], f"{team.name} people: the cluster and own prefixes"),
                          RolePolicy("supply", people_supply_statements(ctx, team.name, args.secrets_key_arn),
                                     f"{team.name} people: own secrets and image repository")],
                parent=self, extra_tags=team_tags)
            entry = aws.eks.AccessEntry(
                f"{name}-team-{team.name}-people", cluster_name=args.cluster_name, principal_arn=people.arn,
                type="STANDARD", tags=ctx.tagged(team=team.name, **{"cost-center": team.cost_center}),
                opts=pulumi.ResourceOptions(parent=self))
            aws.eks.AccessPolicyAssociation(
                f"{name}-team-{team.name}-people", cluster_name=args.cluster_name, principal_arn=people.arn,
                policy_arn=f"arn:{ctx.partition}:eks::aws:cluster-access-policy/{TEAM_ACCESS_POLICY}",
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="namespace", namespaces=[namespace]),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]))
            self.people_roles[team.name] = people

        self.register_outputs({
            **{f"{addon}RoleArn": r.arn for addon, r in self.addon_roles.items()},
            "clusterAutoscalerRoleArn": self.autoscaler_role.arn if self.autoscaler_role else None,
            "teamRoleArns": {team: r.arn for team, r in self.team_roles.items()},
            "teamPeopleRoleArns": {team: r.arn for team, r in self.people_roles.items()},
        })
