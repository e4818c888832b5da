"""Analyzers receive resource properties as the Pulumi engine marshals them (lz/engine/refs.py):
each case goes through the real `pulumi_policy` runtime in its own process, over gRPC."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from google.protobuf import struct_pb2

from lz.engine.analyzer import EngineServer, PolicyPack
from lz.engine.monitor import Registration
from lz.engine.plan import PlanRequest, plan
from lz.engine.project import StackConfig
from lz.engine.refs import OUTPUT_VALUE_SIG, RESOURCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, for_analyzer
from lz.testing import ROOT

pytestmark = pytest.mark.e2e

ECHO = ROOT / "tests" / "fixtures" / "echo_pack"
URN = "urn:pulumi:dev::p::echo:index:Thing::thing"
COMPONENT_URN = "urn:pulumi:dev::p::my:index:Component::comp"
ROLE_URN = "urn:pulumi:dev::p::aws:iam/role:Role::role"


def _ref(urn: str, resource_id: str | None = None) -> dict:
    ref = {SIG_KEY: RESOURCE_SIG, "urn": urn}
    if resource_id is not None:
        ref["id"] = resource_id
    return ref


def _output(value=None, *, known=True, secret=False) -> dict:
    out = {SIG_KEY: OUTPUT_VALUE_SIG, "secret": secret}
    if known:
        out["value"] = value
    return out


CASES = [
    # name, wire value the program sent, what the pack must see (engine: MarshalPropertyValue)
    ("custom-ref-with-id", _ref(ROLE_URN, "role-1234"), "role-1234"),
    ("custom-ref-unknown-id", _ref(ROLE_URN, UNKNOWN), "<unknown>"),
    ("custom-ref-empty-id", _ref(ROLE_URN, ""), "<unknown>"),
    ("component-ref", _ref(COMPONENT_URN), COMPONENT_URN),
    ("output-known", _output("plain"), "plain"),
    ("output-unknown", _output(known=False), "<unknown>"),
    ("output-secret", _output("hush", secret=True), "hush"),
    ("unknown", UNKNOWN, "<unknown>"),
    ("secret", {SIG_KEY: SECRET_SIG, "value": "s3cret"}, "s3cret"),
]


@pytest.fixture(scope="module")
def echo_pack():
    engine = EngineServer()
    pack = PolicyPack(ECHO, engine, "p", "dev", StackConfig(values={}, secret_keys=[], raw={}))
    pack.configure({})
    yield pack
    pack.close()
    engine.stop()


def _seen(pack: PolicyPack, props: dict) -> dict:
    struct = struct_pb2.Struct()
    struct.update(props)
    registration = Registration(urn=URN, type="echo:index:Thing", name="thing", custom=True, parent="",
                                provider="", inputs=struct)
    pack.analyze_async(registration, {})
    [violation] = pack.collect()
    return json.loads(violation.message)


@pytest.mark.parametrize("name, wire, seen", CASES, ids=[c[0] for c in CASES])
def test_the_pack_sees_what_the_engine_sends(echo_pack, name, wire, seen):
    assert _seen(echo_pack, {"value": wire}) == {"value": seen}


def test_top_level_internal_keys_are_dropped_nested_kept(echo_pack):
    # SkipInternalKeys applies to the top level only (rpc.go MarshalProperties: copts.SkipInternalKeys = false).
    assert _seen(echo_pack, {"__defaults": ["a"], "nested": {"__inner": 1}, "ref": _ref(ROLE_URN, "r")}) == {
        "nested": ["__inner"], "ref": "r"}


def test_nested_references_are_resolved():
    struct = struct_pb2.Struct()
    struct.update({"list": [_ref(ROLE_URN, "r-1"), {"deep": _ref(COMPONENT_URN)}]})
    out = for_analyzer(struct)
    assert out["list"][0] == "r-1"
    assert out["list"][1]["deep"] == COMPONENT_URN


def test_plain_properties_are_passed_through_untouched():
    struct = struct_pb2.Struct()
    struct.update({"a": "b", "n": 1, "s": {SIG_KEY: SECRET_SIG, "value": "x"}})
    assert for_analyzer(struct) is struct


def _project(tmp_path: Path, program: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: refs\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    return tmp_path


PROGRAM = """
    import json
    import pulumi_aws as aws

    lambda_role = aws.iam.Role("lambda-role", assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    aws.iam.RolePolicyAttachment("attach", role=lambda_role,
                                 policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
"""


def test_a_resource_reference_input_plans_through_the_real_pack(tmp_path):
    """`role=lambda_role` reached the pack as a `5cf8f730…` reference and failed it with
    "Unrecognized signature"; the engine sends the role's id, and so does lz."""
    project = _project(tmp_path, PROGRAM)
    result = plan(PlanRequest(project_dir=project, stack="dev", policy_packs=[ROOT / "policies", ECHO]))
    assert result.run.error is None, result.run.error
    role = next(r for r in result.records if r.type == "aws:iam/role:Role")
    echoed = [json.loads(v.message) for v in result.violations if v.policy_name == "echo"]
    assert echoed and echoed[0]["role"] == role.id
    # The recorded plan keeps the reference as the program sent it.
    attach = next(r for r in result.records if r.type.endswith("RolePolicyAttachment"))
    assert attach.wire_inputs["role"][SIG_KEY] == RESOURCE_SIG
