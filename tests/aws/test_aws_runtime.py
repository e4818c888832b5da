"""Runtime gaps of the EKS landing zone (issue 12): something scales the GPU pools up, network policies
are enforced, and Kueue accounts what EFA pools advertise. Each test failed before its fix."""

from __future__ import annotations

import json

import pytest
import yaml
from aws_plans import doc, named, of_type, one, stack_plan

from components.aws.managed_prometheus import SCRAPER_USER
from components.aws.node_autoscaler import CAPACITY_PRIORITY, expander_priorities
from components.aws.workload_identity import AUTOSCALER_DESCRIBE_ACTIONS, AUTOSCALER_SCALE_ACTIONS
from components.config.model import CapacityType
from lz.testing import inputs

RELEASE = "kubernetes:helm.sh/v3:Release"
STACKS = ("dev", "prod")


def release(plan, chart):
    found = [inputs(r) for r in of_type(plan, RELEASE) if inputs(r)["chart"] == chart]
    assert len(found) == 1, chart
    return found[0]


def role_arn_of(plan, name_suffix):
    role = one(plan, "aws:iam/role:Role", name_suffix)
    return role, role.outputs["arn"]


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_autoscaler_discovers_this_cluster_and_runs_as_its_irsa_role(stack):
    """Old behaviour: pools start at minNodes 0 with node-template tags and nothing read them."""
    plan = stack_plan(stack)
    ca = release(plan, "cluster-autoscaler")
    cluster = named(plan, "aws:eks/cluster:Cluster", "eks-cluster")
    assert ca["repositoryOpts"] == {"repo": "https://kubernetes.github.io/autoscaler"}
    assert ca["version"] == "9.51.0" and ca["namespace"] == "kube-system"
    values = ca["values"]
    assert values["cloudProvider"] == "aws" and values["awsRegion"] == "us-east-1"
    assert values["autoDiscovery"]["clusterName"] == cluster["name"]
    _, arn = role_arn_of(plan, "identity-cluster-autoscaler")
    sa = values["rbac"]["serviceAccount"]
    assert sa["name"] == "cluster-autoscaler" and sa["annotations"] == {"eks.amazonaws.com/role-arn": arn}
    args = values["extraArgs"]
    assert args["balance-similar-node-groups"] is True
    assert args["expander"] == "priority,least-waste"
    assert args["enable-provisioning-requests"] is True
    assert args["kube-api-content-type"] == "application/json"
    rules = values["rbac"]["additionalRules"]
    assert any("provisioningrequests" in r["resources"] for r in rules)
    assert values["nodeSelector"] == {"ai-landing-zone/pool": "system"}


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_autoscaler_role_trusts_one_service_account_and_scales_only_owned_groups(stack):
    plan = stack_plan(stack)
    role, _ = role_arn_of(plan, "identity-cluster-autoscaler")
    trust = doc(inputs(role)["assumeRolePolicy"])["Statement"]
    assert len(trust) == 1
    subs = [v for k, v in trust[0]["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subs == ["system:serviceaccount:kube-system:cluster-autoscaler"]
    statements = doc(named(plan, "aws:iam/policy:Policy", "identity-cluster-autoscaler-scale")["policy"])["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert set(by_sid["DescribeForDiscovery"]["Action"]) == set(AUTOSCALER_DESCRIBE_ACTIONS)
    assert "eks:DescribeNodegroup" in by_sid["DescribeForDiscovery"]["Action"]
    scale = by_sid["ScaleOwnNodeGroups"]
    assert set(scale["Action"]) == set(AUTOSCALER_SCALE_ACTIONS)
    cluster = named(plan, "aws:eks/cluster:Cluster", "eks-cluster")["name"]
    assert scale["Condition"] == {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}}
    attached = [inputs(a) for a in of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.name == "lz-identity-cluster-autoscaler-scale"]
    assert len(attached) == 1
    # The GPU pools carry the discovery tag the condition and auto-discovery use.
    for group in of_type(plan, "aws:eks/nodeGroup:NodeGroup"):
        if "pool-" in group.name:
            assert inputs(group)["tags"][f"k8s.io/cluster-autoscaler/{cluster}"] == "owned"


def test_expander_prefers_reserved_then_spot_then_on_demand():
    prod = release(stack_plan("prod"), "cluster-autoscaler")["values"]["expanderPriorities"]
    asg = {g.name: g.outputs["resources"][0]["autoscalingGroups"][0]["name"]
           for g in of_type(stack_plan("prod"), "aws:eks/nodeGroup:NodeGroup")}
    assert prod["50"] == [f"^{asg['lz-pool-h100-train-nodes']}$".replace("-", "\\-")]   # Capacity Block
    assert prod["10"] == [f"^{asg['lz-pool-l40s-serve-nodes']}$".replace("-", "\\-")]   # On-Demand
    assert prod["1"] == [".*"]
    assert expander_priorities([(CapacityType.spot, "a"), (CapacityType.reservation, "b")]) == {
        50: ["b"], 20: ["a"], 1: [".*"]}
    assert CAPACITY_PRIORITY[CapacityType.capacity_block] > CAPACITY_PRIORITY[CapacityType.spot] > \
        CAPACITY_PRIORITY[CapacityType.on_demand]


@pytest.mark.parametrize("stack", STACKS)
def test_vpc_cni_enforces_network_policies(stack):
    """Old behaviour: the VPC CNI ran without its network policy agent, so default-deny did nothing."""
    cni = named(stack_plan(stack), "aws:eks/addon:Addon", "addons-vpc-cni")
    assert json.loads(cni["configurationValues"])["enableNetworkPolicy"] == "true"


def test_kueue_ignores_efa_devices_on_prod():
    """Old behaviour: an EFA job's pods request vpc.amazonaws.com/efa, which no ClusterQueue covers."""
    kueue = release(stack_plan("prod"), "oci://registry.k8s.io/kueue/charts/kueue")
    manager = yaml.safe_load(kueue["values"]["managerConfig"]["controllerManagerConfigYaml"])
    assert manager["resources"]["excludeResourcePrefixes"] == ["vpc.amazonaws.com/efa"]


def test_prod_team_quota_holds_its_gpu_nodes():
    """Old behaviour: 64 CPU / 256Gi for a team with 24 H100 (3 p5.48xlarge bring 576 vCPU, 6 TiB)."""
    plan = stack_plan("prod")
    quota = named(plan, "kubernetes:core/v1:ResourceQuota", "pretraining-resourcequota-compute-and-storage")
    hard = quota["spec"]["hard"]
    assert int(hard["requests.cpu"]) >= 3 * 192
    assert hard["requests.memory"].endswith("Gi") and int(hard["requests.memory"][:-2]) >= 3 * 2048
    cq = named(plan, "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue", "cq-pretraining")
    cpu = {r["name"]: r["nominalQuota"] for r in cq["spec"]["resourceGroups"][0]["flavors"][0]["resources"]}
    assert (cpu["cpu"], cpu["memory"]) == (hard["requests.cpu"], hard["requests.memory"])


def test_multi_node_efa_pool_asks_cluster_autoscaler_for_all_nodes_first():
    plan = stack_plan("prod")
    checks = {inputs(r)["metadata"]["name"]: inputs(r) for r in
              of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:AdmissionCheck")}
    configs = {inputs(r)["metadata"]["name"]: inputs(r) for r in
               of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:ProvisioningRequestConfig")}
    assert checks["atomic-scale-up"]["spec"]["controllerName"] == "kueue.x-k8s.io/provisioning-request"
    assert configs["atomic-scale-up"]["spec"]["provisioningClassName"] == \
        "best-effort-atomic-scale-up.autoscaling.x-k8s.io"
    cq = named(plan, "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue", "cq-pretraining")
    assert cq["spec"]["admissionChecksStrategy"] == {
        "admissionChecks": [{"name": "atomic-scale-up", "onFlavors": ["h100-train"]}]}
    # Kueue starts after the ProvisioningRequest CRD, or its provisioning controller stays off.
    kueue = [r for r in of_type(plan, RELEASE) if inputs(r)["name"] == "kueue"][0]
    crd = one(plan, "kubernetes:yaml/v2:ConfigFile", "provreq-crd")
    assert crd.urn in kueue.dependencies
    assert inputs(crd)["file"].endswith("/cluster-autoscaler-1.33.0/cluster-autoscaler/apis/config/crd/"
                                        "autoscaling.x-k8s.io_provisioningrequests.yaml")


@pytest.mark.parametrize("stack", STACKS)
def test_people_and_pods_have_separate_identities(stack):
    """Old behaviour: each team's IRSA role was also its EKS access entry (namespace Edit): people could not
    assume it, and pods held namespace-edit rights through IAM."""
    plan = stack_plan(stack)
    entries = [inputs(r) for r in of_type(plan, "aws:eks/accessEntry:AccessEntry")]
    # The AMP managed scraper's service-linked role reads the cluster as a Kubernetes user bound by RBAC
    # (components/k8s/telemetry.py), with no EKS access policy; every other entry is a team's people role.
    [scraper] = [e for e in entries if e.get("userName") == SCRAPER_USER]
    entries = [e for e in entries if e is not scraper]
    associations = [inputs(r) for r in of_type(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")]
    roles = {r.outputs["arn"]: r for r in of_type(plan, "aws:iam/role:Role")}
    assert entries and len(entries) == len(associations)
    for entry in entries:
        role = roles[entry["principalArn"]]
        trust = doc(inputs(role)["assumeRolePolicy"])["Statement"]
        # a human role: assumed with sts:AssumeRole by listed principals, never by a web identity
        assert [s["Action"] for s in trust] == ["sts:AssumeRole"]
        assert trust[0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root"]}
        patterns = trust[0]["Condition"]["ArnLike"]["aws:PrincipalArn"]
        assert patterns and all("AWSReservedSSO_" in p for p in patterns)
    for association in associations:
        assert association["policyArn"].endswith("cluster-access-policy/AmazonEKSEditPolicy")
        assert association["accessScope"]["type"] == "namespace" and len(association["accessScope"]["namespaces"]) == 1
    # The pods' IRSA roles (web identity) have no access entry.
    entry_arns = {e["principalArn"] for e in entries}
    irsa = [arn for arn, r in roles.items()
            if "AssumeRoleWithWebIdentity" in json.dumps(doc(inputs(r)["assumeRolePolicy"]))]
    assert irsa and not entry_arns & set(irsa)


def test_people_must_be_iam_principal_arns_and_are_aws_only():
    from components.config import ConfigError, validate_config
    base = {"environment": "dev", "cloud": "aws", "tags": {"costCenter": "ml"},
            "teams": [{"name": "research", "costCenter": "ml", "people": ["ml-research@example.com"]}]}
    with pytest.raises(ConfigError) as info:
        validate_config(base, "stacks/Pulumi.t.yaml")
    assert any("teams[0].people[0]" in line and "ml-research@example.com" in line for line in info.value.lines)
    gcp = {**base, "cloud": "gcp", "region": "us-central1", "gcpProject": "p",
           "teams": [{"name": "research", "costCenter": "ml",
                      "people": ["arn:aws:iam::123456789012:role/ml-research"]}]}
    with pytest.raises(ConfigError) as info:
        validate_config(gcp, "stacks/Pulumi.t.yaml")
    assert any("teams[0].people" in line and "AWS only" in line for line in info.value.lines)


def test_lustre_never_exports_to_the_datasets_bucket():
    """Old behaviour: auto-export of NEW/CHANGED/DELETED while every team mounts the file system read-write,
    so one team's deletes reached another team's S3 prefix around the prefix-scoped IAM."""
    dra = named(stack_plan("prod"), "aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation", "storage-datasets")
    assert "autoExportPolicy" not in dra["s3"]
    assert dra["s3"]["autoImportPolicy"]["events"] == ["NEW", "CHANGED", "DELETED"]


def test_the_autoscaler_chart_must_match_the_cluster_minor():
    from components.config import ConfigError, validate_config
    from components.k8s.charts import CLUSTER_AUTOSCALER_APP_VERSIONS, provisioning_request_crd_url
    base = {"environment": "dev", "cloud": "aws", "tags": {"costCenter": "ml"}}
    validate_config(base, "stacks/Pulumi.t.yaml")          # the defaults agree: chart 9.51.0 runs 1.33.0
    assert CLUSTER_AUTOSCALER_APP_VERSIONS["9.51.0"].startswith("1.33.")
    for kubernetes, fragment in [({"version": "1.34"}, "must match"),
                                 ({"charts": {"clusterAutoscaler": {"chart": "cluster-autoscaler", "version": "9.99.0",
                                                                    "repo": "https://kubernetes.github.io/autoscaler"}}},
                                  "not recorded")]:
        with pytest.raises(ConfigError) as info:
            validate_config({**base, "kubernetes": kubernetes}, "stacks/Pulumi.t.yaml")
        assert any("kubernetes.charts.clusterAutoscaler.version" in line and fragment in line
                   for line in info.value.lines), info.value.lines
    assert "/cluster-autoscaler-1.33.0/" in provisioning_request_crd_url("9.51.0")
