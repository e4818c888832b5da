"""A team's workspace on the shared GPU landing zone: settings, the landing-zone contract, the component.

The landing zone (another project, another state) is read through a StackReference; the names it
must export are `REQUIRED_OUTPUTS`, checked before anything is created. The workspace owns:

- a cloud identity for the team's workloads: on AWS an IRSA role with the landing zone's permission
  boundary, on GCP a service account its Kubernetes ServiceAccount impersonates (Workload Identity);
- its prefix `<team>/` in the datasets, checkpoints and artifacts buckets: on AWS the role's policy is
  scoped to it, on GCP a managed folder per bucket carries the grant (so this stack's deployer needs
  no bucket-level IAM rights);
- its namespace with what the platform gives its own team namespaces (components.k8s.team_namespace):
  Pod Security `restricted`, the ResourceQuota and LimitRange from the landing zone's `teamQuotas`,
  default-deny networking with DNS, storage (and on GKE metadata-server) egress, the ServiceAccount,
  the team-member Role bound to the IdP group, and the Kueue LocalQueue `default`;
- its image repository (ECR `<team>-workspace/teams/<team>`, Artifact Registry `ws-<team>`): immutable
  tags, the landing zone's registry key, scanned on push, untagged images deleted (as the landing zone's
  own team repositories, components/aws/registries.py and components/gcp/registries.py);
- its SecretStore `team-secrets` (External Secrets Operator, installed by the landing zone) bound to the
  team's ServiceAccount. On AWS the role reads only secrets named `<team>-workspace/teams/<team>/...`,
  decrypted with the landing zone's secrets key; on GCP the read grant is a project IAM change that
  this stack's deployer does not hold: README.md gives the platform team's one command.

GPU quota stays with the platform team: the landing zone creates the ClusterQueue `<team>` (it admits
only the namespace `<team>`) and computes `teamQuotas` for every team in its `teams` config.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from components.aws.common import AwsContext
from components.aws.iam_boundary import RolePolicy, bounded_role, irsa_trust_policy
from components.aws.landing_zone import secrets_manager_store
from components.aws.registries import lifecycle_policy
from components.aws.workload_identity import team_secret_statements, team_storage_statements
from components.config.model import Team
from components.gcp.landing_zone import secret_manager_store
from components.gcp.layout import account_id
from components.gcp.registries import cleanup_policies
from components.gcp.team_identity import OBJECT_ROLE, team_prefix, workload_identity_member
from components.k8s import kueue, manifests
from components.k8s.external_secrets import secret_store
from components.k8s.kubeconfig import exec_kubeconfig
from components.k8s.manifests import Manifest
from components.k8s.objects import create
from components.k8s.team_namespace import GKE_METADATA
from components.names import MANAGED_BY, MANAGED_BY_KEY, TEAM_BUCKETS, team_namespace, team_service_account
from components.registry_upstreams import aws_team_repository

COMMON_OUTPUTS = ("cloud", "environment", "clusterName", "clusterEndpoint", "clusterCaData", "region",
                  "kubernetesVersion", "buckets", "clusterQueues", "teamQuotas", "storageEgressCidrs")
REQUIRED_OUTPUTS: dict[str, tuple[str, ...]] = {
    "aws": (*COMMON_OUTPUTS, "oidcProviderArn", "oidcIssuer", "permissionsBoundaryArn", "storageKmsKeyArn",
            "registryKmsKeyArn", "secretsKmsKeyArn"),
    "gcp": (*COMMON_OUTPUTS, "gcpProject", "registryKmsKey"),
}
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
GKE_ANNOTATION = "iam.gke.io/gcp-service-account"


class WorkspaceSettings(BaseModel):
    """The workspace's own config keys (`<project>:<key>` in the stack file)."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)

    landing_zone_stack: str = Field(pattern=r"^[^/\s]+/[^/\s]+/[^/\s]+$",
                                    description="ORG/PROJECT/STACK of the landing zone")
    cloud: Literal["aws", "gcp"]
    region: str = Field(min_length=1, description="the landing zone's region")
    team: Team
    cluster_queue: str | None = Field(None, description="default: the team's name")

    @field_validator("cluster_queue")
    @classmethod
    def _empty_is_default(cls, v: str | None) -> str | None:
        return v or None

    @property
    def queue(self) -> str:
        return self.cluster_queue or self.team.name


def settings_problems(error: ValidationError, project: str, source: str) -> list[str]:
    lines = []
    for err in error.errors(include_url=False):
        loc = err["loc"]
        # team.name, team.costCenter and team.group are the flat keys team, costCenter and group.
        key = ("team" if loc[-1] == "name" else str(loc[-1])) if loc and loc[0] == "team" and len(loc) > 1 \
            else ".".join(map(str, loc))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{source}: {project}:{key}: {message}")
    return lines


def read_settings(values: Mapping[str, str | None], project: str, source: str) -> WorkspaceSettings:
    """Validate the stack's config; one line per problem, naming the file and the key."""
    raw: dict[str, Any] = {k: v for k, v in {
        "landingZoneStack": values.get("landingZoneStack"), "cloud": values.get("cloud"),
        "region": values.get("region"), "clusterQueue": values.get("clusterQueue"),
    }.items() if v is not None}
    team = {k: v for k, v in {"name": values.get("team"), "costCenter": values.get("costCenter"),
                              "group": values.get("group") or None}.items() if v is not None}
    raw["team"] = team
    try:
        return WorkspaceSettings.model_validate(raw)
    except ValidationError as exc:
        lines = settings_problems(exc, project, source)
        noun = "problem" if len(lines) == 1 else "problems"
        raise pulumi.RunError(f"invalid stack configuration ({len(lines)} {noun}):\n" + "\n".join(lines)) from None


def landing_zone_problems(outputs: Mapping[str, Any], settings: WorkspaceSettings) -> list[str]:
    """What is wrong with the landing zone's outputs for this workspace, one line each."""
    stack = settings.landing_zone_stack
    missing = [k for k in REQUIRED_OUTPUTS[settings.cloud] if outputs.get(k) is None]
    problems = [f"{stack} exports no {', '.join(missing)}; the landing zone's __main__.py must export them"] \
        if missing else []
    if outputs.get("cloud") not in (None, settings.cloud):
        problems.append(f"{stack} is a {outputs['cloud']} landing zone, but cloud is {settings.cloud}")
    if outputs.get("region") not in (None, settings.region):
        problems.append(f"{stack} is in region {outputs['region']}, but region is {settings.region}")
    buckets = outputs.get("buckets")
    if isinstance(buckets, Mapping):
        absent = [b for b in TEAM_BUCKETS if not buckets.get(b)]
        if absent:
            problems.append(f"{stack} output buckets has no {', '.join(absent)} bucket")
    queues = outputs.get("clusterQueues")
    if isinstance(queues, list) and settings.queue not in queues:
        problems.append(f"{stack} has no ClusterQueue {settings.queue!r} (it has {', '.join(sorted(queues)) or 'none'}); "
                        "ask the platform team to add the team to the landing zone's `teams` with a gpuQuota")
    quotas = outputs.get("teamQuotas")
    if isinstance(quotas, Mapping) and settings.team.name not in quotas:
        problems.append(f"{stack} sets no quota for team {settings.team.name!r} (output teamQuotas); "
                        "the team must be in the landing zone's `teams`")
    return problems


def storage_egress(ns: str, labels: Mapping[str, str], cidrs: list[str]) -> Manifest:
    """Egress on 443 to the landing zone's storage endpoints; with none, a policy that allows nothing.

    (A NetworkPolicy rule with an empty `to` would allow every destination.)
    """
    if cidrs:
        return manifests.allow_egress_to(ns, "allow-storage-egress", labels, cidrs, [443])
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "allow-storage-egress", "namespace": ns, "labels": dict(labels)},
            "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": []}}


def workspace_labels(settings: WorkspaceSettings, environment: pulumi.Input[str]) -> dict[str, Any]:
    """The landing zone's cost-attribution labels (components.k8s.manifests.team_labels), for this team."""
    return {
        "app.kubernetes.io/managed-by": manifests.MANAGED_BY,
        "environment": environment,
        "team": settings.team.name,
        "cost-center": manifests.label_value(settings.team.cost_center),
    }


def cost_tags(settings: WorkspaceSettings, environment: pulumi.Input[str]) -> dict[str, Any]:
    """The tags every taggable resource carries in its own inputs (the policy pack reads them there)."""
    return {"team": settings.team.name, "environment": environment, "cost-center": settings.team.cost_center,
            MANAGED_BY_KEY: MANAGED_BY}


class TeamWorkspace(pulumi.ComponentResource):
    """The team's identity, bucket prefixes, namespace and LocalQueue on the landing zone `outputs`.

    The cloud provider (aws, or gcp in the landing zone's project) comes in through `opts.providers`,
    so every child, including the roles `bounded_role` creates, uses it.
    """

    def __init__(self, name: str, settings: WorkspaceSettings, outputs: pulumi.Output[dict[str, Any]],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:team:Workspace", name, None, opts)
        # The platform's names (components.k8s.manifests): the ClusterQueue admits namespace <team> only.
        self.namespace_name = team_namespace(settings.team.name)
        self.service_account_name = team_service_account(settings.team.name)

        def checked(values: dict[str, Any]) -> dict[str, Any]:
            problems = landing_zone_problems(values, settings)
            if problems:
                raise ValueError("the landing zone does not fit this workspace:\n" + "\n".join(problems))
            return values

        # Every value below derives from the checked outputs, so a mismatch fails the plan, not the cluster.
        lz = outputs.apply(checked)

        def out(key: str) -> pulumi.Output[Any]:
            return lz.apply(lambda o: o[key])

        buckets = {purpose: lz.apply(lambda o, p=purpose: o["buckets"][p]) for purpose in TEAM_BUCKETS}
        if settings.cloud == "aws":
            annotation = self._aws_identity(name, settings, out, buckets)
            annotation_key = IRSA_ANNOTATION
        else:
            annotation = self._gcp_identity(name, settings, out, buckets)
            annotation_key = GKE_ANNOTATION

        kind = "eks" if settings.cloud == "aws" else "gke"
        kubeconfig = lz.apply(lambda o: json.dumps(exec_kubeconfig(
            kind, o["clusterName"], o["clusterEndpoint"], o["clusterCaData"], region=o["region"])))
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=kubeconfig, enable_server_side_apply=True,
                                     opts=pulumi.ResourceOptions(parent=self))
        in_cluster = pulumi.ResourceOptions(parent=self, provider=self.provider)
        ns = self.namespace_name
        labels = workspace_labels(settings, out("environment"))

        def rendered(kind: str, render: Callable[[dict[str, Any]], Manifest], *fields: str) -> Manifest:
            """A manifest whose content needs the landing zone's values: its fields resolve with them."""
            whole = lz.apply(render)
            return {"apiVersion": "v1" if kind != "NetworkPolicy" else "networking.k8s.io/v1", "kind": kind,
                    **{f: whole.apply(lambda m, f=f: m[f]) for f in fields}}

        def team_of(o: dict[str, Any]) -> Team:
            # The platform's sizes for this team (its ClusterQueue uses the same CPU and memory).
            # Numbers arrive through the StackReference as floats (JSON numbers): counts are ints again.
            quota = o["teamQuotas"][settings.team.name]
            return settings.team.model_copy(update={"cpu": quota["cpu"], "memory": quota["memory"],
                                                    "storage": quota["storage"], "pvc_count": int(quota["pvcCount"])})

        def gpus_of(o: dict[str, Any]) -> dict[str, int]:
            return {resource: int(n) for resource, n in o["teamQuotas"][settings.team.name]["gpus"].items()}

        # The objects the platform gives its own team namespaces (components.k8s.team_namespace).
        # Pod Security is pinned to the cluster's minor version, as there.
        self.namespace = create(f"{name}-namespace", rendered("Namespace", lambda o: manifests.namespace(
            ns, workspace_labels(settings, o["environment"]), pod_security="restricted",
            k8s_version=o["kubernetesVersion"]), "metadata"), in_cluster)
        in_namespace = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[self.namespace])
        self.objects = [
            create(f"{name}-quota", rendered("ResourceQuota", lambda o: manifests.resource_quota(
                ns, workspace_labels(settings, o["environment"]), team_of(o), gpus_of(o)), "metadata", "spec"),
                in_namespace),
            create(f"{name}-limits", rendered("LimitRange", lambda o: manifests.limit_range(
                ns, workspace_labels(settings, o["environment"]), team_of(o)), "metadata", "spec"), in_namespace),
            create(f"{name}-deny-all", manifests.deny_all(ns, labels), in_namespace),
            create(f"{name}-same-namespace", manifests.allow_same_namespace(ns, labels), in_namespace),
            create(f"{name}-dns", manifests.allow_dns(ns, labels), in_namespace),
            create(f"{name}-storage-egress", rendered("NetworkPolicy", lambda o: storage_egress(
                ns, workspace_labels(settings, o["environment"]), o["storageEgressCidrs"]), "metadata", "spec"),
                in_namespace),
        ]
        if settings.cloud == "gcp":
            # Workload Identity tokens come from the GKE metadata server.
            for cidr, port in GKE_METADATA:
                self.objects.append(create(f"{name}-gke-metadata-{port}", manifests.allow_egress_to(
                    ns, f"allow-gke-metadata-{port}", labels, [cidr], [port]), in_namespace))
        self.service_account = create(f"{name}-sa", manifests.service_account(
            ns, self.service_account_name, labels, {annotation_key: annotation}), in_namespace)
        self.k8s_role = create(f"{name}-role", manifests.team_role(ns, labels), in_namespace)
        self.role_binding = None
        if settings.team.group:
            self.role_binding = create(f"{name}-role-binding",
                                       manifests.team_role_binding(ns, labels, settings.team.group), in_namespace)
        self.local_queue = create(f"{name}-queue", kueue.local_queue(ns, settings.queue, labels), in_namespace)

        # The team's secret store: External Secrets Operator (installed by the landing zone) reads the
        # cloud's secrets as the team's ServiceAccount, so only what the team's identity may read.
        if settings.cloud == "aws":
            provider = secrets_manager_store(settings.region, settings.team.name)
        else:
            provider = lz.apply(lambda o: secret_manager_store(o["gcpProject"], o["region"], o["clusterName"],
                                                               settings.team.name))
        self.secret_store = create(f"{name}-secret-store", secret_store(ns, labels, provider),
                                   pulumi.ResourceOptions(parent=self, provider=self.provider,
                                                          depends_on=[self.namespace, self.service_account]))

        self.identity = annotation
        self.register_outputs({"namespace": ns, "serviceAccount": self.service_account_name,
                               "identity": annotation, "localQueue": kueue.LOCAL_QUEUE,
                               "clusterQueue": settings.queue, "repository": self.repository_url})

    def _aws_identity(self, name: str, settings: WorkspaceSettings, out,
                      buckets: dict[str, pulumi.Output[str]]) -> pulumi.Output[str]:
        invoke = pulumi.InvokeOptions(parent=self)
        identity = aws.get_caller_identity(opts=invoke)
        partition = aws.get_partition(opts=invoke)
        ctx = AwsContext(account_id=identity.account_id, partition=partition.partition, region=settings.region,
                         prefix=f"{settings.team.name}-workspace", tags=cost_tags(settings, out("environment")),
                         reverse_dns_prefix=partition.reverse_dns_prefix or "com.amazonaws")
        team = settings.team.name
        trust = pulumi.Output.all(out("oidcProviderArn"), out("oidcIssuer")).apply(lambda v: json.dumps(
            irsa_trust_policy(v[0], v[1], [(self.namespace_name, self.service_account_name)])))
        bucket_arns = {p: b.apply(lambda n: f"arn:{ctx.partition}:s3:::{n}") for p, b in buckets.items()}
        self.cloud_role = bounded_role(
            f"{name}-role", context=ctx, boundary_arn=out("permissionsBoundaryArn"), trust=trust,
            description=f"Workloads of team {team} ({self.namespace_name}/{self.service_account_name})",
            policies=[RolePolicy("storage", team_storage_statements(
                team, bucket_arns, out("storageKmsKeyArn"), settings.region), f"{team}: own prefixes"),
                      RolePolicy("secrets", team_secret_statements(ctx, team, out("secretsKmsKeyArn")),
                                 f"{team}: read own secrets")],
            parent=self)
        repo = aws.ecr.Repository(
            f"{name}-images", name=aws_team_repository(ctx.prefix, team), image_tag_mutability="IMMUTABLE",
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS", kms_key=out("registryKmsKeyArn"))],
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            tags=ctx.tagged(), opts=pulumi.ResourceOptions(parent=self))
        aws.ecr.LifecyclePolicy(f"{name}-images", repository=repo.name, policy=json.dumps(lifecycle_policy(14)),
                                opts=pulumi.ResourceOptions(parent=self))
        self.repository_url = repo.repository_url
        return self.cloud_role.arn

    def _gcp_identity(self, name: str, settings: WorkspaceSettings, out,
                      buckets: dict[str, pulumi.Output[str]]) -> pulumi.Output[str]:
        team = settings.team
        opts = pulumi.ResourceOptions(parent=self)
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa", account_id=account_id("ws", team.name), display_name=f"Workloads of team {team.name}",
            description=f"cost-center {team.cost_center}; Workload Identity of "
                        f"{self.namespace_name}/{self.service_account_name}",
            opts=opts)
        # The landing zone's own member format: <project>.svc.id.goog[<namespace>/<ksa>].
        gcp.serviceaccount.IAMMember(
            f"{name}-workload-identity", service_account_id=self.account.name,
            role="roles/iam.workloadIdentityUser",
            member=out("gcpProject").apply(lambda project: workload_identity_member(project, team.name)),
            opts=opts)
        self.folders = {}
        for purpose, bucket in buckets.items():
            # A managed folder carries the grant, so this stack's deployer needs rights on managed folders
            # only, never bucket-level setIamPolicy (the landing zone's buckets have uniform access).
            folder = gcp.storage.ManagedFolder(f"{name}-{purpose}", bucket=bucket, name=team_prefix(team.name),
                                               opts=opts)
            gcp.storage.ManagedFolderIamMember(
                f"{name}-{purpose}", bucket=bucket, managed_folder=folder.name, role=OBJECT_ROLE,
                member=self.account.member, opts=opts)
            self.folders[purpose] = folder
        repo = gcp.artifactregistry.Repository(
            f"{name}-images", location=settings.region, repository_id=f"ws-{team.name}", format="DOCKER",
            mode="STANDARD_REPOSITORY", description=f"images of team {team.name}",
            docker_config=gcp.artifactregistry.RepositoryDockerConfigArgs(immutable_tags=True),
            kms_key_name=out("registryKmsKey"), cleanup_policies=cleanup_policies(14), cleanup_policy_dry_run=False,
            vulnerability_scanning_config=gcp.artifactregistry.RepositoryVulnerabilityScanningConfigArgs(
                enablement_config="INHERITED"), labels=cost_tags(settings, out("environment")), opts=opts)
        self.repository_url = repo.registry_uri
        return self.account.email
