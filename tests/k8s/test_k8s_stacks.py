"""Every committed stack with teams: each team namespace gets its GPU quota (equal to the config), a
default-deny policy and a LocalQueue; Kueue and the cloud's GPU device stack are installed; every
Kubernetes object goes through the platform's explicit provider and matches the OpenAPI schema."""

from __future__ import annotations

import pytest
from k8s_helpers import SOURCE, plan_committed_stack, schema_check

from components.config import load_stack_file, validate_config
from components.k8s.charts import NVIDIA_RESOURCE
from lz.testing import ROOT

PREFIX = "ai-landing-zone:"
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
BUILTIN = {"v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1"}


def stack_config(stack: str):
    raw = load_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    return validate_config({k[len(PREFIX):]: v for k, v in raw.items() if k.startswith(PREFIX)}, SOURCE)


def expected_gpu_quota(team) -> int:
    """Nominal GPUs plus the borrowing limit in each pool the team has quota in (every pool here is NVIDIA)."""
    pools = [p for p, n in team.gpu_quota.items() if n > 0]
    return sum(team.gpu_quota[p] for p in pools) + (team.borrowing_limit or 0) * len(pools)


@pytest.mark.parametrize("stack", [s for s in STACKS if stack_config(s).teams])
def test_platform_in_every_stack_with_teams(stack):
    config = stack_config(stack)
    exit_code, states = plan_committed_stack(stack)
    assert exit_code == 0
    platform = [s for s in states if s["custom"] and "lz:k8s:Platform" in s["urn"]]
    [provider] = [s for s in platform if s["type"] == "pulumi:providers:kubernetes"]
    assert not [s for s in states if s["type"] == "pulumi:providers:kubernetes" and "::default" in s["urn"]]
    assert all(s["provider"] == f"{provider['urn']}::{provider['id']}" for s in platform if s is not provider)

    objects = [s["inputs"] for s in platform if s is not provider]
    for team in config.teams:
        mine = [o for o in objects if o.get("metadata", {}).get("namespace") == team.name]
        quota = next(o for o in mine if o["kind"] == "ResourceQuota")["spec"]["hard"]
        assert quota[f"requests.{NVIDIA_RESOURCE}"] == str(expected_gpu_quota(team))
        # CPU and memory: the config's figures, or derived from the GPUs (components.k8s.kueue.team_compute);
        # the ResourceQuota and the ClusterQueue carry the same figures either way.
        cq_compute = next(o for o in objects if o.get("kind") == "ClusterQueue" and o["metadata"]["name"] == team.name)
        cpu_flavor = {r["name"]: r["nominalQuota"] for r in cq_compute["spec"]["resourceGroups"][0]["flavors"][0]["resources"]}
        assert (quota["requests.cpu"], quota["requests.memory"]) == (cpu_flavor["cpu"], cpu_flavor["memory"])
        if team.cpu:
            assert quota["requests.cpu"] == team.cpu
        if team.memory:
            assert quota["requests.memory"] == team.memory
        deny = next(o for o in mine if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "default-deny")
        assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        queue = next(o for o in mine if o["kind"] == "LocalQueue")
        assert queue["spec"]["clusterQueue"] == team.name
        cq = next(o for o in objects if o.get("kind") == "ClusterQueue" and o["metadata"]["name"] == team.name)
        nominal = {f["name"]: f["resources"][0]["nominalQuota"]
                   for g in cq["spec"]["resourceGroups"][1:] for f in g["flavors"]}
        assert nominal == {p: n for p, n in team.gpu_quota.items() if n > 0}

    charts = {s["inputs"]["name"] for s in platform if s["type"] == "kubernetes:helm.sh/v3:Release"}
    assert "kueue" in charts
    assert ("gpu-operator" in charts) == (config.cloud.value != "gcp")  # GKE manages drivers and device plugin

    builtin = [o for o in objects if o.get("apiVersion") in BUILTIN]
    assert {o["kind"] for o in builtin} >= {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy"}
    for obj in builtin:
        schema_check(obj, config.kubernetes.version)
