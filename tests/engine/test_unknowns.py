"""Invokes and reads the offline engine cannot answer plan as unknown, as preview shows them
(lz/engine/invokes.py); pure invokes are computed; users answer the rest with --invoke-answers."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lz.cli import main
from lz.engine.invokes import UNKNOWN, InvokeAnswersError, aws_policy_document, load_invoke_answers

pytestmark = pytest.mark.e2e

P = "urn:pulumi:dev::probe::"


def _project(tmp_path: Path, program: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    return tmp_path


def _plan(capsys, project: Path, *flags: str) -> tuple[int, dict, str]:
    code = main(["plan", "dev", "-C", str(project), "--no-policy", "--json", "-", *flags])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def _inputs(doc: dict, urn: str) -> dict:
    return next(s["newState"]["inputs"] for s in doc["steps"] if s["urn"] == urn)


AMI = """
    import pulumi
    import pulumi_aws as aws

    ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                          filters=[{"name": "name", "values": ["al2023-ami-*-x86_64"]}])
    web = aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", tags={"Name": f"web-{ami.name}"})
    vpc = aws.ec2.get_vpc(default=True)
    aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, description="web")
    pulumi.export("ami", ami.id)
"""


def test_an_output_form_invoke_is_unknown_too(tmp_path, capsys):
    program = """
        import pulumi_aws as aws
        vpc = aws.ec2.get_vpc_output(default=True)
        aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, description="web")
    """
    code, doc, _ = _plan(capsys, _project(tmp_path, program))
    assert code == 0
    assert _inputs(doc, P + "aws:ec2/securityGroup:SecurityGroup::sg")["vpcId"] == UNKNOWN
    assert [i["token"] for i in doc["lz"]["unknowns"]["invokes"]] == ["aws:ec2/getVpc:getVpc"]


def test_unanswered_invokes_plan_as_unknown_and_are_listed(tmp_path, capsys):
    code, doc, _ = _plan(capsys, _project(tmp_path, AMI))
    assert code == 0
    web = _inputs(doc, P + "aws:ec2/instance:Instance::web")
    assert web["ami"] == UNKNOWN and web["tags"] == {"Name": UNKNOWN}  # text built from an unknown is unknown
    assert web["instanceType"] == "t3.micro"
    assert _inputs(doc, P + "aws:ec2/securityGroup:SecurityGroup::sg")["vpcId"] == UNKNOWN
    unknowns = doc["lz"]["unknowns"]
    assert [(i["token"], i["args"]) for i in unknowns["invokes"]] == [
        ("aws:ec2/getAmi:getAmi", {"filters": [{"name": "name", "values": ["al2023-ami-*-x86_64"]}],
                                   "mostRecent": True, "owners": ["amazon"]}),
        ("aws:ec2/getVpc:getVpc", {"default": True}),
    ]
    assert unknowns["properties"] == {P + "aws:ec2/instance:Instance::web": ["ami", "tags.Name"],
                                      P + "aws:ec2/securityGroup:SecurityGroup::sg": ["vpcId"]}
    assert doc["outputs"]["ami"] == UNKNOWN


def test_the_human_output_shows_what_is_unknown(tmp_path, capsys):
    assert main(["plan", "dev", "-C", str(_project(tmp_path, AMI)), "--no-policy"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Unknown until apply: 3 input properties of 2 resources ([unknown] in the plan); " \
           "2 invokes, reads and components had no offline answer" in out
    assert "invoke aws:ec2/getAmi:getAmi" in out and "web: ami, tags.Name" in out
    assert "│ ami │ [unknown] │" in out


def test_strict_refuses_an_unanswered_invoke(tmp_path, capsys):
    code, _, err = _plan(capsys, _project(tmp_path, AMI), "--strict")
    assert code == 2
    assert "invoke 'aws:ec2/getAmi:getAmi' has no offline answer" in " ".join(err.split())


def test_answers_file_answers_by_token_and_arguments(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text(textwrap.dedent("""
        aws:ec2/getAmi:getAmi:
          - args: {owners: [someone-else]}
            result: {id: ami-wrong, name: wrong}
          - args: {mostRecent: true, owners: [amazon]}
            result: {id: ami-0123456789abcdef0, name: al2023-ami-2023.6}
        aws:ec2/getVpc:getVpc: {id: vpc-0aaa}
    """))
    code, doc, _ = _plan(capsys, _project(tmp_path / "p", AMI) if (tmp_path / "p").mkdir() is None else None,
                      "--invoke-answers", str(answers))
    assert code == 0
    web = _inputs(doc, P + "aws:ec2/instance:Instance::web")
    assert web["ami"] == "ami-0123456789abcdef0" and web["tags"] == {"Name": "web-al2023-ami-2023.6"}
    assert _inputs(doc, P + "aws:ec2/securityGroup:SecurityGroup::sg")["vpcId"] == "vpc-0aaa"
    assert doc["lz"]["unknowns"] == {"invokes": [], "reads": [], "components": [], "properties": {}}


@pytest.mark.parametrize("text, message", [
    ("- not a mapping\n", "must be a mapping of invoke token to result"),
    ("getAmi: {id: x}\n", "'getAmi': not an invoke token"),
    ("aws:ec2/getAmi:getAmi: [{args: {a: 1}}]\n", "aws:ec2/getAmi:getAmi[0].result: must be an object"),
    ("aws:ec2/getAmi:getAmi: [{result: {}, arg: {}}]\n", "unknown keys ['arg']; allowed: args, result"),
])
def test_a_bad_answers_file_is_one_line_exit_2(tmp_path, capsys, text, message):
    answers = tmp_path / "answers.yaml"
    answers.write_text(text)
    with pytest.raises(InvokeAnswersError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        load_invoke_answers(answers)
    code = main(["plan", "dev", "-C", str(_project(tmp_path, AMI)), "--no-policy", "--invoke-answers", str(answers)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


READS = """
    import pulumi_aws as aws

    existing = aws.ec2.Vpc.get("existing", "vpc-0123")
    aws.ec2.Subnet("known-id", vpc_id=existing.id, cidr_block=existing.cidr_block)
    fresh = aws.ec2.Vpc("fresh", cidr_block="10.0.0.0/16")
    later = aws.ec2.Vpc.get("later", fresh.arn.apply(lambda arn: None))
    aws.ec2.Subnet("unknown-id", vpc_id=later.id, cidr_block="10.0.1.0/24")
"""


def test_reads_yield_unknown_state(tmp_path, capsys):
    code, doc, _ = _plan(capsys, _project(tmp_path, READS))
    assert code == 0
    known = _inputs(doc, P + "aws:ec2/subnet:Subnet::known-id")
    assert known == {"vpcId": "vpc-0123", "cidrBlock": UNKNOWN}  # the id asked for is known; state is not
    assert _inputs(doc, P + "aws:ec2/subnet:Subnet::unknown-id")["vpcId"] == UNKNOWN
    reads = doc["lz"]["unknowns"]["reads"]
    assert [(r["token"], r["args"]["id"]) for r in reads] == [("aws:ec2/vpc:Vpc", "vpc-0123"),
                                                              ("aws:ec2/vpc:Vpc", "[unknown]")]


def test_an_invoke_on_unknown_arguments_is_unknown(tmp_path, capsys):
    program = """
        import pulumi_aws as aws
        vpc = aws.ec2.get_vpc(default=True)
        subnets = aws.ec2.get_subnet(vpc_id=vpc.id, default_for_az=True)
        aws.ec2.Instance("web", ami="ami-0123", instance_type="t3.micro", subnet_id=subnets.id)
    """
    code, doc, _ = _plan(capsys, _project(tmp_path, program))
    assert code == 0
    assert _inputs(doc, P + "aws:ec2/instance:Instance::web")["subnetId"] == UNKNOWN
    assert [i["token"] for i in doc["lz"]["unknowns"]["invokes"]] == ["aws:ec2/getVpc:getVpc",
                                                                      "aws:ec2/getSubnet:getSubnet"]


def test_policy_document_is_computed_in_the_plan(tmp_path, capsys):
    program = """
        import pulumi_aws as aws
        doc = aws.iam.get_policy_document(statements=[{
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]}])
        aws.iam.Role("role", assume_role_policy=doc.json)
    """
    code, doc, _ = _plan(capsys, _project(tmp_path, program))
    assert code == 0
    policy = _inputs(doc, P + "aws:iam/role:Role::role")["assumeRolePolicy"]
    assert json.loads(policy) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    assert doc["lz"]["unknowns"]["invokes"] == []


# The provider's algorithm (terraform-provider-aws internal/service/iam/policy_document_data_source.go and
# policy_model.go): a single value is a string, several are sorted in reverse; principals and conditions
# become maps with sorted keys; single condition values are flattened; "&{" becomes "${"; Sid-less
# statements append, a source/override statement with the same Sid replaces; MarshalIndent with two spaces.
POLICY_CASES = [
    ({"statements": [{"sid": "List", "actions": ["s3:ListBucket", "s3:GetBucketLocation"],
                      "resources": ["arn:aws:s3:::b"]}]},
     '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "List",\n      "Effect": "Allow",\n'
     '      "Action": [\n        "s3:ListBucket",\n        "s3:GetBucketLocation"\n      ],\n'
     '      "Resource": "arn:aws:s3:::b"\n    }\n  ]\n}'),
    ({"statements": [{"effect": "Deny", "notActions": ["iam:*"], "resources": ["arn:aws:s3:::b/&{aws:username}/*"],
                      "conditions": [{"test": "StringEquals", "variable": "aws:SourceVpc", "values": ["vpc-1"]},
                                     {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}]},
     '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "NotAction": "iam:*",\n'
     '      "Resource": "arn:aws:s3:::b/${aws:username}/*",\n      "Condition": {\n        "Bool": {\n'
     '          "aws:SecureTransport": "false"\n        },\n        "StringEquals": {\n'
     '          "aws:SourceVpc": "vpc-1"\n        }\n      }\n    }\n  ]\n}'),
    ({"statements": [{"actions": ["*"], "resources": ["*"], "principals": [{"type": "*", "identifiers": ["*"]}]}]},
     '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n'
     '      "Resource": "*",\n      "Principal": "*"\n    }\n  ]\n}'),
    ({"sourcePolicyDocuments": ['{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"x:Old"}]}'],
      "statements": [{"sid": "A", "actions": ["x:New"]}]},
     '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "A",\n      "Effect": "Allow",\n'
     '      "Action": "x:New"\n    }\n  ]\n}'),
]


@pytest.mark.parametrize("args, expected", POLICY_CASES)
def test_policy_document_matches_the_provider(args, expected):
    result = aws_policy_document(args)
    assert result["json"] == expected
    assert result["minifiedJson"] == json.dumps(json.loads(expected), separators=(",", ":"))
    assert result["id"].isdigit()


def test_a_multi_language_component_has_unknown_outputs(tmp_path, capsys):
    """awsx-style components are constructed by their provider (remote=True); offline nobody does, so
    their outputs are unknown rather than echoes of their inputs (which broke typed outputs)."""
    program = """
        import pulumi
        import pulumi_aws as aws

        class Vpc(pulumi.ComponentResource):
            vpc_id: pulumi.Output[str]

            def __init__(self, name, props, opts=None):
                super().__init__("awsx:ec2:Vpc", name, {**props, "vpc_id": None}, opts, remote=True)

        vpc = Vpc("vpc", {"natGateways": {"strategy": "None"}})
        aws.ec2.SecurityGroup("sg", vpc_id=vpc.vpc_id, description="web")
    """
    code, doc, _ = _plan(capsys, _project(tmp_path, program))
    assert code == 0
    assert _inputs(doc, P + "aws:ec2/securityGroup:SecurityGroup::sg")["vpcId"] == UNKNOWN
    assert doc["lz"]["unknowns"]["components"] == [{
        "kind": "construct", "token": "awsx:ec2:Vpc", "args": {"name": "vpc"},
        "detail": "multi-language component: its children and outputs are unknown offline"}]


def test_echoed_arguments_must_fit_the_result_field():
    """`most_recent="true"` (a string where the result has a bool) is not echoed: the typed result
    would reject it; the provider's answer is unknown, so the field stays absent."""
    from lz.engine.invokes import UNKNOWN_TEXT, unknown_result

    result = unknown_result("aws:ec2/getAmi:getAmi", {"mostRecent": "true", "owners": ["amazon"], "nameRegex": 1})
    assert "mostRecent" not in result and result["owners"] == ["amazon"]
    assert result["nameRegex"] == UNKNOWN_TEXT and result["id"] == UNKNOWN_TEXT
