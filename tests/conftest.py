"""Test-session setup shared by every directory.

- Plans of the committed example stacks are made once per session and shared (`lz.testing.committed_plan`,
  used by `aws_plans`, `gcp_plans`, `k8s_helpers`, the cost and the example-stack tests, and the
  `committed_plan` fixture below); pytest-xdist workers (`make test` runs two) share them through a
  session directory, `$LZ_TEST_SHARED_PLANS`, made here by the controlling process.
- Tests that run the offline engine (a plan, the policy pack over gRPC, or the CLI in a subprocess) are
  marked `e2e`. `make test` runs everything; `make test-quick` (`pytest -m "not e2e"`) runs the pure,
  table-driven tests in seconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from lz.engine.plan import Plan
from lz.testing import SHARED_PLANS_ENV
from lz.testing import committed_plan as _committed_plan

# Modules whose tests plan through the engine or start the policy pack (any test in them may).
E2E_MODULES = {
    "aws/test_aws_gpu_pools.py", "aws/test_aws_iam.py", "aws/test_aws_inventory.py", "aws/test_aws_network.py",
    "aws/test_aws_storage.py", "aws/test_aws_workspace_teams.py",
    "ci/test_workflows.py", "cli/test_plan_many.py",
    "cost/test_cost_landing_zone.py", "cost/test_cost_plans.py",
    "gcp/test_gcp_aws_parity.py", "gcp/test_gcp_stacks.py", "gcp/test_gcp_variants.py",
    "k8s/test_k8s_platform_plan.py", "k8s/test_k8s_stacks.py",
    "policies/test_policy_cli.py", "policies/test_policy_rules.py",
    "spine/test_engine.py", "spine/test_example_stacks.py", "spine/test_validation_pipeline.py",
    "spine/test_config_errors.py", "engine/test_program_modules.py",
    "templates/test_new_stack.py", "templates/test_template_plans.py",
}
TESTS = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the offline engine or the CLI (skipped by make test-quick)")
    if not hasattr(config, "workerinput") and SHARED_PLANS_ENV not in os.environ:
        # The controlling process (or the only one): a directory the xdist workers, started after this,
        # inherit through the environment, so the committed stacks are planned once per session.
        directory = tempfile.mkdtemp(prefix="lz-plans-")
        os.environ[SHARED_PLANS_ENV] = directory
        config.add_cleanup(lambda: (shutil.rmtree(directory, ignore_errors=True),
                                    os.environ.pop(SHARED_PLANS_ENV, None)))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(str(item.fspath)).resolve().relative_to(TESTS).as_posix()
        if relative in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def committed_plan() -> Callable[[str], Plan]:
    """`committed_plan("dev")`: the dev stack planned once per session with its policy pack (read only)."""
    return _committed_plan
