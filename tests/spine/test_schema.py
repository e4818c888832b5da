"""The provider-schema check of `lz plan`: schemas derived from the installed SDKs, wire values judged
against them, findings reported with their property path (warnings; errors under --strict)."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Optional, Union

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import struct_pb2

from lz.cli import main
from lz.engine.monitor import Registration
from lz.engine.plan import PlanRequest, plan
from lz.engine.schema import (
    ANY,
    ARCHIVE,
    ASSET,
    OUTPUT_VALUE,
    RESOURCE,
    SECRET,
    SIG,
    UNKNOWN,
    Shape,
    check_registration,
    check_value,
    object_schema,
    resource_schema,
    shape_of,
)
from lz.report import plan_json, render_markdown
from lz.testing import ROOT

SCHEMA_PROJECT = ROOT / "tests" / "fixtures" / "schema_project"
PLAIN = ROOT / "tests" / "fixtures" / "plain_project"

STRING, INTEGER, NUMBER, BOOLEAN = Shape("string"), Shape("integer"), Shape("number"), Shape("boolean")
VERSIONING = aws.s3.BucketVersioningVersioningConfigurationArgs


class _Replicas(int, enum.Enum):
    ONE = 1
    THREE = 3


# --- shapes from SDK type hints ---------------------------------------------------------------------

@pytest.mark.parametrize("hint, shape", [
    (pulumi.Input[str], STRING),
    (pulumi.Input[Optional[int]], INTEGER),  # noqa: UP045 - the SDK's spelling
    (pulumi.Input[float | None], NUMBER),
    (pulumi.Input[bool], BOOLEAN),
    (pulumi.Input[Sequence[pulumi.Input[str]]], Shape("array", item=STRING)),
    (pulumi.Input[Mapping[str, pulumi.Input[str]] | None], Shape("map", item=STRING)),
    (pulumi.Input[Mapping[str, Any]], Shape("map", item=ANY)),
    (Any, ANY),
    (pulumi.Input[VERSIONING], Shape("object", cls=VERSIONING)),
    # An open enum (`Union[str, Enum]`) takes any string; an enum alone is closed.
    (pulumi.Input[Union[str, aws.ec2.InstanceType]], STRING),  # noqa: UP007 - the SDK's spelling
    (pulumi.Input[aws.autoscaling.NotificationType],
     Shape("enum", values=tuple(m.value for m in aws.autoscaling.NotificationType))),
    (pulumi.Input[Literal["v1"] | None], Shape("enum", values=("v1",))),
    (pulumi.Input[_Replicas], INTEGER),  # a numeric enum: its wire type
    (pulumi.Input[int | _Replicas], INTEGER),
    (pulumi.Input[int | str], Shape("union", members=(INTEGER, STRING))),  # Kubernetes IntOrString
    (pulumi.Input[pulumi.Asset], Shape("asset")),
    (pulumi.Input[pulumi.Asset | pulumi.Archive], Shape("assetOrArchive")),
])
def test_shape_of_sdk_hints(hint, shape):
    assert shape_of(hint) == shape


# --- wire values against shapes -------------------------------------------------------------------

SECRET_NUMBER = {SIG: SECRET, "value": 3}
OBJECT = Shape("object", cls=VERSIONING)


@pytest.mark.parametrize("value, shape, problems", [
    ("a", STRING, []),
    (3.0, STRING, [("p", "type", "expected string, got number")]),
    ("3", INTEGER, [("p", "type", "expected integer, got string")]),
    (3.0, INTEGER, []),  # protobuf numbers are doubles
    (1.5, INTEGER, [("p", "type", "expected integer, got 1.5")]),
    (1.5, NUMBER, []),
    (True, NUMBER, [("p", "type", "expected number, got boolean")]),
    ("true", BOOLEAN, [("p", "type", "expected boolean, got string")]),
    ({"a": 1}, Shape("array", item=STRING), [("p", "type", "expected array, got object")]),
    (["a", 2.0], Shape("array", item=STRING), [("p[1]", "type", "expected string, got number")]),
    ({"a": "x", "app.kubernetes.io/name": 2.0}, Shape("map", item=STRING),
     [('p["app.kubernetes.io/name"]', "type", "expected string, got number")]),
    ("Disabled", Shape("enum", values=("A", "B")), [("p", "enum", '"Disabled" is not one of A, B')]),
    (8080.0, Shape("union", members=(INTEGER, STRING)), []),
    (True, Shape("union", members=(INTEGER, STRING)), [("p", "type", "expected integer or string, got boolean")]),
    ({"status": "Enabled"}, OBJECT, []),
    ({"status": "Enabled", "mfa_delet": "x"}, OBJECT,
     [("p.mfa_delet", "unknown-property",
       "unknown property of BucketVersioningVersioningConfigurationArgs; did you mean mfaDelete?")]),
    ({"mfaDelete": "Disabled"}, OBJECT,
     [("p.status", "required", "missing required input of BucketVersioningVersioningConfigurationArgs")]),
    ({SIG: ASSET, "text": "x"}, Shape("assetOrArchive"), []),
    ({SIG: ARCHIVE, "assets": {}}, Shape("asset"), [("p", "type", "expected asset, got archive")]),
    # What cannot be known offline is never judged: unknowns, secrets, resource references.
    (UNKNOWN, INTEGER, []),
    ([UNKNOWN], Shape("array", item=INTEGER), []),
    (SECRET_NUMBER, STRING, []),
    ({SIG: RESOURCE, "urn": "urn:x", "id": "i"}, STRING, []),
    ({SIG: OUTPUT_VALUE}, STRING, []),
    ({SIG: OUTPUT_VALUE, "value": 3, "secret": True}, STRING, []),
    ({SIG: OUTPUT_VALUE, "value": 3}, STRING, [("p", "type", "expected string, got number")]),
    (None, STRING, []),
])
def test_check_value(value, shape, problems):
    assert check_value(value, shape, "p") == problems


@pytest.mark.parametrize("value, shape, problems", [
    # Provider config: booleans, numbers and objects may travel as JSON text.
    ('{"a": "b"}', Shape("map", item=STRING), []),
    ("true", BOOLEAN, []),
    ("3", INTEGER, []),
    ("yes", BOOLEAN, [("p", "type", "expected boolean, got string")]),
    ('{"a": 1}', Shape("map", item=STRING), [("p.a", "type", "expected string, got number")]),
])
def test_provider_config_may_be_json_text(value, shape, problems):
    assert check_value(value, shape, "p", json_text=True) == problems


# --- schemas from the SDK -------------------------------------------------------------------------

def test_object_schema_reads_wire_names_required_and_deprecation():
    schema = object_schema(aws.s3.BucketVersioningInitArgs)
    assert set(schema.properties) == {"bucket", "versioningConfiguration", "expectedBucketOwner", "mfa", "region"}
    assert schema.required == {"bucket", "versioningConfiguration"}
    assert {k for k, p in schema.properties.items() if p.required} == schema.required
    assert schema.properties["expectedBucketOwner"].deprecated.startswith("expected_bucket_owner is deprecated")
    assert schema.properties["versioningConfiguration"].shape == Shape("object", cls=VERSIONING)


def test_resource_schemas_by_type_token():
    bucket = resource_schema("gcp:storage/bucket:Bucket")
    retention = bucket.inputs.properties["retentionPolicy"].shape
    assert object_schema(retention.cls).properties["retentionPeriod"].shape == STRING
    namespace = resource_schema("kubernetes:core/v1:Namespace")
    assert namespace.inputs.properties["kind"].shape == Shape("enum", values=("Namespace",))
    assert resource_schema("kubernetes:helm.sh/v3:Release").inputs.properties["values"].shape == Shape("map", item=ANY)
    provider = resource_schema("pulumi:providers:aws")
    assert provider.provider and "region" in provider.inputs.properties
    # How the SDK marks a deprecated resource: `pulumi.log.warn("<Class> is deprecated: ...")`.
    assert "deprecated in favor of" in resource_schema("aws:s3/bucketAclV2:BucketAclV2").deprecated
    assert resource_schema("aws:s3/bucket:Bucket").deprecated is None


@pytest.mark.parametrize("token, reason", [
    ("kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue", "no SDK schema"),
    ("kubernetes:yaml:ConfigFile", "no SDK schema"),
    ("random:index/randomId:RandomId", "no installed SDK for package random"),
])
def test_types_without_sdk_schema_are_skipped_with_a_reason(token, reason):
    assert reason in resource_schema(token)


def _registration(type_: str, inputs: dict[str, Any]) -> Registration:
    struct = struct_pb2.Struct()
    struct.update(inputs)
    return Registration(urn=f"urn:pulumi:dev::p::{type_}::r", type=type_, name="r", custom=True, parent="",
                        provider="", inputs=struct)


def test_closed_enum_in_a_registration():
    token = "aws:autoscaling/notification:Notification"
    registration = _registration(token, {
        "groupNames": ["workers"], "topicArn": "arn:aws:sns:eu-west-1:123456789012:t",
        "notifications": ["autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_BOOTED"]})
    [finding] = check_registration(registration, resource_schema(token))
    assert (finding.path, finding.kind) == ("notifications[1]", "enum")
    assert finding.problem.startswith('"autoscaling:EC2_INSTANCE_BOOTED" is not one of autoscaling:EC2_INSTANCE_LAUNCH')


def test_provider_inputs_the_engine_adds_are_not_unknown():
    registration = _registration("pulumi:providers:kubernetes",
                                 {"version": "4.34.2", "enableServerSideApply": "true", "kubeconfig": "{}"})
    assert check_registration(registration, resource_schema("pulumi:providers:kubernetes")) == []


def test_deprecated_resource_is_reported_on_the_resource():
    token = "aws:s3/bucketAclV2:BucketAclV2"
    findings = check_registration(_registration(token, {"bucket": "b", "acl": "private"}), resource_schema(token))
    assert [(f.path, f.kind) for f in findings] == [("", "deprecated")]


# --- in a plan -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def broken():
    return plan(PlanRequest(project_dir=SCHEMA_PROJECT, stack="dev", use_project_pack=False))


def test_plan_reports_each_mistake_with_resource_and_path(broken):
    assert broken.run.error is None
    found = {(f.urn.rsplit("::", 1)[-1], f.path, f.kind) for f in broken.schema.findings}
    assert found == {
        ("vpc", "enableDnsHostnames", "type"),                      # a wrong wire type
        ("vpc", "tags.replicas", "type"),
        ("settings", "data.workers", "type"),                       # Kubernetes typed resources too
        ("typo", "versioningConfiguration.mfa_delet", "unknown-property"),  # an unknown nested property
        ("no-status", "versioningConfiguration.status", "required"),       # a missing nested required input
        ("no-bucket", "bucket", "required"),                        # a required input that resolved to None
        ("owner", "expectedBucketOwner", "deprecated"),
    }
    by_path = {f.path: f for f in broken.schema.findings}
    assert by_path["enableDnsHostnames"].problem == "expected boolean, got string"
    assert by_path["enableDnsHostnames"].urn == "urn:pulumi:dev::schema-project::aws:ec2/vpc:Vpc::vpc"
    assert by_path["enableDnsHostnames"].type == "aws:ec2/vpc:Vpc"


def test_plan_counts_checked_and_skipped_types(broken):
    report = broken.schema
    assert report.skipped == {"kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue":
                              "no SDK schema: a custom resource (CRD), or a component the SDK implements in Python"}
    assert report.skipped_resources == 1
    assert report.checked["aws:s3/bucketVersioning:BucketVersioning"] == 3
    assert report.checked["pulumi:providers:aws"] == 1  # the default provider, from stack config


def test_findings_are_warnings_unless_strict(broken):
    assert broken.exit_code == 0
    strict = plan(PlanRequest(project_dir=SCHEMA_PROJECT, stack="dev", use_project_pack=False, strict=True))
    assert strict.exit_code == 1


def test_a_correct_program_has_no_findings():
    result = plan(PlanRequest(project_dir=PLAIN, stack="dev", use_project_pack=False))
    assert result.schema.findings == []
    assert sum(result.schema.checked.values()) == sum(1 for r in result.records if r.custom)


def test_json_and_markdown_carry_the_findings(broken):
    doc = plan_json(broken)
    assert {"urn": "urn:pulumi:dev::schema-project::aws:ec2/vpc:Vpc::vpc", "type": "aws:ec2/vpc:Vpc",
            "path": "tags.replicas", "kind": "type", "problem": "expected string, got number"} in doc["schemaFindings"]
    summary = doc["lz"]["schemaCheck"]
    assert (summary["checkedResources"], summary["skippedResources"], summary["strict"]) == (10, 1, False)
    assert summary["skippedTypes"][0]["type"] == "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue"
    markdown = render_markdown(broken)
    assert "⚠️ **Provider schemas:** 7 findings in 10 resources of 8 types" in markdown
    assert "| `vpc` | `aws:ec2/vpc:Vpc` | `tags.replicas` | expected string, got number |" in markdown


@pytest.mark.parametrize("flags, code", [([], 0), (["--strict"], 1)])
def test_cli_strict_exit_code(capsys, flags, code):
    assert main(["plan", "dev", "-C", str(SCHEMA_PROJECT), "--no-policy", "--json", "-", *flags]) == code
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["schemaFindings"]) == 7


def test_cli_human_output_names_path_and_urn(capsys):
    assert main(["plan", "dev", "-C", str(SCHEMA_PROJECT), "--no-policy"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Provider schemas: 7 findings" in out
    assert "versioningConfiguration.mfa_delet urn:pulumi:dev::schema-project::aws:s3/bucketVersioning" in out


def test_cli_can_skip_the_check(capsys):
    assert main(["plan", "dev", "-C", str(SCHEMA_PROJECT), "--no-policy", "--strict", "--no-schema-check",
                 "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schemaFindings"] == [] and doc["lz"]["schemaCheck"] is None


def test_a_failed_plan_still_shows_what_the_provider_would_say(tmp_path, capsys):
    """The SDK raises on an output outside its enum (the offline engine echoes inputs as outputs), so the
    program fails; the schema check names the value a provider's Check would reject."""
    (tmp_path / "Pulumi.yaml").write_text("name: enums\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "aws.autoscaling.Notification('notify', group_names=['workers'], topic_arn='arn:aws:sns:us-west-2:1:t',\n"
        "    notifications=['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_BOOTED'])\n")
    assert main(["plan", "dev", "-C", str(tmp_path), "--no-policy"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "is not a valid NotificationType" in out
    assert ('notifications[1] urn:pulumi:dev::enums::aws:autoscaling/notification:Notification::notify '
            '"autoscaling:EC2_INSTANCE_BOOTED" is not one of') in out


def test_an_sdk_the_reader_does_not_understand_is_skipped_with_why(monkeypatch):
    from lz.engine import schema

    def odd(token):
        raise RuntimeError("generated by a newer pulumi-language-python")

    monkeypatch.setattr(schema, "_class_for", odd)
    assert resource_schema("aws:odd/thing:Thing") == (
        "schema could not be derived from the SDK: RuntimeError: generated by a newer pulumi-language-python")
