"""Supply chain on AWS (issue 18): the planned IAM keeps each team's secret store to its own prefix, the
registries are private, immutable, encrypted, scanned and cleaned, and the caches are what config says."""

from __future__ import annotations

import json
import sys

import pytest
from aws_plans import of_type, one, plan_aws, stack_plan

from components.aws.registries import lifecycle_policy
from components.registry_upstreams import aws_cache_prefix, aws_secret_prefix, aws_team_repository
from lz.journeys import PACK, ROOT, stack_view
from lz.testing import inputs

for _p in (str(PACK), str(ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from lzpolicy.journeys.awsiam import role_allows  # noqa: E402

ACCOUNT, REGION, PREFIX = "123456789012", "us-east-1", "ai-lz-dev"
TEAMS = ("research", "applied")


def secret_arn(team: str, name: str = "hf-token") -> str:
    return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{aws_secret_prefix(PREFIX, team)}{name}-AbCdEf"


@pytest.fixture(scope="module")
def dev():
    return stack_plan("dev")


@pytest.fixture(scope="module")
def view(dev):
    return stack_view(dev)


def role(view, suffix: str):
    found = [r for r in view.of_type("aws:iam/role:Role") if r.name.endswith(suffix)]
    assert len(found) == 1, [r.name for r in view.of_type("aws:iam/role:Role")]
    return found[0]


@pytest.mark.parametrize("team", TEAMS)
def test_team_store_reads_its_own_prefix_and_no_other(view, team):
    """The SecretStore authenticates as the team's workload role: what that role may read is what it reads."""
    pods = role(view, f"identity-team-{team}")
    assert role_allows(view, pods, "secretsmanager:GetSecretValue", secret_arn(team))
    for other in TEAMS:
        if other != team:
            assert not role_allows(view, pods, "secretsmanager:GetSecretValue", secret_arn(other))
    # a name that merely starts like the team's is not under its prefix (the prefix ends with '/')
    assert not role_allows(view, pods, "secretsmanager:GetSecretValue",
                           f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{PREFIX}/teams/{team}x/t-AbCdEf")
    assert not role_allows(view, pods, "secretsmanager:ListSecrets", "*")
    assert not role_allows(view, pods, "secretsmanager:PutSecretValue", secret_arn(team))


@pytest.mark.parametrize("team", TEAMS)
def test_people_put_secrets_and_push_images_for_their_team_only(view, team):
    people = role(view, f"identity-team-{team}-people")
    assert role_allows(view, people, "secretsmanager:PutSecretValue", secret_arn(team))
    repo = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{aws_team_repository(PREFIX, team)}"
    assert role_allows(view, people, "ecr:PutImage", repo)
    for other in TEAMS:
        if other != team:
            assert not role_allows(view, people, "secretsmanager:PutSecretValue", secret_arn(other))
            assert not role_allows(view, people, "ecr:PutImage",
                                   f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{aws_team_repository(PREFIX, other)}")


def test_boundary_forbids_secret_and_repository_policies(view):
    pods = role(view, "identity-team-research")
    assert not role_allows(view, pods, "secretsmanager:PutResourcePolicy", secret_arn("research"))


def test_nodes_import_through_the_caches_only(view):
    node = role(view, "iam-node")
    cache = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{aws_cache_prefix(PREFIX, 'quay')}/org/img"
    assert role_allows(view, node, "ecr:BatchImportUpstreamImage", cache)
    assert role_allows(view, node, "ecr:CreateRepository", cache)
    assert not role_allows(view, node, "ecr:CreateRepository",
                           f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{aws_team_repository(PREFIX, 'research')}")


def test_team_repositories(dev):
    repos = {inputs(r)["name"]: inputs(r) for r in of_type(dev, "aws:ecr/repository:Repository")}
    assert set(repos) == {aws_team_repository(PREFIX, t) for t in TEAMS}
    for repo in repos.values():
        assert repo["imageTagMutability"] == "IMMUTABLE"
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo["encryptionConfigurations"][0]["encryptionType"] == "KMS"
    policy = json.loads(inputs(one(dev, "aws:ecr/repositoryPolicy:RepositoryPolicy", "registries-research"))["policy"])
    sids = {s["Sid"]: s for s in policy["Statement"]}
    assert set(sids) == {"NodesPull", "TeamPush"}
    assert "ecr:PutImage" not in sids["NodesPull"]["Action"]


def test_default_caches_need_no_credentials(dev):
    rules = {inputs(r)["upstreamRegistryUrl"]: inputs(r) for r in of_type(dev, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule")}
    assert set(rules) == {"public.ecr.aws", "registry.k8s.io", "quay.io"}
    assert all("credentialArn" not in r for r in rules.values())


def test_docker_hub_cache_takes_the_configured_secret():
    plan = plan_aws({"registries": {"caches": ["docker-hub"],
                                    "credentials": {"docker-hub": "ecr-pullthroughcache/docker-hub"}}})
    rule = inputs(one(plan, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "cache-docker-hub"))
    assert rule["upstreamRegistryUrl"] == "registry-1.docker.io"
    assert rule["credentialArn"].endswith(":secret:ecr-pullthroughcache/docker-hub")


def test_lifecycle_expires_untagged_images():
    rule = lifecycle_policy(14)["rules"][0]
    assert rule["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                                 "countNumber": 14}
    assert rule["action"] == {"type": "expire"}


def test_secret_stores_are_bound_to_the_team_service_account(dev):
    stores = [r for r in dev.records if r.type == "kubernetes:external-secrets.io/v1:SecretStore"]
    assert {inputs(s)["metadata"]["namespace"] for s in stores} == set(TEAMS)
    for s in stores:
        provider = inputs(s)["spec"]["provider"]["aws"]
        assert provider["service"] == "SecretsManager"
        assert provider["auth"] == {"jwt": {"serviceAccountRef": {"name": inputs(s)["metadata"]["namespace"]}}}


def test_enhanced_scanning_is_opt_in_and_filtered_to_this_stack():
    assert not of_type(plan_aws({}), "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    scanning = inputs(one(plan_aws({"registries": {"enhancedScanning": True}}),
                          "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"))
    assert scanning["scanType"] == "ENHANCED"
    assert scanning["rules"] == [{"scanFrequency": "SCAN_ON_PUSH",
                                  "repositoryFilters": [{"filter": "ai-lz-t/*", "filterType": "WILDCARD"}]}]
