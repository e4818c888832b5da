"""A team's Google identity: one service account its Kubernetes ServiceAccount becomes (Workload Identity).

Only the team's own ServiceAccount (`<namespace>/<ksa>` as the Kubernetes layer names them) may act as
it. It may read and write objects under `<team>/` in the datasets, checkpoints and artifacts buckets and
list only that prefix: `roles/storage.objectUser` with an IAM condition on the object name, plus the
list-prefix request attribute for listing (a list call names the bucket, not an object).

Secrets: the account reads (`roles/secretmanager.secretAccessor`) only the secrets whose id starts with
the team's prefix (`components.registry_upstreams.gcp_secret_prefix`, `<team>__`): one project-level
grant with an IAM condition on `resource.name`, which Secret Manager supports as a resource attribute
(IAM docs, "Resource attributes for IAM Conditions": secretmanager.googleapis.com; secret and secret
version names there carry the project number, `projects/<number>/secrets/<id>[/versions/<v>]`). A grant
on each secret cannot be made: the platform creates the access, not the secrets. The team's group may add
versions to those secrets (`roles/secretmanager.secretVersionAdder`, same condition).

People are separate: the team's Google group (`teams[].group`) gets `roles/container.clusterViewer` on
the project (to fetch cluster credentials) and, through Google Groups for RBAC, the namespace's
`team-member` RoleBinding; the Workload Identity account gets no Kubernetes rights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.config.model import Team
from components.names import TEAM_BUCKETS, team_namespace, team_service_account
from components.options import child
from components.registry_upstreams import gcp_secret_prefix

from .common import GcpContext

OBJECT_ROLE = "roles/storage.objectUser"
# Lets the team's people run `gcloud container clusters get-credentials`; Kubernetes rights come from RBAC.
PEOPLE_ROLE = "roles/container.clusterViewer"


def team_prefix(team: str) -> str:
    return f"{team}/"


def team_object_condition(bucket: str, team: str) -> str:
    """CEL: objects under the team's prefix, or a list request confined to that prefix."""
    prefix = team_prefix(team)
    return (f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{prefix}") || '
            f'(resource.type == "storage.googleapis.com/Bucket" && '
            f'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("{prefix}"))')


SECRET_READER_ROLE = "roles/secretmanager.secretAccessor"
SECRET_WRITER_ROLE = "roles/secretmanager.secretVersionAdder"


def team_secret_condition(project_number: str, team: str) -> str:
    """CEL: the team's secrets and their versions only."""
    return f'resource.name.startsWith("projects/{project_number}/secrets/{gcp_secret_prefix(team)}")'


def workload_identity_member(project: str, team: str) -> str:
    """The member a team's Kubernetes ServiceAccount is in the project's workload identity pool."""
    return f"serviceAccount:{project}.svc.id.goog[{team_namespace(team)}/{team_service_account(team)}]"


@dataclass(frozen=True)
class TeamIdentityArgs:
    ctx: GcpContext
    team: Team
    buckets: Mapping[str, gcp.storage.Bucket]
    # The GKE cluster: `PROJECT.svc.id.goog` (the workload identity pool) exists only once a cluster with
    # Workload Identity does; a binding to it before that fails with "Identity Pool does not exist".
    cluster: pulumi.Resource | None = None


class TeamIdentity(pulumi.ComponentResource):
    """`lz:gcp:TeamIdentity`: `.account` (its email goes in the ServiceAccount annotation)."""

    def __init__(self, name: str, args: TeamIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:TeamIdentity", name, None, opts)
        ctx, team = args.ctx, args.team
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa", project=ctx.project, account_id=ctx.account_id("team", team.name),
            display_name=f"Workloads of team {team.name} ({ctx.environment})",
            description=f"cost-center {team.cost_center}", opts=child(self, opts))
        self.workload_identity = gcp.serviceaccount.IAMMember(
            f"{name}-wi", service_account_id=self.account.name, role="roles/iam.workloadIdentityUser",
            member=workload_identity_member(ctx.project, team.name),
            opts=child(self, opts, depends_on=[args.cluster] if args.cluster else []))
        self.bucket_grants = [
            gcp.storage.BucketIAMMember(
                f"{name}-{purpose}", bucket=args.buckets[purpose].name, role=OBJECT_ROLE, member=self.account.member,
                condition=gcp.storage.BucketIAMMemberConditionArgs(
                    title=f"{team.name}-prefix-only",
                    description=f"objects under {team_prefix(team.name)} only",
                    expression=args.buckets[purpose].name.apply(lambda b, t=team.name: team_object_condition(b, t))),
                opts=child(self, opts))
            for purpose in TEAM_BUCKETS
        ]
        condition = gcp.projects.IAMMemberConditionArgs(
            title=f"{team.name}-secrets-only", description=f"secrets named {gcp_secret_prefix(team.name)}* only",
            expression=pulumi.Output.from_input(ctx.project_number).apply(
                lambda number, t=team.name: team_secret_condition(number, t)))
        self.secret_access = gcp.projects.IAMMember(
            f"{name}-secrets", project=ctx.project, role=SECRET_READER_ROLE, member=self.account.member,
            condition=condition, opts=child(self, opts))
        self.secret_writers = gcp.projects.IAMMember(
            f"{name}-people-secrets", project=ctx.project, role=SECRET_WRITER_ROLE, member=f"group:{team.group}",
            condition=condition, opts=child(self, opts)) if team.group else None
        # People: the team's Google group may fetch cluster credentials (container.clusters.get); what they
        # may do inside comes from the namespace RoleBinding to the same group, not from IAM.
        self.people = gcp.projects.IAMMember(
            f"{name}-people", project=ctx.project, role=PEOPLE_ROLE, member=f"group:{team.group}",
            opts=child(self, opts)) if team.group else None
        self.register_outputs({"email": self.account.email})
