"""`GcpContext`: the names, labels, service agents and options every GCP component composes from it."""

from __future__ import annotations

import asyncio

import pulumi
import pytest

from components.gcp.common import AGENT_DOMAINS, GcpContext, service_agent

LABELS = {"team": "ml", "environment": "dev", "cost-center": "ml-1", "managed-by": "pulumi-ai-landing-zone"}


def ctx(environment: str = "dev", project: str = "acme-ml", protect: bool = False) -> GcpContext:
    return GcpContext(project=project, project_number="123456789012", region="us-central1",
                      environment=environment, labels=LABELS, protect=protect)


@pytest.mark.parametrize(("environment", "prefix", "prod"), [
    ("dev", "lz-dev", False), ("staging", "lz-staging", False), ("prod", "lz-prod", True)])
def test_prefix_and_prod(environment, prefix, prod):
    c = ctx(environment)
    assert (c.prefix, c.is_prod) == (prefix, prod)
    assert c.physical_name("gke") == f"{prefix}-gke"


@pytest.mark.parametrize(("environment", "kind", "name", "expected"), [
    ("dev", "node", "system", "lz-dev-node-system"),
    ("prod", "team", "vision", "lz-prod-team-vision"),
    # Longer than 30 characters: shortened with a stable hash (layout.account_id).
    ("staging", "node", "very-long-pool-name-for-training", None),
])
def test_account_id(environment, kind, name, expected):
    got = ctx(environment).account_id(kind, name)
    assert 6 <= len(got) <= 30 and got.startswith(f"lz-{environment}-{kind}"[:25])
    if expected:
        assert got == expected


@pytest.mark.parametrize(("project", "environment", "purpose", "expected"), [
    ("acme-ml", "dev", "datasets", "acme-ml-dev-datasets"),
    ("google-ml", "prod", "logs", "g00gle-ml-prod-logs"),   # bucket names may not contain "google"
])
def test_bucket_name(project, environment, purpose, expected):
    assert ctx(environment, project).bucket_name(purpose) == expected


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
