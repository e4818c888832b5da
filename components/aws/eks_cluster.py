"""The EKS control plane: API authentication, private endpoint, encrypted secrets, full audit logs, IRSA.

- Authentication mode `API`: access is granted with EKS access entries (no aws-auth ConfigMap). The
  identity running `pulumi up` gets cluster-admin through `bootstrapClusterCreatorAdminPermissions`,
  because the Kubernetes layer of the same program has to reach the cluster; the roles listed in
  `kubernetes.adminPrincipals` (the CI deploy role, when someone else created the cluster) get the
  same through an access entry.
- Endpoint: private always; public only outside prod and only when `network.apiAllowedCidrs` lists
  ranges (so in prod `pulumi up` of the Kubernetes layer must run from inside the VPC or a peered one).
- The control-plane log group is created first, with our retention and key; EKS would otherwise
  create `/aws/eks/<cluster>/cluster` itself with no expiry and no customer key.
- Self-managed bootstrap add-ons are off: the managed add-ons (ClusterAddons) own vpc-cni,
  kube-proxy and coredns from the start, so nothing has to be adopted or overwritten later.
- The OIDC provider is registered without thumbprints: for EKS issuers IAM validates against its own
  trusted CAs, and a pinned thumbprint only goes stale when the issuer's certificate rotates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .common import AwsContext

CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def control_plane_log_group_name(cluster_name: str) -> str:
    return f"/aws/eks/{cluster_name}/cluster"


@dataclass(frozen=True)
class EndpointAccess:
    private: bool
    public: bool
    public_cidrs: tuple[str, ...]


def endpoint_access(is_prod: bool, allowed_cidrs: Sequence[str]) -> EndpointAccess:
    """Private always; a public endpoint only outside prod, and only for listed ranges."""
    public = (not is_prod) and bool(allowed_cidrs)
    return EndpointAccess(private=True, public=public, public_cidrs=tuple(allowed_cidrs) if public else ())


@dataclass(frozen=True)
class EksClusterArgs:
    context: AwsContext
    cluster_name: str
    kubernetes_version: str
    subnet_ids: Sequence[pulumi.Input[str]]
    role_arn: pulumi.Input[str]
    secrets_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    endpoint: EndpointAccess
    role_dependencies: Sequence[pulumi.Resource] = ()   # the cluster role's policy attachments
    admin_principals: Sequence[str] = ()                # kubernetes.adminPrincipals: e.g. the CI deploy role


class EksCluster(pulumi.ComponentResource):
    """The cluster, its pre-created log group and its IRSA OIDC provider."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:EksCluster", name, None, opts)
        ctx = args.context
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=control_plane_log_group_name(args.cluster_name),
            retention_in_days=args.log_retention_days, kms_key_id=args.logs_key_arn, tags=ctx.tagged(),
            opts=ctx.stateful(self))

        endpoint = args.endpoint
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=args.role_arn,
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True),
            bootstrap_self_managed_addons=False,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(args.subnet_ids),
                endpoint_private_access=endpoint.private,
                endpoint_public_access=endpoint.public,
                public_access_cidrs=list(endpoint.public_cidrs) if endpoint.public else None,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=args.secrets_key_arn)),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            # Standard support only: extended support bills six times the cluster fee, silently.
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            deletion_protection=ctx.protect,
            tags=ctx.tagged(args.cluster_name),
            opts=ctx.stateful(self, depends_on=[self.log_group, *args.role_dependencies]),
        )
        self.name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        self.ca_data = self.cluster.certificate_authority.apply(lambda ca: ca.data)
        self.security_group_id = self.cluster.vpc_config.apply(lambda v: v.cluster_security_group_id)
        self.oidc_issuer_url = self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)

        # Cluster-admin for the listed principals (the CI deploy role): an access entry plus the
        # AmazonEKSClusterAdminPolicy at cluster scope (EKS user guide, "Grant IAM users access to
        # Kubernetes with EKS access entries" and "Review access policy permissions").
        for i, arn in enumerate(args.admin_principals):
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{i}", cluster_name=self.cluster.name, principal_arn=arn, type="STANDARD",
                tags=ctx.tagged(), opts=pulumi.ResourceOptions(parent=self))
            aws.eks.AccessPolicyAssociation(
                f"{name}-admin-{i}", cluster_name=self.cluster.name, principal_arn=arn,
                policy_arn=f"arn:{ctx.partition}:eks::aws:cluster-access-policy/{CLUSTER_ADMIN_POLICY}",
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]))

        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=self.oidc_issuer_url, client_id_lists=["sts.amazonaws.com"],
            tags=ctx.tagged(f"{args.cluster_name}-irsa"), opts=pulumi.ResourceOptions(parent=self))
        # The issuer without scheme: the prefix of the `sub` / `aud` condition keys in IRSA trust policies.
        self.oidc_issuer = self.oidc_issuer_url.apply(lambda url: url.removeprefix("https://"))

        self.register_outputs({
            "name": self.name,
            "endpoint": self.endpoint,
            "oidcProviderArn": self.oidc_provider.arn,
            "clusterSecurityGroupId": self.security_group_id,
        })
