"""Benchmark `lz plan` against its floor, on the example stacks (and optional synthetic programs).

The floor of a stack is the bare Pulumi SDK doing the same registrations: `bench/floor.py` imports
the provider modules the plan's resource types live in and registers the same resources (type, name,
parent, provider, wire inputs, replayed from a recorded `lz plan --json`) under a trivial mock
(`pulumi.runtime.mocks`, inputs echoed back). For every stack the bench prints wall time and peak RSS
of the full `lz plan STACK --json FILE` (program, policy pack over gRPC, schema check, cost, JSON and
human output) next to the floor's, their ratio, and where lz's time goes (`lz plan --timings`).
Floor and plan runs alternate (floor, plan, floor, plan, ...) so that a busy machine slows both alike;
each figure is the median of `--repeat` runs, each in a fresh process (`os.wait4` gives peak RSS).
It then times `lz plan` of all the stacks in one run against the sum of their single runs.

    .venv/bin/python bench/plan_bench.py [--repeat 3] [--stacks dev prod] [--sizes 100 1000]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FLOOR = Path(__file__).resolve().parent / "floor.py"

SYNTHETIC = textwrap.dedent('''
    """Synthetic load: cells of a component + VPC, subnet, security group and bucket (5 resources)."""
    import pulumi
    import pulumi_aws as aws

    cells = int(pulumi.Config().require("cells"))
    tags = {"team": "bench", "environment": "dev", "cost-center": "bench", "managed-by": "bench"}


    class Cell(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("bench:index:Cell", name, None, None)
            opts = pulumi.ResourceOptions(parent=self)
            vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16", tags=tags, opts=opts)
            aws.ec2.Subnet(f"{name}-subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24", tags=tags, opts=opts)
            aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=vpc.id, tags=tags, opts=opts,
                                  ingress=[aws.ec2.SecurityGroupIngressArgs(
                                      protocol="tcp", from_port=443, to_port=443, cidr_blocks=["10.0.0.0/16"])])
            aws.s3.Bucket(f"{name}-bucket", tags=tags, opts=opts)
            self.register_outputs({"vpc": vpc.id})


    for i in range(cells):
        Cell(f"cell{i}")
''')

#: As on a developer's machine or a CI runner: Python caches compiled modules (__pycache__) after the
#: first run. A PYTHONDONTWRITEBYTECODE=1 environment would make every run recompile the project's
#: modules (not the SDKs', which pip compiles at install), charging lz for the environment.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, str, float]:
    """(seconds, peak RSS in MiB, stderr, CPU seconds) of one fresh process; CPU includes the children it
    waited for (the policy pack), so it is the work done, which a busy machine does not inflate much."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit {code}:\n{stderr}")
    return seconds, usage.ru_maxrss / 1024, stderr, usage.ru_utime + usage.ru_stime


def sdk_class(token: str) -> list[str]:
    """[module, class] of the SDK class a program uses for a resource type (pulumi.runtime.rpc's registry,
    filled in when the provider package is imported: `_utilities.register` in each SDK's __init__)."""
    from pulumi.runtime import rpc

    if token.startswith("pulumi:providers:"):
        package = token.split(":", 2)[2]
        importlib.import_module("pulumi_" + package.replace("-", "_"))
        info = rpc.get_resource_package(package, "").pkg_info
        return [info["fqn"], info["class"]]
    package, mod, _ = token.split(":")
    top = "pulumi_" + package.replace("-", "_")
    importlib.import_module(top)
    info = getattr(rpc.get_resource_module(package, mod, ""), "mod_info", None) or {}
    if token in info.get("classes", {}):
        return [info["fqn"], info["classes"][token]]
    # Not a class of the SDK: a Kubernetes custom resource is registered by apiextensions.CustomResource.
    if package == "kubernetes":
        return [f"{top}.apiextensions", "CustomResource"]
    raise SystemExit(f"no SDK class for resource type {token}")


def replay_of(plan: dict[str, Any]) -> dict[str, Any]:
    """What floor.py registers, from a recorded `lz plan --json`."""
    resources, modules = [], []
    for step in plan["steps"]:
        state = step["newState"]
        name = step["urn"].rsplit("::", 1)[1]
        if step["type"] == "pulumi:pulumi:Stack" or (step["type"].startswith("pulumi:providers:")
                                                     and name.startswith("default")):
            continue  # the root stack and default providers are the engine's, not the program's
        if state["custom"] or step["type"].startswith("pulumi:providers:"):
            module = sdk_class(step["type"])
            if module not in modules:
                modules.append(module)
        resources.append({"urn": step["urn"], "type": step["type"], "name": name, "custom": state["custom"],
                          "parent": state["parent"], "provider": state["provider"], "inputs": state["inputs"]})
    return {"project": plan["lz"]["project"], "stack": plan["lz"]["stack"], "config": plan["config"],
            "modules": modules, "resources": resources, "outputs": plan["outputs"]}


def stacks_of(root: Path) -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (root / "stacks").glob("Pulumi.*.yaml"))


def timings_of(stderr: str) -> dict[str, float]:
    for line in reversed(stderr.splitlines()):
        if line.startswith("lz-timings "):
            return json.loads(line[len("lz-timings "):])
    return {}


def floor_split(stderr: str) -> dict[str, float]:
    for line in reversed(stderr.splitlines()):
        if line.startswith("imports="):
            return {k: float(v) for k, v in (part.split("=") for part in line.split())}
    return {}


def bench_stack(stack: str, base: Path, repeat: int, extra: list[str]) -> dict[str, Any]:
    out = base / f"{stack}.json"
    lz = [PYTHON, "-m", "lz", "plan", stack, "--json", str(out), *extra]
    measure(lz, ROOT)  # records the plan the floor replays (and warms the file cache for both)
    plan = json.loads(out.read_text())
    replay = base / f"{stack}.replay.json"
    replay.write_text(json.dumps(replay_of(plan)))
    floors, plans = [], []
    for _ in range(repeat):  # interleaved: floor, plan, floor, plan, ...
        floors.append(measure([PYTHON, str(FLOOR), str(replay)], ROOT))
        plans.append(measure(lz, ROOT))
    phases: dict[str, list[float]] = {}
    for _, _, err, _ in plans:
        for key, value in timings_of(err).items():
            phases.setdefault(key, []).append(value)
    floor_phases: dict[str, list[float]] = {}
    for _, _, err, _ in floors:
        for key, value in floor_split(err).items():
            floor_phases.setdefault(key, []).append(value)
    return {
        "name": f"stack {stack}", "resources": len(plan["steps"]),
        "seconds": statistics.median(p[0] for p in plans), "rss": max(p[1] for p in plans),
        "floor": statistics.median(f[0] for f in floors), "floor_rss": max(f[1] for f in floors),
        "cpu": statistics.median(p[3] for p in plans), "floor_cpu": statistics.median(f[3] for f in floors),
        "phases": {k: statistics.median(v) for k, v in phases.items()},
        "floor_phases": {k: statistics.median(v) for k, v in floor_phases.items()},
    }


PHASES = (("startup", "lz imports"), ("program", "program"), ("packsReady", "packs up"),
          ("schema", "schema"), ("analysis", "analysis"), ("cost", "cost"), ("output", "output"))


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'plan':<16}{'resources':>10}{'lz s':>8}{'lz MiB':>8}{'floor s':>9}{'floor MiB':>10}{'ratio':>7}"
          f"{'lz cpu':>8}{'floor cpu':>10}{'cpu ratio':>10}")
    for row in rows:
        print(f"{row['name']:<16}{row['resources']:>10}{row['seconds']:>8.2f}{row['rss']:>8.0f}"
              f"{row['floor']:>9.2f}{row['floor_rss']:>10.0f}{row['seconds'] / row['floor']:>7.2f}"
              f"{row['cpu']:>8.2f}{row['floor_cpu']:>10.2f}{row['cpu'] / row['floor_cpu']:>10.2f}")
    print("\nwhere the time goes (median seconds; lz phases from `lz plan --timings`, the pack starts in"
          "\nparallel with the program and `packs up` is when it is ready; floor: imports + registration)")
    print(f"{'plan':<16}" + "".join(f"{label:>11}" for _, label in PHASES) + f"{'floor imp':>11}{'floor reg':>11}")
    for row in rows:
        cells = "".join(f"{row['phases'][key]:>11.2f}" if key in row["phases"] else f"{'-':>11}"
                        for key, _ in PHASES)
        fp = row["floor_phases"]
        print(f"{row['name']:<16}{cells}{fp.get('imports', 0):>11.2f}{fp.get('register', 0):>11.2f}")


def bench_multi(stacks: list[str], singles: dict[str, float], repeat: int, base: Path) -> None:
    runs = []
    for _ in range(repeat):
        cmd = [PYTHON, "-m", "lz", "plan", *stacks, "--json", str(base / "all.json")]
        runs.append(measure(cmd, ROOT)[0])
    together = statistics.median(runs)
    total = sum(singles[s] for s in stacks)
    print(f"\nlz plan {' '.join(stacks)}: {together:.2f} s in one run; the single runs sum to {total:.2f} s "
          f"({1 - together / total:.0%} less)")


def synthetic_project(base: Path, cells: int) -> Path:
    project = base / f"synthetic-{cells}"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (project / "Pulumi.bench.yaml").write_text(f"config:\n  aws:region: us-east-1\n  bench:cells: '{cells}'\n")
    (project / "__main__.py").write_text(SYNTHETIC)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stacks", nargs="*", help="example stacks to plan (default: every stacks/Pulumi.*.yaml)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[], help="synthetic programs of about N resources")
    parser.add_argument("--no-schema-check", action="store_true", help="plan without the provider-schema check")
    parser.add_argument("--no-multi", action="store_true", help="skip the many-stacks-in-one-run measurement")
    parser.add_argument("--root", type=Path, help="plan the stacks of another checkout with its own lz (before/after "
                                                  "figures: `git worktree add /tmp/base <commit>`); default: this one")
    args = parser.parse_args()
    global ROOT
    ROOT = (args.root or ROOT).resolve()
    extra = ["--no-schema-check"] if args.no_schema_check else []
    if "--timings" in (ROOT / "lz" / "cli.py").read_text():  # a checkout from before `--timings` has no phases
        extra.append("--timings")
    stacks = args.stacks or stacks_of(ROOT)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for stack in stacks:
            rows.append(bench_stack(stack, base, args.repeat, extra))
        for size in args.sizes:
            project = synthetic_project(base, max(1, size // 5))
            out = base / f"synthetic-{size}.json"
            lz = [PYTHON, "-m", "lz", "plan", "bench", "-C", str(project), "--policy-pack", str(ROOT / "policies"),
                  "--json", str(out), *extra]
            measure(lz, ROOT)
            replay = base / f"synthetic-{size}.replay.json"
            replay.write_text(json.dumps(replay_of(json.loads(out.read_text()))))
            floors, plans = [], []
            for _ in range(args.repeat):
                floors.append(measure([PYTHON, str(FLOOR), str(replay)], ROOT))
                plans.append(measure(lz, ROOT))
            rows.append({"name": f"synthetic {size}", "resources": len(json.loads(out.read_text())["steps"]),
                         "seconds": statistics.median(p[0] for p in plans), "rss": max(p[1] for p in plans),
                         "floor": statistics.median(f[0] for f in floors),
                         "floor_rss": max(f[1] for f in floors),
                         "cpu": statistics.median(p[3] for p in plans),
                         "floor_cpu": statistics.median(f[3] for f in floors),
                         "phases": {k: statistics.median(timings_of(p[2]).get(k, 0.0) for p in plans)
                                    for k, _ in PHASES},
                         "floor_phases": {k: statistics.median(floor_split(f[2]).get(k, 0.0) for f in floors)
                                          for k in ("imports", "register")}})
        print_table(rows)
        if len(stacks) > 1 and not args.no_multi:
            bench_multi(stacks, {r["name"][len("stack "):]: r["seconds"] for r in rows if r["name"].startswith("stack ")},
                        args.repeat, base)


if __name__ == "__main__":
    main()
