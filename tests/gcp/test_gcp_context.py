"""`GcpContext`: the names, labels, service agents and options every GCP component composes from it."""

from __future__ import annotations

import asyncio

import pulumi
import pytest

from components.gcp.common import AGENT_DOMAINS, GcpContext, service_agent
from components.names import stack_prefix

LABELS = {"team": "ml", "environment": "dev", "cost-center": "ml-1", "managed-by": "pulumi-ai-landing-zone"}


def ctx(environment: str = "dev", project: str = "acme-ml", protect: bool = False, *,
        stack: str = "gcp-dev", scheme: str = "stack") -> GcpContext:
    return GcpContext(project=project, project_number="123456789012", region="us-central1",
                      environment=environment, labels=LABELS, protect=protect,
                      prefix=stack_prefix(stack, cloud="gcp", environment=environment, scheme=scheme),
                      legacy_names=scheme == "legacy")


@pytest.mark.parametrize(("environment", "stack", "scheme", "prefix", "prod"), [
    ("dev", "gcp-dev", "stack", "ai-lz-gcp-dev", False),
    ("prod", "gcp-prod", "stack", "ai-lz-gcp-prod", True),
    # legacy: the names GCP stacks got before the stack-scoped scheme
    ("dev", "gcp-dev", "legacy", "lz-dev", False), ("staging", "x", "legacy", "lz-staging", False),
    ("prod", "gcp-prod", "legacy", "lz-prod", True)])
def test_prefix_and_prod(environment, stack, scheme, prefix, prod):
    c = ctx(environment, stack=stack, scheme=scheme)
    assert (c.prefix, c.is_prod) == (prefix, prod)
    assert c.physical_name("gke") == f"{prefix}-gke"


@pytest.mark.parametrize(("stack", "scheme", "kind", "name", "expected"), [
    ("dev", "stack", "node", "system", "ai-lz-dev-node-system"),
    ("gcp-prod", "stack", "team", "vision", "ai-lz-gcp-prod-team-vision"),
    ("gcp-prod", "legacy", "team", "vision", "lz-dev-team-vision"),
    # Longer than 30 characters: shortened with a stable hash (layout.account_id).
    ("gcp-staging", "stack", "node", "very-long-pool-name-for-training", None),
])
def test_account_id(stack, scheme, kind, name, expected):
    c = ctx(stack=stack, scheme=scheme)
    got = c.account_id(kind, name)
    assert 6 <= len(got) <= 30 and got.startswith(f"{c.prefix}-{kind}"[:25])
    if expected:
        assert got == expected


@pytest.mark.parametrize(("project", "stack", "scheme", "purpose", "expected"), [
    ("acme-ml", "gcp-dev", "stack", "datasets", "acme-ml-ai-lz-gcp-dev-datasets"),
    ("google-ml", "gcp-prod", "stack", "logs", "g00gle-ml-ai-lz-gcp-prod-logs"),  # no "google" in bucket names
    ("acme-ml", "gcp-dev", "legacy", "datasets", "acme-ml-dev-datasets"),
])
def test_bucket_name(project, stack, scheme, purpose, expected):
    assert ctx("dev", project, stack=stack, scheme=scheme).bucket_name(purpose) == expected


def test_two_stacks_of_one_environment_in_one_project_get_different_names():
    """Before the stack-scoped scheme both were `lz-dev`: one cluster, bucket and service account apart."""
    a, b = ctx("dev", stack="team-a-dev"), ctx("dev", stack="team-b-dev")
    assert a.physical_name("gke") != b.physical_name("gke")
    assert a.bucket_name("datasets") != b.bucket_name("datasets")
    assert a.account_id("node", "h100") != b.account_id("node", "h100")


@pytest.mark.parametrize(("extra", "expected"), [
    ({}, LABELS),
    ({"use": "gke"}, {**LABELS, "use": "gke"}),
    ({"purpose": "Data Sets"}, {**LABELS, "purpose": "data_sets"}),   # GCP label rules apply to extras
    ({"team": "Other"}, {**LABELS, "team": "other"}),                 # an extra overrides a cost label
])
def test_labelled(extra, expected):
    assert ctx().labelled(**extra) == expected
    assert ctx().labels == LABELS  # never mutated


@pytest.mark.parametrize(("use", "expected"), [
    ("gke", "service-123456789012@container-engine-robot.iam.gserviceaccount.com"),
    ("disks", "service-123456789012@compute-system.iam.gserviceaccount.com"),
    ("managedLustre", "service-123456789012@gcp-sa-lustre.iam.gserviceaccount.com"),
    ("filestore", "service-123456789012@cloud-filer.iam.gserviceaccount.com"),
])
def test_service_agents(use, expected):
    assert service_agent("123456789012", use) == expected

    async def member() -> str | None:  # the Output is made and resolved on one event loop
        return await ctx().service_agent_member(use).future()

    assert asyncio.run(member()) == f"serviceAccount:{expected}"


def test_storage_agent_is_looked_up_not_composed():
    # The Cloud Storage agent exists only once asked for (keys.storage_agent_member).
    assert "storage" not in AGENT_DOMAINS


def test_project_path():
    assert ctx(project="acme-ml").project_path == "projects/acme-ml"


@pytest.mark.parametrize("protect", [True, False])
def test_stateful_options(protect):
    parent = pulumi.ComponentResource.__new__(pulumi.ComponentResource)  # an identity only: never registered
    waited = pulumi.ComponentResource.__new__(pulumi.ComponentResource)
    inherited = pulumi.ResourceOptions(depends_on=[waited])
    opts = ctx(protect=protect).stateful(parent, inherited, ignore_changes=["x"])
    assert (opts.parent, opts.protect, opts.retain_on_delete) == (parent, protect, protect)
    assert opts.depends_on == [waited] and opts.ignore_changes == ["x"]
