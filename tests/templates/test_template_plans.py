"""Every bundled template renders and plans offline; the team workspace builds on a landing zone's outputs.

The landing-zone templates must build exactly what this project builds from the same config (they
compose the same components) and export the outputs team workspaces read. The team workspace is planned
against the saved outputs of those plans, the StackReference answered by `--stack-outputs`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from lz.cli import _parse_stack_outputs
from lz.cli import main as lz_main
from lz.engine.plan import Plan, PlanRequest, plan
from lz.report import plan_json, stack_outputs
from lz.templates_cmd import TEMPLATES_DIR, load_template, render
from lz.testing import ROOT, inputs, of_type, plan_config

LZ_STACK = "organization/ai-landing-zone/dev"
GCP_PROJECT = "acme-ml-dev"
ANSWERS = {
    "landing-zone-aws": {},
    "landing-zone-gcp": {"gcp:project": GCP_PROJECT, "ai-landing-zone:gcpProject": GCP_PROJECT},
}


def _workspace_module():
    spec = importlib.util.spec_from_file_location("team_workspace_template",
                                                  TEMPLATES_DIR / "team-workspace" / "workspace.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the model's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


ws = _workspace_module()


def rendered(tmp: Path, template: str, name: str, answers: dict[str, str] | None = None) -> Path:
    return render(load_template(TEMPLATES_DIR / template), tmp / name, stack="dev", answers=answers).dir


def plan_dir(directory: Path, **kwargs: Any) -> Plan:
    return plan(PlanRequest(project_dir=directory, stack="dev", use_project_pack=False,
                            policy_packs=[ROOT / "policies"], **kwargs))


def stack_config(directory: Path) -> dict[str, Any]:
    return yaml.safe_load((directory / "stacks" / "Pulumi.dev.yaml").read_text())["config"]


@pytest.fixture(scope="module")
def zones(tmp_path_factory) -> dict[str, tuple[Path, Plan]]:
    tmp = tmp_path_factory.mktemp("zones")
    out = {}
    for cloud in ("aws", "gcp"):
        directory = rendered(tmp, f"landing-zone-{cloud}", f"acme-lz-{cloud}", ANSWERS[f"landing-zone-{cloud}"])
        out[cloud] = (directory, plan_dir(directory))
    return out


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_landing_zone_template_plans_and_exports_the_workspace_contract(zones, cloud):
    _, result = zones[cloud]
    assert result.run.error is None, result.run.error
    assert result.packs and result.packs[0].name == "ai-landing-zone-guardrails"
    outputs = stack_outputs(result)
    assert set(ws.REQUIRED_OUTPUTS[cloud]) <= set(outputs), set(ws.REQUIRED_OUTPUTS[cloud]) - set(outputs)
    assert outputs["cloud"] == cloud and outputs["environment"] == "dev"
    assert set(outputs["buckets"]) == {"datasets", "checkpoints", "artifacts"}
    assert outputs["clusterQueues"] == ["research"], "the template's default team gets its ClusterQueue"
    settings = ws.WorkspaceSettings(landingZoneStack=LZ_STACK, cloud=cloud, region=outputs["region"],
                                    team={"name": "research", "costCenter": "research"})
    assert ws.landing_zone_problems(outputs, settings) == []


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_landing_zone_template_builds_what_this_project_builds(zones, cloud):
    directory, result = zones[cloud]
    config = {**stack_config(directory), "ai-landing-zone:cloud": cloud}
    this_project = plan_config(config, stack="dev", policy=False)
    assert this_project.run.error is None, this_project.run.error

    def shape(p: Plan) -> list[tuple[str, str]]:
        return sorted((r.type, r.name) for r in p.records if r.type != "pulumi:pulumi:Stack")

    assert shape(result) == shape(this_project)
    assert len(result.records) > 100


# --- the team workspace ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def saved_outputs(zones, tmp_path_factory) -> dict[str, Path]:
    """Each landing zone's plan saved as `lz plan --json` writes it."""
    tmp = tmp_path_factory.mktemp("saved")
    files = {}
    for cloud, (_, result) in zones.items():
        files[cloud] = tmp / f"lz-{cloud}.json"
        files[cloud].write_text(json.dumps(plan_json(result)))
    return files


def workspace_plan(tmp: Path, cloud: str, saved: Path | None, **answers: str) -> Plan:
    region = {"aws": "us-east-1", "gcp": "us-central1"}[cloud]
    directory = rendered(tmp, "team-workspace", f"research-{cloud}", {"cloud": cloud, "region": region, **answers})
    outputs = _parse_stack_outputs([f"{LZ_STACK}={saved}"]) if saved else {}
    return plan_dir(directory, policy_pack_configs=[directory / "policy-pack-config.json"], stack_outputs=outputs)


@pytest.fixture(scope="module")
def workspaces(saved_outputs, tmp_path_factory) -> dict[str, Plan]:
    tmp = tmp_path_factory.mktemp("workspaces")
    return {cloud: workspace_plan(tmp, cloud, saved_outputs[cloud], group="research-engineers")
            for cloud in ("aws", "gcp")}


def one(result: Plan, type_: str) -> dict[str, Any]:
    (record,) = of_type(result, type_)
    return inputs(record)


def lz_outputs(zones, cloud: str) -> dict[str, Any]:
    return stack_outputs(zones[cloud][1])


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_workspace_plans_with_the_policy_pack(workspaces, cloud):
    result = workspaces[cloud]
    assert result.run.error is None, result.run.error
    assert result.mandatory == [], [v.message for v in result.mandatory]
    (ref,) = of_type(result, "pulumi:pulumi:StackReference")
    assert ref.id == LZ_STACK
    assert stack_outputs(result) == {
        "namespace": "research", "serviceAccount": "research", "localQueue": "default",
        "clusterQueue": "research",
        "identity": stack_outputs(result)["identity"], "repository": stack_outputs(result)["repository"]}


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_workspace_kubernetes_objects(workspaces, zones, cloud):
    result = workspaces[cloud]
    lz = lz_outputs(zones, cloud)
    (provider,) = of_type(result, "pulumi:providers:kubernetes")
    kubeconfig = json.loads(inputs(provider)["kubeconfig"])
    assert kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"] == lz["clusterCaData"]
    user = kubeconfig["users"][0]["user"]["exec"]
    if cloud == "aws":
        assert kubeconfig["clusters"][0]["cluster"]["server"] == lz["clusterEndpoint"]
        assert user["args"] == ["eks", "get-token", "--cluster-name", lz["clusterName"], "--region", "us-east-1",
                                "--output", "json"]
    else:
        assert kubeconfig["clusters"][0]["cluster"]["server"] == f"https://{lz['clusterEndpoint']}"
        assert user["command"] == "gke-gcloud-auth-plugin"
    k8s_records = [r for r in result.records if r.type.startswith("kubernetes:") and r.custom]
    assert {r.type for r in k8s_records} == {
        "kubernetes:core/v1:Namespace", "kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:core/v1:ServiceAccount",
        "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue", "kubernetes:external-secrets.io/v1:SecretStore"}
    assert all(r.provider.startswith(provider.urn) for r in k8s_records), "no ambient kubeconfig is ever used"
    # The team's secret store authenticates as the team's ServiceAccount (issue 18).
    store = one(result, "kubernetes:external-secrets.io/v1:SecretStore")
    assert store["metadata"] == {**store["metadata"], "name": "team-secrets", "namespace": "research"}
    if cloud == "aws":
        assert store["spec"]["provider"]["aws"]["auth"] == {"jwt": {"serviceAccountRef": {"name": "research"}}}
    else:
        auth = store["spec"]["provider"]["gcpsm"]["auth"]["workloadIdentity"]
        assert auth["serviceAccountRef"] == {"name": "research"} and auth["clusterName"] == lz["clusterName"]

    namespace = one(result, "kubernetes:core/v1:Namespace")["metadata"]
    assert namespace["name"] == "research"
    labels = namespace["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.33"
    assert {labels[k] for k in ("team", "cost-center", "environment")} == {"research", "dev"}
    # The same quota the platform gives its own team namespaces, from the landing zone's figures.
    quota = lz["teamQuotas"]["research"]
    hard = one(result, "kubernetes:core/v1:ResourceQuota")["spec"]["hard"]
    assert hard["requests.cpu"] == quota["cpu"] and hard["requests.memory"] == quota["memory"]
    assert {k.removeprefix("requests."): v for k, v in hard.items() if "/" in k} == {"nvidia.com/gpu": "1"}
    assert hard["persistentvolumeclaims"] == "20", "counts stay integers through the StackReference"
    assert quota["gpus"] == {"nvidia.com/gpu": 1}
    policies = {p["metadata"]["name"]: p["spec"] for p in
                map(inputs, of_type(result, "kubernetes:networking.k8s.io/v1:NetworkPolicy"))}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert {"allow-same-namespace", "allow-dns", "allow-storage-egress"} <= set(policies)
    storage = policies["allow-storage-egress"]
    if lz["storageEgressCidrs"]:
        assert [b["ipBlock"]["cidr"] for b in storage["egress"][0]["to"]] == lz["storageEgressCidrs"]
    else:  # an empty `to` would allow every destination
        assert storage.get("egress", []) == []
    assert ("allow-gke-metadata-988" in policies) == (cloud == "gcp")
    queue = one(result, "kubernetes:kueue.x-k8s.io/v1beta1:LocalQueue")
    assert queue["metadata"]["namespace"] == "research" and queue["metadata"]["name"] == "default"
    assert queue["spec"] == {"clusterQueue": "research"}
    binding = one(result, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "research-engineers"}]
    assert binding["roleRef"]["name"] == one(result, "kubernetes:rbac.authorization.k8s.io/v1:Role")["metadata"]["name"]
    account = one(result, "kubernetes:core/v1:ServiceAccount")
    assert account["metadata"]["namespace"] == "research" and account["automountServiceAccountToken"] is False


def test_workspace_aws_identity_is_irsa_with_the_boundary_and_prefix_scoped(workspaces, zones):
    result, lz = workspaces["aws"], lz_outputs(zones, "aws")
    assert not [r for r in result.records if r.urn.endswith("::default") or "::default_" in r.urn], \
        "every AWS resource uses the workspace's explicit provider"
    (role_record,) = of_type(result, "aws:iam/role:Role")
    role = inputs(role_record)
    assert role["permissionsBoundary"] == lz["permissionsBoundaryArn"]
    assert {k: role["tags"][k] for k in ("team", "environment", "cost-center")} == \
        {"team": "research", "environment": "dev", "cost-center": "research"}
    (statement,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Federated": lz["oidcProviderArn"]}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        f"{lz['oidcIssuer']}:sub": "system:serviceaccount:research:research",
        f"{lz['oidcIssuer']}:aud": "sts.amazonaws.com"}

    policies = {r.name: json.loads(inputs(r)["policy"]) for r in of_type(result, "aws:iam/policy:Policy")}
    assert sorted(policies) == ["research-role-secrets", "research-role-storage"]
    by_sid = {s["Sid"]: s for s in policies["research-role-storage"]["Statement"]}
    bucket_arns = sorted(f"arn:aws:s3:::{lz['buckets'][b]}" for b in ("datasets", "checkpoints", "artifacts"))
    assert sorted(by_sid["ListOwnPrefix"]["Resource"]) == bucket_arns
    assert by_sid["ListOwnPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["research/", "research/*"]}}
    assert sorted(by_sid["ReadWriteOwnPrefix"]["Resource"]) == sorted(f"{a}/research/*" for a in bucket_arns)
    assert by_sid["StorageKeyViaS3"]["Resource"] == lz["storageKmsKeyArn"]
    assert by_sid["StorageKeyViaS3"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    attachments = [inputs(r) for r in of_type(result, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert [a["role"] for a in attachments] == [role_record.outputs["name"]] * 2
    # Secrets: only the workspace's prefix, decrypted with the landing zone's secrets key through Secrets Manager.
    secrets = {s["Sid"]: s for s in policies["research-role-secrets"]["Statement"]}
    assert secrets["ReadOwnSecrets"]["Resource"].endswith(":secret:research-workspace/teams/research/*")
    assert secrets["SecretsKeyViaSecretsManager"]["Resource"] == lz["secretsKmsKeyArn"]
    # Images: the team's repository, immutable, the landing zone's registry key, scanned, untagged expire.
    repo = one(result, "aws:ecr/repository:Repository")
    assert repo["name"] == "research-workspace/teams/research" and repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": lz["registryKmsKeyArn"]}]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert "untagged" in one(result, "aws:ecr/lifecyclePolicy:LifecyclePolicy")["policy"]

    account = one(result, "kubernetes:core/v1:ServiceAccount")
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role_record.outputs["arn"]}
    assert stack_outputs(result)["identity"] == role_record.outputs["arn"]


def test_workspace_gcp_identity_is_workload_identity_with_managed_folders(workspaces, zones):
    result, lz = workspaces["gcp"], lz_outputs(zones, "gcp")
    (provider,) = of_type(result, "pulumi:providers:gcp")
    assert inputs(provider)["project"] == GCP_PROJECT and inputs(provider)["region"] == "us-central1"
    (account_record,) = of_type(result, "gcp:serviceaccount/account:Account")
    assert inputs(account_record)["accountId"] == "ws-research"
    email = account_record.outputs["email"]
    member = one(result, "gcp:serviceaccount/iAMMember:IAMMember")
    assert member["role"] == "roles/iam.workloadIdentityUser"
    assert member["member"] == f"serviceAccount:{GCP_PROJECT}.svc.id.goog[research/research]"
    folders = sorted((f["bucket"], f["name"]) for f in map(inputs, of_type(result, "gcp:storage/managedFolder:ManagedFolder")))
    assert folders == sorted((lz["buckets"][b], "research/") for b in ("datasets", "checkpoints", "artifacts"))
    grants = [inputs(r) for r in of_type(result, "gcp:storage/managedFolderIamMember:ManagedFolderIamMember")]
    assert len(grants) == 3
    assert all(g["role"] == "roles/storage.objectUser" and g["member"] == f"serviceAccount:{email}"
               and g["managedFolder"] == "research/" for g in grants)
    account = one(result, "kubernetes:core/v1:ServiceAccount")
    assert account["metadata"]["annotations"] == {"iam.gke.io/gcp-service-account": email}


# --- StackReference: answered from a saved plan, or a clear error ---------------------------------

def test_lz_plan_answers_the_stack_reference_from_a_saved_plan(saved_outputs, tmp_path, capsys):
    directory = rendered(tmp_path, "team-workspace", "research-ws")
    out = tmp_path / "plan.json"
    code = lz_main(["plan", "dev", "-C", str(directory), "--no-policy", "--json", str(out),
                    "--stack-outputs", f"{LZ_STACK}={saved_outputs['aws']}"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads(out.read_text())
    (ref,) = [s for s in doc["steps"] if s["type"] == "pulumi:pulumi:StackReference"]
    assert ref["newState"]["id"] == LZ_STACK
    assert doc["outputs"]["namespace"] == "research"


def test_lz_plan_without_the_outputs_says_which_flag_to_pass(tmp_path, capsys):
    directory = rendered(tmp_path, "team-workspace", "research-ws")
    code = lz_main(["plan", "dev", "-C", str(directory), "--no-policy", "--json", "-"])
    assert code == 2
    assert (f"StackReference '{LZ_STACK}' has no outputs: pass --stack-outputs {LZ_STACK}=FILE"
            in capsys.readouterr().err)


def test_stack_outputs_flag_rejects_a_malformed_value(tmp_path, capsys):
    directory = rendered(tmp_path, "team-workspace", "research-ws")
    assert lz_main(["plan", "dev", "-C", str(directory), "--no-policy", "--stack-outputs", LZ_STACK]) == 2
    assert "expected ORG/PROJECT/STACK=FILE" in capsys.readouterr().err


def test_a_landing_zone_of_the_other_cloud_fails_the_plan_with_the_reason(saved_outputs, tmp_path):
    result = workspace_plan(tmp_path, "gcp", saved_outputs["aws"])
    assert result.run.error is not None
    assert f"{LZ_STACK} is a aws landing zone, but cloud is gcp" in result.run.error
    assert f"{LZ_STACK} is in region us-east-1, but region is us-central1" in result.run.error


def test_a_landing_zone_without_the_contract_fails_the_plan_naming_the_outputs(tmp_path):
    saved = tmp_path / "bare.json"
    saved.write_text(json.dumps({"environment": "dev", "cloud": "aws"}))  # a bare outputs object
    result = workspace_plan(tmp_path, "aws", saved)
    assert result.run.error is not None
    assert (f"{LZ_STACK} exports no clusterName, clusterEndpoint, clusterCaData, region, kubernetesVersion, "
            "buckets, clusterQueues, teamQuotas, storageEgressCidrs, oidcProviderArn, oidcIssuer, "
            "permissionsBoundaryArn, storageKmsKeyArn"
            in result.run.error)


# --- the workspace's pure parts --------------------------------------------------------------------

GOOD = {"landingZoneStack": LZ_STACK, "cloud": "aws", "region": "us-east-1", "team": "vision", "costCenter": "cv"}


@pytest.mark.parametrize("change, line", [
    ({"team": "Vision"}, "stacks/Pulumi.dev.yaml: ws:team: String should match pattern"),
    ({"costCenter": None}, "stacks/Pulumi.dev.yaml: ws:costCenter: required key is missing"),
    ({"cloud": "azure"}, "stacks/Pulumi.dev.yaml: ws:cloud: Input should be 'aws' or 'gcp'"),
    ({"landingZoneStack": "ai-landing-zone/dev"}, "stacks/Pulumi.dev.yaml: ws:landingZoneStack: String should match"),
])
def test_bad_settings_name_the_file_and_key(change, line):
    import pulumi

    values = {**GOOD, **change}
    with pytest.raises(pulumi.RunError) as info:
        ws.read_settings(values, "ws", "stacks/Pulumi.dev.yaml")
    assert line in str(info.value)


def test_settings_defaults():
    settings = ws.read_settings({**GOOD, "group": "", "clusterQueue": ""}, "ws", "stacks/Pulumi.dev.yaml")
    assert settings.team.group is None and settings.queue == "vision"
    assert ws.read_settings({**GOOD, "clusterQueue": "shared"}, "ws", "s").queue == "shared"


CONTRACT = {"cloud": "aws", "environment": "dev", "clusterName": "c", "clusterEndpoint": "https://e",
            "clusterCaData": "Y2E=", "region": "us-east-1", "kubernetesVersion": "1.33",
            "buckets": {"datasets": "d", "checkpoints": "c", "artifacts": "a"}, "clusterQueues": ["vision"],
            "teamQuotas": {"vision": {"cpu": "64", "memory": "256Gi", "storage": "2Ti", "pvcCount": 20, "gpus": {}}},
            "storageEgressCidrs": [],
            "oidcProviderArn": "arn", "oidcIssuer": "oidc", "permissionsBoundaryArn": "b", "storageKmsKeyArn": "k",
            "registryKmsKeyArn": "rk", "secretsKmsKeyArn": "sk"}


@pytest.mark.parametrize("change, problem", [
    ({}, None),
    ({"clusterQueues": ["nlp", "speech"]},
     "has no ClusterQueue 'vision' (it has nlp, speech); ask the platform team to add the team to the landing "
     "zone's `teams` with a gpuQuota"),
    ({"buckets": {"datasets": "d"}}, "output buckets has no checkpoints, artifacts bucket"),
    ({"oidcIssuer": None}, "exports no oidcIssuer; the landing zone's __main__.py must export them"),
    ({"cloud": "gcp"}, "is a gcp landing zone, but cloud is aws"),
    ({"teamQuotas": {}}, "sets no quota for team 'vision' (output teamQuotas); the team must be in the landing "
                         "zone's `teams`"),
])
def test_landing_zone_problems(change, problem):
    settings = ws.read_settings(GOOD, "ws", "s")
    problems = ws.landing_zone_problems({**CONTRACT, **change}, settings)
    assert problems == ([] if problem is None else [f"{LZ_STACK} {problem}"])
