"""Supply chain on GCP (issue 18): each team's secret store reads only the team's secrets (the planned
conditional grants), the registries are private, immutable, CMEK-encrypted and cleaned, and the caches
are the configured upstreams."""

from __future__ import annotations

import re

import pytest
from gcp_plans import one, plan_gcp, stack_plan

from components.gcp.registries import remote_config
from components.gcp.team_identity import SECRET_READER_ROLE, team_secret_condition
from components.names import resource_prefix
from components.registry_upstreams import gcp_cache_repository, gcp_secret_prefix, gcp_team_repository
from lz.testing import inputs, of_type

TEAMS = ("research", "applied")
STARTS = re.compile(r'^resource\.name\.startsWith\("([^"]+)"\)$')
SECRET_ROLES = {SECRET_READER_ROLE, "roles/secretmanager.admin", "roles/secretmanager.secretVersionAdder"}


@pytest.fixture(scope="module")
def dev():
    return stack_plan("gcp-dev")


def _admits(expression: str, resource: str) -> bool:
    """The one CEL shape the landing zone writes: resource.name.startsWith("<prefix>")."""
    m = STARTS.match(expression)
    assert m, f"unexpected condition {expression!r}"
    return resource.startswith(m.group(1))


def _secret_grants(plan):
    return [inputs(r) for r in of_type(plan, "gcp:projects/iAMMember:IAMMember") if inputs(r)["role"] in SECRET_ROLES]


def test_every_secret_grant_is_conditioned(dev):
    grants = _secret_grants(dev)
    assert len(grants) == 2 * len(TEAMS)          # reader (team SA) and version adder (team group) per team
    assert all(g.get("condition", {}).get("expression") for g in grants)


@pytest.mark.parametrize("team", TEAMS)
def test_team_store_reads_its_own_secrets_and_no_other(dev, team):
    """The SecretStore authenticates as the team's service account; its reading grant admits only the
    team's secrets (and their versions)."""
    reader = inputs(one(dev, "gcp:projects/iAMMember:IAMMember", f"team-{team}-secrets"))
    assert reader["role"] == SECRET_READER_ROLE
    expression = reader["condition"]["expression"]
    number = STARTS.match(expression).group(1).split("/")[1]
    own = f"projects/{number}/secrets/{gcp_secret_prefix(team)}hf-token/versions/1"
    assert _admits(expression, own)
    for other in TEAMS:
        if other != team:
            assert not _admits(expression, f"projects/{number}/secrets/{gcp_secret_prefix(other)}hf-token/versions/1")


def test_a_team_prefix_is_never_the_start_of_another_teams():
    """Team names are DNS labels: with a '-' separator team `ml` would read team `ml-ops`'s secrets."""
    condition = team_secret_condition("42", "ml")
    assert _admits(condition, "projects/42/secrets/ml__token")
    assert not _admits(condition, "projects/42/secrets/ml-ops__token")


def test_team_repositories(dev):
    for team in TEAMS:
        repo = inputs(one(dev, "gcp:artifactregistry/repository:Repository", f"registries-{team}"))
        assert repo["repositoryId"] == gcp_team_repository(resource_prefix("gcp-dev"), team)
        assert repo["format"] == "DOCKER" and repo["mode"] == "STANDARD_REPOSITORY"
        assert repo["dockerConfig"] == {"immutableTags": True}
        assert repo["kmsKeyName"]
        assert repo["cleanupPolicyDryRun"] is False
        assert repo["cleanupPolicies"][0]["action"] == "DELETE"
        assert repo["cleanupPolicies"][0]["condition"]["tagState"] == "UNTAGGED"
        writers = [inputs(r) for r in of_type(dev, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
                   if r.name.startswith(f"lz-registries-{team}-writer")]
        assert [w["member"] for w in writers] == [f"group:ml-{team}@example.com"]


def test_caches_are_remote_repositories_of_the_configured_upstreams(dev):
    for upstream in ("ecr-public", "k8s", "quay"):
        repo = inputs(one(dev, "gcp:artifactregistry/repository:Repository", f"registries-cache-{upstream}"))
        assert repo["repositoryId"] == gcp_cache_repository(resource_prefix("gcp-dev"), upstream)
        assert repo["mode"] == "REMOTE_REPOSITORY"
    assert remote_config("docker-hub").docker_repository.public_repository == "DOCKER_HUB"


def test_scanning_api_follows_scan_on_push():
    services = {inputs(r)["service"] for r in of_type(plan_gcp({"registries": {"scanOnPush": False}}),
                                                        "gcp:projects/service:Service")}
    assert "containerscanning.googleapis.com" not in services
    assert "secretmanager.googleapis.com" in services


def test_image_streaming_is_opt_in_and_cos_only():
    pool = {"name": "l4", "instanceType": "g2-standard-48", "maxNodes": 2}
    off = inputs(one(plan_gcp({"gpuPools": [pool]}), "gcp:container/nodePool:NodePool", "l4-pool"))
    assert "gcfsConfig" not in off["nodeConfig"]
    on = inputs(one(plan_gcp({"gpuPools": [pool], "registries": {"imageStreaming": True}}),
                    "gcp:container/nodePool:NodePool", "l4-pool"))
    assert on["nodeConfig"]["gcfsConfig"] == {"enabled": True}
    ubuntu = inputs(one(plan_gcp({"gpuPools": [{**pool, "image": "ubuntu"}], "registries": {"imageStreaming": True}}),
                        "gcp:container/nodePool:NodePool", "l4-pool"))
    assert "gcfsConfig" not in ubuntu["nodeConfig"]


def test_secret_stores_use_workload_identity(dev):
    stores = [r for r in dev.records if r.type == "kubernetes:external-secrets.io/v1:SecretStore"]
    assert {inputs(s)["metadata"]["namespace"] for s in stores} == set(TEAMS)
    for s in stores:
        provider = inputs(s)["spec"]["provider"]["gcpsm"]
        assert provider["projectID"] == "acme-ml-dev"
        assert provider["auth"]["workloadIdentity"]["serviceAccountRef"] == {"name": inputs(s)["metadata"]["namespace"]}
