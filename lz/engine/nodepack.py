"""Start a JavaScript/TypeScript CrossGuard pack (`PulumiPolicy.yaml` `runtime: nodejs`) as the CLI does.

pulumi/pulumi `pkg/resource/plugin/analyzer_plugin.go` (`NewPolicyAnalyzer`) runs a Node pack through
the `pulumi-analyzer-policy` shim with **the pack directory as working directory**, "so that the
'@pulumi/pulumi/cmd/run-policy-pack' module from the policy pack's node_modules is used", and the
arguments `<engine-address> .` followed by `-<key>=<value>` for each `runtime.options` entry. The shim
resolves that module from the working directory and runs it with node
(`node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"`, then
`node <path> <args>`). `constructEnv` sets `PULUMI_CONFIG` and, for nodejs, both the
`PULUMI_NODEJS_{ORGANIZATION,PROJECT,STACK,DRY_RUN}` and the `PULUMI_*` variants. The pack prints the
port of its Analyzer service on its first line of stdout, as a Python pack does; policy config then
arrives over gRPC with `Configure`, the same as for Python packs.

The pack's dependencies are the user's to install (`npm install` in the pack directory, as for
`pulumi preview --policy-pack`); a pack without them is refused in one line.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

RUN_POLICY_PACK = "@pulumi/pulumi/cmd/run-policy-pack"


class NodePackError(Exception):
    """A Node policy pack that cannot be started (reported like any pack that cannot start)."""


def runtime_of(manifest: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(runtime name, runtime options) of a PulumiPolicy.yaml document."""
    runtime = manifest.get("runtime")
    if isinstance(runtime, dict):
        options = runtime.get("options")
        return str(runtime.get("name") or ""), options if isinstance(options, dict) else {}
    return str(runtime or ""), {}


def is_node(pack_dir: Path) -> bool:
    manifest = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    return runtime_of(manifest)[0] == "nodejs"


def node_binary() -> str | None:
    return shutil.which("node")


def resolve_runner(pack_dir: Path, node: str) -> str:
    """The pack's own `@pulumi/pulumi/cmd/run-policy-pack`, resolved by node from the pack directory."""
    result = subprocess.run([node, "-e", f"console.log(require.resolve('{RUN_POLICY_PACK}'))"],
                            cwd=pack_dir, capture_output=True, text=True)
    path = result.stdout.strip()
    if result.returncode != 0 or not path:
        # The engine's own wording for errRunPolicyModuleNotFound (analyzer_plugin.go).
        raise NodePackError(f"it looks like the policy pack's dependencies are not installed; "
                            f"try running npm install or yarn install in {str(pack_dir)!r}")
    return path


def command(pack_dir: Path, engine_address: str) -> list[str]:
    node = node_binary()
    if node is None:
        raise NodePackError(f"policy pack {pack_dir} is a Node.js pack (runtime: nodejs) and node is not installed")
    manifest = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    args = [engine_address, "."]
    for key, value in runtime_of(manifest)[1].items():
        text = str(value).lower() if isinstance(value, bool) else str(value)  # Go's %v of a bool is true/false
        if text:
            args.append(f"-{key}={text}")
    return [node, resolve_runner(pack_dir, node), *args]


def environment(project: str, stack: str, organization: str = "organization") -> dict[str, str]:
    """What constructEnv adds for a nodejs pack (PULUMI_CONFIG is set by the caller for every pack)."""
    values = {"ORGANIZATION": organization, "PROJECT": project, "STACK": stack, "DRY_RUN": "true"}
    env = {f"PULUMI_NODEJS_{k}": v for k, v in values.items()}
    env.update({f"PULUMI_{k}": v for k, v in values.items()})
    return env
