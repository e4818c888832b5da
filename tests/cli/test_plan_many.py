"""`lz plan STACK STACK...` and `--all`: one run, a fork per stack, output per stack, one summary, worst exit.

The CLI runs in a subprocess: it forks, which a pytest process that has already opened gRPC channels
must not do.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lz.engine.warm import imported_names

PROGRAM = textwrap.dedent('''
    """Exports what it saw, so a test can tell whether one stack's state reached the next."""
    import os

    import pulumi

    import state

    config = pulumi.Config()
    state.SEEN.append(pulumi.get_stack())
    os.environ["LZ_TEST_LAST_STACK"] = os.environ.get("LZ_TEST_LAST_STACK", "") + pulumi.get_stack()
    if config.get_bool("fail"):
        raise pulumi.RunError(f"stack {pulumi.get_stack()} fails on purpose")
    thing = pulumi.CustomResource("test:index:Thing", "thing", {"size": config.require_int("size")})
    pulumi.export("seen", list(state.SEEN))
    pulumi.export("environ", os.environ["LZ_TEST_LAST_STACK"])
    pulumi.export("onlyA", config.get("onlyA") or "unset")
''')


def _project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: many\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    (tmp_path / "state.py").write_text("SEEN: list[str] = []\n")
    (tmp_path / "Pulumi.a.yaml").write_text("config:\n  many:size: 1\n  many:onlyA: from-a\n")
    (tmp_path / "Pulumi.b.yaml").write_text("config:\n  many:size: 2\n")
    (tmp_path / "Pulumi.c.yaml").write_text("config:\n  many:size: 3\n  many:fail: true\n")
    return tmp_path


def _lz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lz", "plan", *args], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("many"))


def test_stacks_share_one_run_without_sharing_state(project):
    proc = _lz("a", "b", "c", "-C", str(project), "--no-policy", "--no-schema-check", "--json", "-")
    assert proc.returncode == 2, proc.stderr  # c failed: the worst exit code of the run
    plans = json.loads(proc.stdout)
    assert list(plans) == ["a", "b", "c"]
    a, b = plans["a"]["outputs"], plans["b"]["outputs"]
    # b ran after a in the same command, from a fresh copy of the parent: none of a's state is there.
    assert (a["seen"], a["environ"], a["onlyA"]) == (["a"], "a", "from-a")
    assert (b["seen"], b["environ"], b["onlyA"]) == (["b"], "b", "unset")
    assert [s["newState"]["inputs"] for s in plans["b"]["steps"] if s["type"] == "test:index:Thing"] == [{"size": 2}]
    assert plans["c"]["diagnostics"] == [{"severity": "error", "message": "stack c fails on purpose"}]
    # One summary (on stderr when stdout carries the JSON): a line per stack with its exit code.
    summary = {line.split("│")[1].strip(): line.split("│")[2].strip()
               for line in proc.stderr.splitlines() if line.startswith("│")}
    assert summary == {"a": "0", "b": "0", "c": "2"}


def test_all_plans_every_stack_file_and_writes_one_json_per_stack(project, tmp_path):
    out = tmp_path / "plans"
    proc = _lz("--all", "-C", str(project), "--no-policy", "--no-schema-check", "--json-dir", str(out))
    assert proc.returncode == 2
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json", "c.json"]
    # Each file has the single-stack shape (`lz cost --base` reads it).
    assert json.loads((out / "b.json").read_text())["lz"]["stack"] == "b"
    assert "lz plan a" in proc.stdout and "lz plan c" in proc.stdout  # output per stack, then the summary
    assert proc.stdout.rindex("Stacks") > proc.stdout.rindex("lz plan c")


def test_naming_a_stack_twice_or_none_is_a_usage_error(project):
    assert _lz("a", "a", "-C", str(project), "--no-policy").returncode == 2
    proc = _lz("-C", str(project), "--no-policy")
    assert proc.returncode == 2 and "name a stack" in proc.stderr


@pytest.mark.parametrize(("source", "local", "expected"), [
    ("import pulumi_aws as aws\naws.ec2.Vpc('v')\n", set(), ["pulumi_aws", "pulumi_aws.ec2.Vpc"]),
    ("import pulumi_kubernetes as k8s\nk8s.core.v1.Namespace('n')\n", set(),
     ["pulumi_kubernetes", "pulumi_kubernetes.core.v1.Namespace"]),
    ("from pulumi_gcp import compute\n", set(), ["pulumi_gcp", "pulumi_gcp.compute"]),
    # The project's own modules are the program's: each stack runs them afresh.
    ("from components.config import load_config\nimport yaml\n", {"components"}, ["yaml"]),
    ("from . import sibling\n", set(), []),
])
def test_warm_imports_name_what_the_program_imports_from_outside(source, local, expected):
    assert imported_names(source, local) == expected


@pytest.mark.parametrize("requested, stacks, cores, expected", [
    (None, 5, 2, 2),    # one per core by default
    (None, 1, 8, 1),    # never more than there are stacks
    (3, 5, 2, 3),       # --jobs wins over the core count
    (1, 5, 8, 1),       # --jobs 1: one stack at a time
    (None, 5, None, 1),  # core count unknown: one at a time
])
def test_plan_jobs(monkeypatch, requested, stacks, cores, expected):
    from lz import multi

    monkeypatch.setattr(multi.os, "cpu_count", lambda: cores)
    assert multi.plan_jobs(requested, stacks) == expected


def test_stacks_planned_side_by_side_print_whole_and_in_the_order_named(project):
    proc = _lz("c", "b", "a", "-C", str(project), "--no-policy", "--no-schema-check", "--jobs", "3")
    assert proc.returncode == 2, proc.stderr
    out = proc.stdout
    rules = [out.index(f"lz plan {stack}") for stack in ("c", "b", "a")]
    assert rules == sorted(rules)  # the order named, whichever child ended first
    # c's failure is printed inside c's section, before b's starts.
    assert rules[0] < out.index("stack c fails on purpose") < rules[1]


STACK_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "stack_pack"


def _pack_reports(plan: dict) -> list[dict]:
    return [json.loads(v["message"][v["message"].index("{"):v["message"].rindex("}") + 1])
            for v in plan["policyViolations"] if v["policyName"] == "stack-probe"]


def test_packs_fork_from_one_warm_server_and_each_sees_only_its_stack(project):
    """Many stacks: each stack's pack is forked from one warm fork server (lz/engine/packfork.py), with
    that stack's environment and working directory and fresh module state, as a process of its own."""
    proc = _lz("a", "b", "-C", str(project), "--no-schema-check", "--policy-pack", str(STACK_PACK),
               "--json", "-")
    assert proc.returncode == 0, proc.stderr
    plans = json.loads(proc.stdout)
    reports = {stack: _pack_reports(plans[stack]) for stack in ("a", "b")}
    for stack, size in (("a", "1"), ("b", "2")):
        assert reports[stack] == [{"stack": stack, "size": size, "seen": [stack], "cwd": str(STACK_PACK),
                                   "forked": True}]


def test_a_single_plan_starts_its_pack_as_a_process_of_its_own(project):
    proc = _lz("a", "-C", str(project), "--no-schema-check", "--policy-pack", str(STACK_PACK), "--json", "-")
    assert proc.returncode == 0, proc.stderr
    assert _pack_reports(json.loads(proc.stdout)) == [
        {"stack": "a", "size": "1", "seen": ["a"], "cwd": str(STACK_PACK), "forked": False}]
