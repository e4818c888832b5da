"""One naming scheme for both clouds: `names.stack_prefix`, used by `AwsContext` and `GcpContext` alike."""

from __future__ import annotations

import re

import pytest

from components.names import PREFIX_MAX_LENGTH, resource_prefix, stack_prefix

VALID = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


@pytest.mark.parametrize(("stack", "expected"), [
    ("dev", "ai-lz-dev"), ("prod", "ai-lz-prod"), ("gcp-dev", "ai-lz-gcp-dev"), ("gcp-prod", "ai-lz-gcp-prod"),
    ("eighteen-chars-abc", "ai-lz-eighteen-chars-abc"),   # exactly PREFIX_MAX_LENGTH: kept as written
])
def test_stack_names_that_fit_are_kept(stack, expected):
    assert resource_prefix(stack) == expected


@pytest.mark.parametrize("stack", ["Prod", "prod_us", "ml.prod", "nineteen-chars-abcd",
                                   "a-very-long-stack-name-for-the-research-platform", "trailing-"])
def test_other_stack_names_are_normalised_bounded_and_distinct(stack):
    got = resource_prefix(stack)
    assert VALID.match(got) and len(got) <= PREFIX_MAX_LENGTH and got.startswith("ai-lz-")
    assert got == resource_prefix(stack)                       # stable
    assert got != resource_prefix(stack.lower().replace("_", "-").replace(".", "-").rstrip("-")[:18])


def test_names_built_from_the_longest_prefix_fit_the_tightest_limits():
    prefix = resource_prefix("x" * 100)
    assert len(prefix) == PREFIX_MAX_LENGTH
    assert len(f"{prefix}-gke") <= 40                   # GKE cluster name
    assert len(f"{prefix}-managedlustre") <= 63         # Managed Lustre instance id


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_one_scheme_on_both_clouds(cloud):
    assert stack_prefix("team-a", cloud=cloud, environment="dev") == "ai-lz-team-a"
    assert stack_prefix("team-a", cloud=cloud, environment="dev") != stack_prefix(
        "team-b", cloud=cloud, environment="dev")


@pytest.mark.parametrize(("cloud", "stack", "expected"), [
    ("aws", "Prod_US", "ai-lz-Prod_US"),   # AWS stacks kept the stack name as written
    ("gcp", "gcp-prod", "lz-prod"),        # GCP stacks were named after the environment
])
def test_legacy_keeps_the_names_deployed_stacks_have(cloud, stack, expected):
    assert stack_prefix(stack, cloud=cloud, environment="prod", scheme="legacy") == expected
