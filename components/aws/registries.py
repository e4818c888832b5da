"""Private image registries per team and pull-through caches of public registries (ECR).

- one repository per team, `<prefix>/teams/<team>`: immutable tags, encrypted with the registry key,
  scanned on push (basic scanning, free), untagged images expired after `untaggedExpiryDays`. Its
  repository policy lets the nodes pull and the team's people role and `ciPrincipals` push.
- one pull-through cache rule per `registries.caches` upstream, prefix `<prefix>/cache/<upstream>`.
  Docker Hub and GitHub need a Secrets Manager secret named `ecr-pullthroughcache/...` (ECR user guide,
  "Creating a pull through cache rule"); its name is config and its value is put by the team or the
  platform, never by the stack. The repositories a cache creates on first pull get ECR's default
  encryption: a repository creation template with a customer-managed key needs a custom role
  (pulumi_aws RepositoryCreationTemplate `custom_role_arn`: "Required if using repository tags or KMS
  encryption"), which this stack does not create.
- the nodes pull through the caches: the first pull of an image creates its repository and imports it,
  which takes ecr:CreateRepository and ecr:BatchImportUpstreamImage (ECR user guide, "IAM permissions
  required to sync an upstream registry"); the node role gets both, on the cache prefixes only. Pulling
  is AmazonEC2ContainerRegistryPullOnly, already on the node role (iam_boundary.NODE_MANAGED_POLICIES).
- enhanced scanning (Amazon Inspector, charged per image) is one registry-wide setting, so it is opt-in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.config.model import RegistriesConfig, Team
from components.registry_upstreams import UPSTREAMS, aws_cache_prefix, aws_team_repository

from .common import AwsContext, Statement, policy
from .workload_identity import ECR_PUSH_ACTIONS

# What a node needs to pull an image (the actions of AmazonEC2ContainerRegistryPullOnly).
ECR_PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability")
CACHE_IMPORT_ACTIONS = ("ecr:CreateRepository", "ecr:BatchImportUpstreamImage")


def lifecycle_policy(untagged_days: int) -> dict:
    """Expire untagged images `untagged_days` after they were pushed (ECR lifecycle policy, countType
    sinceImagePushed, countUnit days)."""
    return {"rules": [{
        "rulePriority": 1,
        "description": f"expire untagged images after {untagged_days} days",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                      "countNumber": untagged_days},
        "action": {"type": "expire"},
    }]}


def repository_statements(node_role_arn: pulumi.Input[str],
                          pushers: Sequence[pulumi.Input[str]]) -> list[Statement]:
    """Nodes pull; the team's people role and CI principals push. Nobody else is named."""
    statements: list[Statement] = [
        {"Sid": "NodesPull", "Effect": "Allow", "Principal": {"AWS": node_role_arn},
         "Action": list(ECR_PULL_ACTIONS)},
    ]
    if pushers:
        statements.append({"Sid": "TeamPush", "Effect": "Allow", "Principal": {"AWS": list(pushers)},
                           "Action": list(ECR_PUSH_ACTIONS)})
    return statements


def cache_import_statements(ctx: AwsContext, upstreams: Sequence[str]) -> list[Statement]:
    return [{"Sid": "PullThroughCacheImport", "Effect": "Allow", "Action": list(CACHE_IMPORT_ACTIONS),
             "Resource": [ctx.arn("ecr", f"repository/{aws_cache_prefix(ctx.prefix, u)}/*") for u in upstreams]}]


@dataclass(frozen=True)
class RegistriesArgs:
    context: AwsContext
    config: RegistriesConfig
    teams: Sequence[Team]
    registry_key_arn: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
    node_role_name: pulumi.Input[str]
    people_role_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class Registries(pulumi.ComponentResource):
    """`lz:aws:Registries`: `.repositories[team]` and `.cache_rules[upstream]`."""

    def __init__(self, name: str, args: RegistriesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:Registries", name, None, opts)
        ctx, cfg = args.context, args.config
        child = pulumi.ResourceOptions(parent=self)

        self.repositories: dict[str, aws.ecr.Repository] = {}
        for team in args.teams:
            repo = aws.ecr.Repository(
                f"{name}-{team.name}", name=aws_team_repository(ctx.prefix, team.name),
                image_tag_mutability="IMMUTABLE",
                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=args.registry_key_arn)],
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                    scan_on_push=cfg.scan_on_push),
                tags=ctx.tagged(team=team.name, **{"cost-center": team.cost_center}),
                opts=ctx.stateful(self))
            aws.ecr.LifecyclePolicy(f"{name}-{team.name}", repository=repo.name,
                                    policy=json.dumps(lifecycle_policy(cfg.untagged_expiry_days)), opts=child)
            pushers = [*([args.people_role_arns[team.name]] if team.name in args.people_role_arns else []),
                       *team.ci_principals]
            aws.ecr.RepositoryPolicy(f"{name}-{team.name}", repository=repo.name,
                                     policy=pulumi.Output.json_dumps(policy(repository_statements(
                                         args.node_role_arn, pushers))), opts=child)
            self.repositories[team.name] = repo

        self.cache_rules: dict[str, aws.ecr.PullThroughCacheRule] = {}
        for upstream_name in cfg.caches:
            upstream = UPSTREAMS[upstream_name]
            secret = cfg.credentials.get(upstream_name)
            credential_arn = ctx.arn("secretsmanager", f"secret:{secret}") if secret else None
            self.cache_rules[upstream_name] = aws.ecr.PullThroughCacheRule(
                f"{name}-cache-{upstream_name}", ecr_repository_prefix=aws_cache_prefix(ctx.prefix, upstream_name),
                upstream_registry_url=upstream.aws_url, credential_arn=credential_arn, opts=child)

        if cfg.caches:
            doc = aws.iam.Policy(
                f"{name}-node-cache-import", description=f"{ctx.prefix} nodes: first pulls through the caches",
                policy=json.dumps(policy(cache_import_statements(ctx, cfg.caches))), tags=ctx.tagged(), opts=child)
            aws.iam.RolePolicyAttachment(f"{name}-node-cache-import", role=args.node_role_name, policy_arn=doc.arn,
                                         opts=child)

        if cfg.enhanced_scanning:
            aws.ecr.RegistryScanningConfiguration(
                f"{name}-scanning", scan_type="ENHANCED",
                rules=[aws.ecr.RegistryScanningConfigurationRuleArgs(
                    scan_frequency="SCAN_ON_PUSH",
                    repository_filters=[aws.ecr.RegistryScanningConfigurationRuleRepositoryFilterArgs(
                        filter=f"{ctx.prefix}/*", filter_type="WILDCARD")])],
                opts=child)

        self.register_outputs({
            "repositoryUrls": {t: r.repository_url for t, r in self.repositories.items()},
            "cachePrefixes": {u: aws_cache_prefix(ctx.prefix, u) for u in cfg.caches},
        })
