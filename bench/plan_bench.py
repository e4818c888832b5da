"""Benchmark `lz plan` against its floor: the bare SDK registering the same resources under the
stock MockMonitor.

For each example stack and for synthetic programs of about 100, 1,000 and 3,000 resources it
prints wall time, peak RSS and resources per second of the full `lz plan` (program, policy pack
over gRPC, JSON output), and the same for the floor, and their ratio. Target: within 1.5x of the
floor, and linear in resources. `check s` is the provider-schema check's own time inside the plan
(`lz.schemaCheck.seconds` of the JSON, first use of each type included); `--no-schema-check` times
the plans without it. Every figure is measured in a fresh process (`os.wait4` gives its
peak RSS); each is the best of `--repeat` runs.

    .venv/bin/python bench/plan_bench.py [--repeat 3] [--sizes 100 1000 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

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

FLOOR = textwrap.dedent('''
    """The floor: the stock MockMonitor and trivial mocks running the same program."""
    import asyncio, os, runpy, sys
    import pulumi
    from pulumi.runtime import set_all_config
    from pulumi.runtime.mocks import Mocks, set_mocks
    from pulumi.runtime.stack import run_pulumi_func


    class Echo(Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}


    project_dir, cells = sys.argv[1], sys.argv[2]
    os.chdir(project_dir)
    sys.path.insert(0, project_dir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    set_all_config({"bench:cells": cells})
    set_mocks(Echo(), project="bench", stack="bench", preview=True)
    loop.run_until_complete(run_pulumi_func(lambda: runpy.run_path("__main__.py", run_name="__main__")))
''')


def measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit {code}:\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def best(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    runs = [measure(cmd, cwd) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def resource_count(plan_file: Path) -> int:
    return len(json.loads(plan_file.read_text())["steps"])


def schema_seconds(plan_file: Path) -> float | None:
    check = json.loads(plan_file.read_text())["lz"].get("schemaCheck")
    return check["seconds"] if check else None


def synthetic_project(base: Path, cells: int) -> Path:
    project = base / f"synthetic-{cells}"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
    (project / "Pulumi.bench.yaml").write_text(f"config:\n  aws:region: us-east-1\n  bench:cells: '{cells}'\n")
    (project / "__main__.py").write_text(SYNTHETIC)
    (project / "floor.py").write_text(FLOOR)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 3000])
    parser.add_argument("--no-schema-check", action="store_true", help="plan without the provider-schema check")
    args = parser.parse_args()
    lz = [PYTHON, "-m", "lz"]
    extra = ["--no-schema-check"] if args.no_schema_check else []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
        for stack in stacks:
            out = base / f"{stack}.json"
            seconds, rss = best([*lz, "plan", stack, "--json", str(out), *extra], ROOT, args.repeat)
            rows.append((f"stack {stack}", resource_count(out), seconds, rss, None, None, schema_seconds(out)))
        for size in args.sizes:
            cells = max(1, size // 5)
            project = synthetic_project(base, cells)
            out = base / f"synthetic-{cells}.json"
            seconds, rss = best([*lz, "plan", "bench", "-C", str(project), "--policy-pack", str(ROOT / "policies"),
                                 "--json", str(out), *extra], ROOT, args.repeat)
            floor_s, floor_rss = best([PYTHON, str(project / "floor.py"), str(project), str(cells)], ROOT, args.repeat)
            rows.append((f"synthetic {size}", resource_count(out), seconds, rss, floor_s, floor_rss,
                         schema_seconds(out)))

    print(f"{'plan':<18}{'resources':>10}{'wall s':>9}{'res/s':>9}{'RSS MiB':>9}"
          f"{'floor s':>9}{'floor MiB':>10}{'ratio':>7}{'check s':>9}")
    for name, count, seconds, rss, floor_s, floor_rss, check_s in rows:
        floor_cols = (f"{floor_s:>9.2f}{floor_rss:>10.0f}{seconds / floor_s:>7.2f}" if floor_s else
                      f"{'-':>9}{'-':>10}{'-':>7}")
        check_col = f"{check_s:>9.2f}" if check_s is not None else f"{'-':>9}"
        print(f"{name:<18}{count:>10}{seconds:>9.2f}{count / seconds:>9.0f}{rss:>9.0f}{floor_cols}{check_col}")
    synthetic = [r for r in rows if r[4]]
    if len(synthetic) >= 2:
        (_, n0, s0, *_), (_, n1, s1, *_) = synthetic[0], synthetic[-1]
        print(f"\nscaling: {n1 / n0:.1f}x resources took {s1 / s0:.1f}x time "
              f"({(s1 - s0) / (n1 - n0) * 1000:.2f} ms per extra resource)")


if __name__ == "__main__":
    main()
