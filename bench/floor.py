"""The floor of `lz plan STACK`: the bare Pulumi SDK registering the same resources under a trivial mock.

`python bench/floor.py REPLAY.json` reads a replay file written by `plan_bench.py` from a recorded
`lz plan --json` (see `replay_of`), loads the SDK class of every resource type the plan registers (the
module and class `pulumi.runtime.rpc` maps each type token to: what the program's own imports load),
and registers the same resources (type, name, parent, explicit provider, wire inputs) in the same order under `pulumi.runtime.mocks.set_mocks` with a mock that echoes inputs back. It runs the
program the way the language host does (`run_pulumi_func` on an asyncio loop) and exports the same
stack outputs. Default providers (`default_*`) are the engine's, not the program's: not registered.

It prints `imports=S register=S` (seconds) on stderr, for the bench's breakdown.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time

START = time.perf_counter()

import pulumi  # noqa: E402
from pulumi.runtime import set_all_config  # noqa: E402
from pulumi.runtime.mocks import Mocks, set_mocks  # noqa: E402
from pulumi.runtime.stack import run_pulumi_func  # noqa: E402


class Echo(Mocks):
    """A trivial mock: every resource's outputs are its inputs; invokes answer nothing."""

    def new_resource(self, args):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}


def program(replay: dict) -> None:
    by_urn: dict[str, pulumi.Resource] = {}
    for r in replay["resources"]:
        parent = by_urn.get(r["parent"])
        provider = by_urn.get(r["provider"].rsplit("::", 1)[0]) if r["provider"] else None
        opts = pulumi.ResourceOptions(parent=parent, provider=provider)
        if r["type"].startswith("pulumi:providers:"):
            res: pulumi.Resource = pulumi.ProviderResource(r["type"].split(":", 2)[2], r["name"], r["inputs"], opts)
        elif r["custom"]:
            res = pulumi.CustomResource(r["type"], r["name"], r["inputs"], opts)
        else:
            res = pulumi.ComponentResource(r["type"], r["name"], None, opts)
        by_urn[r["urn"]] = res
    for key, value in replay["outputs"].items():
        pulumi.export(key, value)


def main() -> None:
    with open(sys.argv[1]) as handle:
        replay = json.load(handle)
    for module, name in replay["modules"]:
        # The SDKs' subpackages are lazy modules (pulumi._utils._LazyModule): importing one loads nothing
        # until an attribute is read, as the program does when it uses the class.
        getattr(importlib.import_module(module), name)
    imported = time.perf_counter()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    set_all_config(replay["config"])
    set_mocks(Echo(), project=replay["project"], stack=replay["stack"], preview=True)
    loop.run_until_complete(run_pulumi_func(lambda: program(replay)))
    done = time.perf_counter()
    print(f"imports={imported - START:.3f} register={done - imported:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
