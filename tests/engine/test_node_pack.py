"""A JavaScript CrossGuard pack (`runtime: nodejs`) runs through `lz plan --policy-pack` as the Pulumi
CLI runs it: `@pulumi/pulumi/cmd/run-policy-pack` from the pack's own node_modules, the pack directory
as working directory (lz/engine/nodepack.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from lz.cli import main
from lz.engine import nodepack
from lz.testing import ROOT

pytestmark = pytest.mark.e2e

FIXTURE = ROOT / "tests" / "fixtures" / "node_pack"
NODE = shutil.which("node")
NPM = shutil.which("npm")
needs_node = pytest.mark.skipif(NODE is None or NPM is None, reason="node/npm are not installed on this machine")

PROGRAM = """
    import pulumi_aws as aws
    a = aws.s3.BucketV2("a")
    b = aws.s3.BucketV2("b")
    aws.s3.BucketAcl("a-acl", bucket=a.id, acl="public-read")
    aws.s3.BucketAcl("b-acl", bucket=b.id, acl="private")
"""


def _project(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "Pulumi.yaml").write_text("name: np\nruntime: python\n")
    (path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (path / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    return path


@pytest.fixture(scope="module")
def installed_pack(tmp_path_factory) -> Path:
    pack = tmp_path_factory.mktemp("node") / "pack"
    shutil.copytree(FIXTURE, pack, ignore=shutil.ignore_patterns("node_modules"))
    # What the docs ask of a user first: npm install in the pack.
    result = subprocess.run([NPM, "install", "--no-audit", "--no-fund"], cwd=pack, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return pack


@needs_node
def test_a_javascript_pack_reports_violations(installed_pack, tmp_path, capsys):
    project = _project(tmp_path / "p")
    config = tmp_path / "cfg.json"
    config.write_text(json.dumps({"max-buckets": {"maxBuckets": 1}}))
    code = main(["plan", "dev", "-C", str(project), "--policy-pack", str(installed_pack),
                 "--policy-pack-config", str(config), "--json", "-"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1  # a mandatory violation
    violations = {(v["policyPack"], v["policyName"], v["enforcementLevel"], v["urn"]): v["message"]
                  for v in doc["policyViolations"]}
    key = ("lz-node-fixture", "s3-no-public-read", "mandatory", "urn:pulumi:dev::np::aws:s3/bucketAcl:BucketAcl::a-acl")
    assert violations[key].startswith("a-acl is public-read (pid ")
    assert "node v" in violations[key]  # judged by node, in its own process
    # The pack's config reached it over Configure: maxBuckets 1 instead of the schema default 5.
    assert violations[("lz-node-fixture", "max-buckets", "advisory", "")] == "2 buckets, more than 1"
    assert doc["lz"]["policyPacks"] == [{"name": "lz-node-fixture", "version": "0.1.0",
                                         "config": str(config), "policies": 2}]


@needs_node
def test_a_pack_without_its_dependencies_is_one_line(tmp_path, capsys):
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURE, pack, ignore=shutil.ignore_patterns("node_modules"))
    code = main(["plan", "dev", "-C", str(_project(tmp_path / "p")), "--policy-pack", str(pack)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (f"error: it looks like the policy pack's dependencies are not installed; "
                   f"try running npm install or yarn install in {str(pack.resolve())!r}")


def test_the_command_line_is_the_clis(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime:\n  name: nodejs\n  options:\n    typescript: false\n")
    monkeypatch.setattr(nodepack, "node_binary", lambda: "/usr/bin/node")
    monkeypatch.setattr(nodepack, "resolve_runner", lambda d, n: f"{d}/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js")
    assert nodepack.command(pack, "127.0.0.1:1234") == [
        "/usr/bin/node", f"{pack}/node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js",
        "127.0.0.1:1234", ".", "-typescript=false"]
    assert nodepack.environment("proj", "dev") == {
        "PULUMI_NODEJS_ORGANIZATION": "organization", "PULUMI_NODEJS_PROJECT": "proj",
        "PULUMI_NODEJS_STACK": "dev", "PULUMI_NODEJS_DRY_RUN": "true",
        "PULUMI_ORGANIZATION": "organization", "PULUMI_PROJECT": "proj", "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true"}
