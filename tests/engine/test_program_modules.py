"""The planned program's own modules: kept for the reports on its plan, gone when the next plan starts."""

from __future__ import annotations

import gc
import sys
import textwrap
from pathlib import Path

from google.protobuf import json_format

from lz.engine.plan import PlanRequest, plan

PROGRAM = textwrap.dedent('''
    import gc

    import pulumi

    import counter_state

    pulumi.export("collecting", gc.isenabled())

    counter_state.SEEN.append(pulumi.get_stack())
    pulumi.export("seen", list(counter_state.SEEN))
''')


def _project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: modules\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    (tmp_path / "counter_state.py").write_text("SEEN: list[str] = []\n")
    for stack in ("a", "b"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    return tmp_path


def _outputs(result) -> dict:
    return json_format.MessageToDict(result.run.outputs)


def _seen(result) -> list[str]:
    return _outputs(result)["seen"]


def test_program_modules_stay_for_the_reports_and_are_fresh_in_the_next_plan(tmp_path):
    project = _project(tmp_path)
    first = plan(PlanRequest(project_dir=project, stack="a", use_project_pack=False, schema_check=False))
    assert first.run.error is None and _seen(first) == ["a"]
    # After its plan, the program's module is still the one it ran with: reports importing the project's
    # modules (lz cost, the journeys) reuse them instead of importing and building them again.
    module = sys.modules.get("counter_state")
    assert module is not None and module.SEEN == ["a"]
    second = plan(PlanRequest(project_dir=project, stack="b", use_project_pack=False, schema_check=False))
    # The next plan imports the program's modules afresh: nothing of stack a reaches stack b.
    assert second.run.error is None and _seen(second) == ["b"]
    assert sys.modules["counter_state"] is not module


def test_the_program_runs_without_cyclic_gc_and_the_collector_comes_back(tmp_path):
    # Automatic collections during the provider SDKs' imports walk every long-lived object again and again
    # (lz/engine/runner.py); one collection runs when the program is over.
    assert gc.isenabled()
    result = plan(PlanRequest(project_dir=_project(tmp_path), stack="a", use_project_pack=False,
                              schema_check=False))
    assert _outputs(result)["collecting"] is False
    assert gc.isenabled()
