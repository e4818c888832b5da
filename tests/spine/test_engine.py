"""The offline engine plans a program that is not ours exactly as the Pulumi engine would see it."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from lz.cli import main
from lz.engine.analyzer import PolicyPackError, duration_seconds
from lz.engine.plan import PlanRequest, plan
from lz.report import plan_json
from lz.testing import ROOT, inputs

PLAIN = ROOT / "tests" / "fixtures" / "plain_project"
PROBE = ROOT / "tests" / "fixtures" / "probe_pack"
P = "urn:pulumi:dev::plain-project::"


@pytest.fixture(scope="module")
def probed():
    return plan(PlanRequest(project_dir=PLAIN, stack="dev", policy_packs=[PROBE]))


@pytest.mark.parametrize("urn", [
    P + "pulumi:pulumi:Stack::plain-project-dev",
    P + "plain:nest:Inner::inner",
    # The engine keeps the whole parent type chain and never prefixes the root stack's type.
    P + "plain:nest:Inner$plain:storage:Storage::inner-storage",
    P + "plain:nest:Inner$plain:storage:Storage$aws:s3/bucket:Bucket::inner-storage-bucket",
    P + "plain:nest:Inner$plain:storage:Storage$aws:kms/key:Key::inner-storage-key",
    P + "aws:ec2/vpc:Vpc::vpc",
    P + "aws:ec2/subnet:Subnet::subnet",
    P + "pulumi:providers:aws::default_7_51_1",
])
def test_urns_are_the_engines(probed, urn):
    assert urn in {r.urn for r in probed.records}


def test_no_stock_mock_stack_prefix(probed):
    assert not [r.urn for r in probed.records if "pulumi:pulumi:Stack$" in r.urn]


def test_default_provider_is_configured_from_stack_config(probed):
    by_urn = {r.urn: r for r in probed.records}
    provider = by_urn[P + "pulumi:providers:aws::default_7_51_1"]
    assert inputs(provider) == {"region": "eu-west-1", "version": "7.51.1"}
    vpc = by_urn[P + "aws:ec2/vpc:Vpc::vpc"]
    assert vpc.provider == f"{provider.urn}::{provider.id}"


def test_options_and_dependencies_are_recorded(probed):
    by_urn = {r.urn: r for r in probed.records}
    bucket = by_urn[P + "plain:nest:Inner$plain:storage:Storage$aws:s3/bucket:Bucket::inner-storage-bucket"]
    assert (bucket.protect, bucket.retain_on_delete, bucket.ignore_changes) == (True, True, ["tags"])
    assert bucket.custom_timeouts == {"create": "5m"}
    assert any(isinstance(a, dict) and a.get("spec", {}).get("name") == "old-bucket" for a in bucket.aliases)
    assert bucket.parent == P + "plain:nest:Inner$plain:storage:Storage::inner-storage"
    key = by_urn[P + "plain:nest:Inner$plain:storage:Storage$aws:kms/key:Key::inner-storage-key"]
    assert (key.delete_before_replace, key.additional_secret_outputs, key.protect) == (True, ["arn"], False)
    subnet = by_urn[P + "aws:ec2/subnet:Subnet::subnet"]
    assert P + "aws:ec2/vpc:Vpc::vpc" in subnet.dependencies
    assert subnet.property_dependencies["vpcId"] == [P + "aws:ec2/vpc:Vpc::vpc"]


def test_inputs_are_wire_format_and_outputs_realistic(probed):
    by_urn = {r.urn: r for r in probed.records}
    subnet = inputs(by_urn[P + "aws:ec2/subnet:Subnet::subnet"])
    assert subnet["cidrBlock"] == "10.1.0.0/24"
    assert subnet["availabilityZone"] == "eu-west-1a"  # answered getAvailabilityZones invoke
    assert subnet["vpcId"].startswith("vpc-0")
    assert by_urn[P + "aws:ec2/vpc:Vpc::vpc"].id == subnet["vpcId"]


def test_secrets_stay_secret(probed):
    doc = plan_json(probed)
    assert doc["config"]["plain-project:apiToken"] == "[secret]"
    assert doc["outputs"]["token"] == "[secret]"
    assert doc["outputs"]["bucketArn"] == "arn:aws:s3:::plain-data"
    assert "ZmFrZWNpcGhlcnRleHQ" not in json.dumps(doc)


def test_violation_comes_from_the_pack_process_over_grpc(probed):
    vpc_violations = [v for v in probed.violations if v.policy_name == "probe-vpc"]
    assert [v.urn for v in vpc_violations] == [P + "aws:ec2/vpc:Vpc::vpc"]
    pid = int(vpc_violations[0].message.split()[0].removeprefix("pid="))
    assert pid != os.getpid()  # reported by another process, not by calling the rule here
    assert vpc_violations[0].enforcement_level == "mandatory"
    stack = [v for v in probed.violations if v.policy_name == "probe-stack"]
    assert stack[0].message.endswith(f"saw {len(probed.records)} resources")
    assert stack[0].enforcement_level == "advisory"
    assert probed.exit_code == 1


def test_preview_json_shape(probed):
    doc = plan_json(probed)
    assert doc["changeSummary"] == {"create": len(probed.records)}
    step = next(s for s in doc["steps"] if s["type"] == "aws:ec2/vpc:Vpc")
    assert step["op"] == "create" and step["urn"] == P + "aws:ec2/vpc:Vpc::vpc"
    assert {"urn", "type", "custom", "parent", "provider", "inputs", "protect", "retainOnDelete",
            "dependencies"} <= set(step["newState"])
    assert doc["policyViolations"][0].keys() >= {"policyPack", "policyName", "enforcementLevel", "message", "urn"}


def test_pack_config_overrides_levels(tmp_path):
    cfg = tmp_path / "probe.json"
    cfg.write_text(json.dumps({"all": "advisory"}))
    result = plan(PlanRequest(project_dir=PLAIN, stack="dev", policy_packs=[PROBE], policy_pack_configs=[cfg]))
    assert {v.enforcement_level for v in result.violations} == {"advisory"}
    assert result.exit_code == 0


@pytest.mark.parametrize("config, message", [
    ({"probe-vpcc": "advisory"}, "probe-vpcc: no such policy in pack probe"),
    ({"probe-vpc": "loud"}, "enforcementLevel must be one of"),
])
def test_bad_pack_config_is_rejected(tmp_path, config, message):
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps(config))
    with pytest.raises(PolicyPackError, match=message):
        plan(PlanRequest(project_dir=PLAIN, stack="dev", policy_packs=[PROBE], policy_pack_configs=[cfg]))


@pytest.mark.parametrize("text, seconds", [("5m", 300.0), ("1h30m", 5400.0), ("45s", 45.0), ("250ms", 0.25)])
def test_duration_seconds(text, seconds):
    assert duration_seconds(text) == seconds


def _project(tmp_path: Path, program: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    return tmp_path


@pytest.mark.parametrize("program, expected", [
    ("import pulumi_aws as aws\naws.ec2.get_ami(most_recent=True, owners=['amazon'])\n",
     "invoke 'aws:ec2/getAmi:getAmi' has no offline answer"),
    ("import pulumi_aws as aws\naws.ec2.Vpc.get('existing', 'vpc-123')\n",
     "reading existing resource aws:ec2/vpc:Vpc 'existing'"),
    ("import pulumi\npulumi.StackReference('acme/net/prod')\n",
     "StackReference 'acme/net/prod' has no outputs: pass --stack-outputs acme/net/prod=FILE"),
    ("raise ValueError('boom in program')\n", "ValueError: boom in program"),
])
def test_failures_name_what_failed(tmp_path, capsys, program, expected):
    # --strict: an invoke or read with no offline answer refuses the plan, naming it (without it, the
    # plan shows its result as unknown: tests/engine/test_unknowns.py).
    project = _project(tmp_path, program)
    code = main(["plan", "dev", "-C", str(project), "--no-policy", "--strict", "--json", "-"])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in " ".join(err.split())


def test_run_error_is_a_message_without_traceback(tmp_path, capsys):
    project = _project(tmp_path, "import pulumi\nraise pulumi.RunError('config says no')\n")
    assert main(["plan", "dev", "-C", str(project), "--no-policy"]) == 2
    out = capsys.readouterr()
    assert "config says no" in out.out + out.err
    assert "Traceback" not in out.out + out.err


def test_stack_reference_answered_from_saved_plan(tmp_path):
    saved = tmp_path / "net.json"
    saved.write_text(json.dumps({"steps": [], "outputs": {"vpcId": "vpc-0abc"}}))
    project = _project(tmp_path / "p", "") if (tmp_path / "p").mkdir() is None else None
    (project / "__main__.py").write_text(
        "import pulumi\nref = pulumi.StackReference('acme/net/prod')\npulumi.export('vpc', ref.get_output('vpcId'))\n")
    result = plan(PlanRequest(project_dir=project, stack="dev", use_project_pack=False,
                              stack_outputs={"acme/net/prod": {"vpcId": "vpc-0abc"}}))
    assert result.run.error is None
    assert plan_json(result)["outputs"] == {"vpc": "vpc-0abc"}


def test_a_pack_that_dies_is_reported_with_what_it_printed():
    with pytest.raises(PolicyPackError) as info:
        plan(PlanRequest(project_dir=PLAIN, stack="dev",
                         policy_packs=[ROOT / "tests" / "fixtures" / "crashing_pack"]))
    message = str(info.value)
    assert "policy pack crashing" in message
    assert "crashing-pack: out of memory judging the VPC" in message


def test_the_cloud_storage_agent_lookup_is_answered_like_the_api(tmp_path):
    """`storage.get_project_service_account` creates the GCS service agent and returns its address; offline
    it answers with the documented form for the placeholder project number, in the SDK's result fields."""
    from lz.engine.mocks import GCP_PROJECT_NUMBER, INVOKES

    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  gcp:project: acme-test\n  gcp:region: us-central1\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent("""
        import pulumi_gcp as gcp
        agent = gcp.storage.get_project_service_account_output()
        gcp.kms.CryptoKeyIAMMember("by-member", crypto_key_id="k", role="roles/viewer", member=agent.member)
        gcp.kms.CryptoKeyIAMMember("by-email", crypto_key_id="k", role="roles/viewer",
                                   member=agent.email_address.apply(lambda e: f"serviceAccount:{e}"))
    """))
    result = plan(PlanRequest(project_dir=tmp_path, stack="dev", use_project_pack=False))
    assert result.run.error is None, result.run.error
    token = "gcp:storage/getProjectServiceAccount:getProjectServiceAccount"
    assert token in INVOKES and result.run.invokes.count(token) == 1
    email = f"service-{GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    members = {r.name: inputs(r)["member"] for r in result.records if r.type.startswith("gcp:kms/")}
    assert members == {"by-member": f"serviceAccount:{email}", "by-email": f"serviceAccount:{email}"}
    # Every field the offline answer gives is a field of the SDK's result type (no invented keys).
    import importlib
    import inspect

    # Imported after the plan: the offline runner unloads SDK modules a plan imported lazily.
    sdk = importlib.import_module("pulumi_gcp.storage.get_project_service_account")
    answer = INVOKES[token][0](None, {"project": "acme-test"})  # type: ignore[arg-type]
    fields = set(inspect.signature(sdk.GetProjectServiceAccountResult.__init__).parameters) - {"__self__"}
    snake = {"emailAddress": "email_address", "userProject": "user_project"}
    assert {snake.get(k, k) for k in answer} <= fields
    assert answer["id"] == answer["emailAddress"] == email and answer["project"] == "acme-test"
