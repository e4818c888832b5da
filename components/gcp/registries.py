"""Private image registries per team and remote repositories caching public registries (Artifact Registry).

- one Docker repository per team (`<prefix>-team-<team>`): immutable tags, the registry CMEK, scanned on
  push when the Container Scanning API is on (`vulnerability_scanning_config` INHERITED), untagged
  versions deleted after `untaggedExpiryDays` (cleanup policy). The team's Google group and its
  `ciPrincipals` may push (`roles/artifactregistry.writer` on that repository only).
- one remote repository per `registries.caches` upstream (`<prefix>-cache-<upstream>`): Docker Hub by
  its preset, the others by registry URI (components/registry_upstreams.py), same key and cleanup.
- the nodes already hold `roles/artifactregistry.reader` on the project (node_service_account.NODE_ROLES),
  which pulls from every repository, remote ones included; workloads get no registry role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.config.model import RegistriesConfig, Team
from components.options import child
from components.registry_upstreams import UPSTREAMS, gcp_cache_repository, gcp_team_repository

from .common import GcpContext

WRITER_ROLE = "roles/artifactregistry.writer"


def cleanup_policies(untagged_days: int) -> list[gcp.artifactregistry.RepositoryCleanupPolicyArgs]:
    """Delete untagged versions older than `untagged_days` (a duration in seconds, as the API takes it)."""
    return [gcp.artifactregistry.RepositoryCleanupPolicyArgs(
        id="delete-untagged", action="DELETE",
        condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
            tag_state="UNTAGGED", older_than=f"{untagged_days * 86400}s"))]


def remote_config(upstream: str) -> gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs:
    u = UPSTREAMS[upstream]
    if u.gcp_public:
        return gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
            description=f"cache of {u.host}",
            docker_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryArgs(
                public_repository=u.gcp_public))
    return gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
        description=f"cache of {u.host}",
        common_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigCommonRepositoryArgs(uri=u.gcp_uri))


@dataclass(frozen=True)
class RegistriesArgs:
    ctx: GcpContext
    config: RegistriesConfig
    teams: Sequence[Team]
    kms_key: pulumi.Input[str]                      # the `registry` CryptoKey id
    key_grants: Sequence[pulumi.Resource] = ()      # the Artifact Registry agent's grant on it


class Registries(pulumi.ComponentResource):
    """`lz:gcp:Registries`: `.repositories[team]` and `.caches[upstream]`."""

    def __init__(self, name: str, args: RegistriesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:Registries", name, None, opts)
        ctx, cfg = args.ctx, args.config
        scanning = gcp.artifactregistry.RepositoryVulnerabilityScanningConfigArgs(
            enablement_config="INHERITED" if cfg.scan_on_push else "DISABLED")
        self.repositories: dict[str, gcp.artifactregistry.Repository] = {}
        for team in args.teams:
            repo = gcp.artifactregistry.Repository(
                f"{name}-{team.name}", project=ctx.project, location=ctx.region,
                repository_id=gcp_team_repository(ctx.prefix, team.name), format="DOCKER",
                mode="STANDARD_REPOSITORY", description=f"images of team {team.name}",
                docker_config=gcp.artifactregistry.RepositoryDockerConfigArgs(immutable_tags=True),
                kms_key_name=args.kms_key, cleanup_policies=cleanup_policies(cfg.untagged_expiry_days),
                cleanup_policy_dry_run=False, vulnerability_scanning_config=scanning,
                labels=ctx.labelled(team=team.name, cost_center=team.cost_center),
                opts=ctx.stateful(self, opts, depends_on=list(args.key_grants)))
            writers = [*([f"group:{team.group}"] if team.group else []), *team.ci_principals]
            for i, member in enumerate(writers):
                gcp.artifactregistry.RepositoryIamMember(
                    f"{name}-{team.name}-writer-{i}", project=ctx.project, location=ctx.region,
                    repository=repo.name, role=WRITER_ROLE, member=member, opts=child(self, opts))
            self.repositories[team.name] = repo

        self.caches: dict[str, gcp.artifactregistry.Repository] = {}
        for upstream in cfg.caches:
            self.caches[upstream] = gcp.artifactregistry.Repository(
                f"{name}-cache-{upstream}", project=ctx.project, location=ctx.region,
                repository_id=gcp_cache_repository(ctx.prefix, upstream), format="DOCKER",
                mode="REMOTE_REPOSITORY", description=f"cache of {UPSTREAMS[upstream].host}",
                remote_repository_config=remote_config(upstream), kms_key_name=args.kms_key,
                cleanup_policies=cleanup_policies(cfg.untagged_expiry_days), cleanup_policy_dry_run=False,
                vulnerability_scanning_config=scanning, labels=ctx.labelled(cache=upstream),
                opts=child(self, opts, depends_on=list(args.key_grants)))

        self.register_outputs({
            "repositories": {t: r.registry_uri for t, r in self.repositories.items()},
            "caches": {u: r.registry_uri for u, r in self.caches.items()},
        })
