"""IAM: the boundary on every role, trust limited to services or one ServiceAccount, scoped grants, keys."""

from __future__ import annotations

import pytest
from aws_plans import doc, named, of_type, one, stack_plan

from components.aws.common import AwsContext
from components.aws.iam_boundary import boundary_document, irsa_trust_policy
from components.aws.kms_keys import key_policy
from components.names import team_namespace, team_service_account
from lz.testing import inputs

CTX = AwsContext(account_id="111122223333", partition="aws", region="eu-west-1", prefix="ai-lz-t")


@pytest.fixture(scope="module", params=["dev", "prod"])
def plan(request):
    return stack_plan(request.param)


def _statements(document):
    statements = doc(document)["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_every_role_carries_the_one_boundary(plan):
    boundary = one(plan, "aws:iam/policy:Policy", "iam-boundary")
    roles = of_type(plan, "aws:iam/role:Role")
    assert len(roles) >= 6
    assert {inputs(r)["permissionsBoundary"] for r in roles} == {boundary.outputs["arn"]}


def test_no_role_trusts_everyone(plan):
    for role in of_type(plan, "aws:iam/role:Role"):
        for st in _statements(inputs(role)["assumeRolePolicy"]):
            principal = st["Principal"]
            assert principal != "*" and "*" not in _as_list(principal.get("AWS", [])), role.name
            assert set(principal) <= {"Service", "Federated", "AWS"}, role.name
            if "AWS" in principal:
                # Account principals only with the listed people: ArnLike on aws:PrincipalArn.
                assert all(p.endswith(":root") for p in _as_list(principal["AWS"])), role.name
                assert st["Condition"]["ArnLike"]["aws:PrincipalArn"], role.name


def test_no_policy_allows_every_action_on_every_resource(plan):
    documents = [inputs(r)["policy"] for r in of_type(plan, "aws:iam/policy:Policy")]
    documents += [inputs(r)["policy"] for r in of_type(plan, "aws:kms/key:Key")]
    for document in documents:
        for st in _statements(document):
            if st["Effect"] == "Allow":
                assert "*" not in _as_list(st["Action"]), st


def test_node_role_has_only_what_nodes_need(plan):
    node = one(plan, "aws:iam/role:Role", "iam-node")
    attached = sorted(inputs(a)["policyArn"].rsplit("/", 1)[1] for a in of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                      if a.name.startswith("lz-iam-node-"))
    assert attached == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonSSMManagedInstanceCore"]
    assert doc(inputs(node)["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_irsa_roles_trust_one_service_account_each(plan):
    issuer = one(plan, "aws:eks/cluster:Cluster").outputs["identities"][0]["oidcs"][0]["issuer"].removeprefix("https://")
    provider = one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert "thumbprintLists" not in inputs(provider)
    expected = {"vpc-cni": "kube-system:aws-node", "ebs-csi": "kube-system:ebs-csi-controller-sa"}
    for suffix, subject in expected.items():
        role = named(plan, "aws:iam/role:Role", f"identity-{suffix}")
        (st,) = _statements(role["assumeRolePolicy"])
        assert st["Principal"] == {"Federated": provider.outputs["arn"]}
        assert st["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert st["Condition"]["StringEquals"] == {f"{issuer}:sub": f"system:serviceaccount:{subject}",
                                                   f"{issuer}:aud": "sts.amazonaws.com"}


def test_team_roles_scoped_to_their_prefixes_and_namespace(plan):
    team_roles = [r for r in of_type(plan, "aws:iam/role:Role") if "-team-" in r.name and not r.name.endswith("-people")]
    assert len(team_roles) == 2
    buckets = {r.name.rsplit("-", 1)[1]: r.outputs["arn"] for r in of_type(plan, "aws:s3/bucket:Bucket")}
    for role in team_roles:
        team = role.name.split("-team-", 1)[1]
        (trust,) = _statements(inputs(role)["assumeRolePolicy"])
        subject = next(v for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub"))
        namespace, service_account = team_namespace(team), team_service_account(team)
        assert subject == f"system:serviceaccount:{namespace}:{service_account}"
        grant = named(plan, "aws:iam/policy:Policy", f"identity-team-{team}-storage")
        by_sid = {st["Sid"]: st for st in _statements(grant["policy"])}
        assert by_sid["ReadWriteOwnPrefix"]["Resource"] == [
            f"{buckets[b]}/{team}/*" for b in ("datasets", "checkpoints", "artifacts")]
        assert by_sid["ListOwnPrefix"]["Condition"]["StringLike"]["s3:prefix"] == [f"{team}/", f"{team}/*"]
        assert by_sid["StorageKeyViaS3"]["Condition"]["StringEquals"]["kms:ViaService"] == "s3.us-east-1.amazonaws.com"
        # The workload role has no EKS access entry; the team's people role has one, Edit on the namespace.
        entries = {inputs(r)["principalArn"] for r in of_type(plan, "aws:eks/accessEntry:AccessEntry")}
        assert role.outputs["arn"] not in entries
        people = one(plan, "aws:iam/role:Role", f"team-{team}-people")
        association = named(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", f"team-{team}-people")
        assert association["accessScope"] == {"type": "namespace", "namespaces": [namespace]}
        assert association["policyArn"].endswith("cluster-access-policy/AmazonEKSEditPolicy")
        assert association["principalArn"] == people.outputs["arn"]
        assert named(plan, "aws:eks/accessEntry:AccessEntry", f"team-{team}-people")["principalArn"] == \
            people.outputs["arn"]


# ------------------------------------------------------------------------------- pure documents

def test_boundary_caps_but_denies_privilege_and_evidence_changes():
    allow, service_linked, deny = boundary_document()["Statement"]
    assert "*" not in allow["Action"] and "iam:*" not in allow["Action"]
    assert service_linked["Action"] == "iam:CreateServiceLinkedRole"
    assert {"kms:ScheduleKeyDeletion", "s3:PutBucketPolicy", "s3:BypassGovernanceRetention",
            "logs:DeleteLogGroup", "eks:DeleteCluster"} <= set(deny["Action"])
    assert deny["Effect"] == "Deny"


def test_irsa_trust_needs_a_subject():
    with pytest.raises(ValueError, match="at least one"):
        irsa_trust_policy("arn:aws:iam::1:oidc-provider/x", "x", [])
    two = irsa_trust_policy("arn", "https://oidc.example/id/1", [("a", "b"), ("c", "d")])
    assert two["Statement"][0]["Condition"]["StringEquals"]["oidc.example/id/1:sub"] == [
        "system:serviceaccount:a:b", "system:serviceaccount:c:d"]


def test_logs_key_policy_lets_cloudwatch_logs_use_it_for_this_accounts_groups_only():
    statements = {st["Sid"]: st for st in key_policy(CTX, "logs", trail_name="t")["Statement"]}
    logs = statements["CloudWatchLogsInThisAccount"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnLike": {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111122223333:log-group:*"}}
    trail = statements["CloudTrailEncryptLogs"]
    assert trail["Condition"]["StringEquals"]["aws:SourceArn"] == "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"
    assert statements["AccountAdministration"]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}


def test_ebs_key_lets_autoscaling_launch_encrypted_nodes():
    statements = {st["Sid"]: st for st in key_policy(CTX, "ebs")["Statement"]}
    grant = statements["AutoScalingAttachesEncryptedVolumes"]
    assert grant["Principal"]["AWS"].endswith(":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_keys_rotate_and_have_aliases(plan):
    keys = of_type(plan, "aws:kms/key:Key")
    # prod adds the audit replica's key, in the replica region (logging.auditReplicaRegion).
    # "alerts": the SNS topic's and managed Prometheus workspace's key (components/aws/alert_topic.py).
    purposes = ["alerts", "ebs", "eks", "logs", "storage", "registry", "secrets"] + (
        ["audit-replica"] if plan.stack == "prod" else [])
    assert sorted(inputs(k)["tags"]["purpose"] for k in keys) == sorted(purposes)
    assert all(inputs(k)["enableKeyRotation"] is True and inputs(k)["deletionWindowInDays"] == 30 for k in keys)
    aliases = sorted(inputs(a)["name"] for a in of_type(plan, "aws:kms/alias:Alias"))
    assert aliases == sorted(f"alias/ai-lz-{plan.stack}-{p}" for p in purposes)
