"""KubernetesPlatform under the offline engine: the `onprem` stack as committed, and the platform on
EKS and GKE from PlatformInputs shaped like the landing zones' (the landing zones are built elsewhere)."""

from __future__ import annotations

import copy

import pytest
from k8s_helpers import kubernetes_objects, of_kind, plan_committed_stack, plan_platform, schema_check

from components.config import load_stack_file
from components.k8s.kueue import CPU_FLAVOR
from lz.testing import ROOT, inputs, of_type

RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
KUEUE = "kubernetes:kueue.x-k8s.io/v1beta1:"
BUILTIN_KINDS = {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "ServiceAccount", "Role",
                 "RoleBinding", "PriorityClass", "StorageClass", "PersistentVolume", "PersistentVolumeClaim"}


def by_name(plan, type_):
    return {r.name: inputs(r) for r in of_type(plan, type_)}


def releases(plan):
    return {i["name"]: i for i in by_name(plan, RELEASE).values()}


def namespaced(plan, type_, namespace):
    return {i["metadata"]["name"]: i for i in by_name(plan, type_).values() if i["metadata"]["namespace"] == namespace}


# --- the committed onprem stack -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def onprem():
    exit_code, states = plan_committed_stack("onprem")
    assert exit_code == 0
    return states


@pytest.fixture(scope="module")
def onprem_config():
    return load_stack_file(ROOT / "stacks" / "Pulumi.onprem.yaml")


def objects(states, type_, namespace=None):
    """{metadata.name: inputs} of one type, optionally in one namespace."""
    found = [s["inputs"] for s in of_kind(states, type_)]
    return {i["metadata"]["name"]: i for i in found if namespace is None or i["metadata"].get("namespace") == namespace}


def objects_by_release(states):
    return {s["inputs"]["name"]: s["inputs"] for s in of_kind(states, RELEASE)}


def test_onprem_plans_kubernetes_resources_only(onprem):
    custom = [s for s in onprem if s["custom"]]
    assert {s["type"].split(":")[0] for s in custom} == {"kubernetes", "pulumi"}
    providers = [s for s in custom if s["type"].startswith("pulumi:")]
    assert [p["type"] for p in providers] == ["pulumi:providers:kubernetes"]
    assert providers[0]["urn"].endswith("::platform-k8s")  # no default provider was ever needed
    explicit = f"{providers[0]['urn']}::{providers[0]['id']}"
    assert all(s["provider"] == explicit for s in custom if s is not providers[0])
    # 46 + allow-declared-egress and a golden-workloads ConfigMap per team namespace (2 + 2)
    # + the acceptance namespace (10): namespace, quota, limit range, 3 network policies, service account,
    #   ClusterQueue, LocalQueue, acceptance-workloads ConfigMap
    # + GPU telemetry's PodMonitor, PrometheusRule and AlertmanagerConfig (3)
    assert len(custom) == 63


def test_onprem_provider_uses_the_secret_kubeconfig_and_context(onprem):
    provider = of_kind(onprem, "pulumi:providers:kubernetes")[0]["inputs"]
    assert provider["context"] == "onprem-gpu" and provider["kubeconfig"] == "[secret]"


def test_every_team_namespace_has_gpu_quota_default_deny_and_a_local_queue(onprem, onprem_config):
    teams = onprem_config["ai-landing-zone:teams"]
    quota_by_team = {t["name"]: sum(t["gpuQuota"].values()) + (t.get("borrowingLimit") or 0) * len(t["gpuQuota"])
                     for t in teams}
    assert quota_by_team == {"research": 32, "serving": 48}  # serving: 8 + 24 + borrowing 8 in each of its 2 pools
    for team, gpus in quota_by_team.items():
        quota = objects(onprem, QUOTA, team)["compute-and-storage"]
        assert quota["spec"]["hard"]["requests.nvidia.com/gpu"] == str(gpus)
        deny = objects(onprem, NETPOL, team)["default-deny"]
        assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        assert objects(onprem, KUEUE + "LocalQueue", team)["default"]["spec"] == {"clusterQueue": team}
        ns = objects(onprem, NAMESPACE)[team]["metadata"]["labels"]
        assert ns["pod-security.kubernetes.io/enforce"] == "restricted"
        assert ns["team"] == team and ns["cost-center"] == next(t["costCenter"] for t in teams if t["name"] == team)


def test_cluster_queue_quotas_equal_the_stack_config(onprem, onprem_config):
    teams = {t["name"]: t for t in onprem_config["ai-landing-zone:teams"]}
    cqs = {name: i["spec"] for name, i in objects(onprem, KUEUE + "ClusterQueue").items()
           if name != "lz-acceptance"}   # borrows only: tests/k8s/test_acceptance_jobs.py
    assert set(cqs) == set(teams)
    for name, spec in cqs.items():
        gpu = {f["name"]: f["resources"][0] for f in spec["resourceGroups"][1]["flavors"]}
        assert {pool: r["nominalQuota"] for pool, r in gpu.items()} == teams[name]["gpuQuota"]
        assert {r["borrowingLimit"] for r in gpu.values()} == {teams[name].get("borrowingLimit") or 0}
        cpu = {r["name"]: r["nominalQuota"] for r in spec["resourceGroups"][0]["flavors"][0]["resources"]}
        # CPU and memory: the config's where it sets them, else derived from the GPU nodes the quota fills;
        # either way the ClusterQueue and the namespace's ResourceQuota agree.
        hard = objects(onprem, QUOTA, name)["compute-and-storage"]["spec"]["hard"]
        assert cpu == {"cpu": hard["requests.cpu"], "memory": hard["requests.memory"]}
        for key in ("cpu", "memory"):
            if key in teams[name]:
                assert cpu[key] == teams[name][key]
        assert spec["cohort"] == "gpu-platform"


def test_total_nominal_gpu_quota_fits_the_pools(onprem, onprem_config):
    pools = {p["name"]: p["maxNodes"] * p["gpusPerNode"] for p in onprem_config["ai-landing-zone:gpuPools"]}
    nominal = dict.fromkeys(pools, 0)
    for cq in objects(onprem, KUEUE + "ClusterQueue").values():
        for flavor in cq["spec"]["resourceGroups"][1]["flavors"]:
            nominal[flavor["name"]] += flavor["resources"][0]["nominalQuota"]
    assert nominal == {"h100": 32, "l40s": 24} and all(nominal[p] <= pools[p] for p in pools)


def test_flavors_select_the_brought_gpu_nodes(onprem):
    flavors = {name: i["spec"] for name, i in objects(onprem, KUEUE + "ResourceFlavor").items()}
    assert flavors[CPU_FLAVOR] == {}
    assert flavors["h100"]["nodeLabels"] == {"nvidia.com/gpu.present": "true", "node.example.com/gpu-pool": "h100"}
    assert flavors["l40s"]["nodeLabels"] == {"nvidia.com/gpu.present": "true", "node.example.com/gpu-pool": "l40s"}


def test_kueue_and_the_gpu_operator_are_installed(onprem):
    rel = objects_by_release(onprem)
    assert set(rel) == {"kueue", "gpu-operator"}
    assert rel["kueue"]["chart"] == "oci://registry.k8s.io/kueue/charts/kueue"
    assert rel["kueue"]["namespace"] == "kueue-system"
    operator = rel["gpu-operator"]
    assert operator["repositoryOpts"] == {"repo": "https://helm.ngc.nvidia.com/nvidia"}
    assert operator["values"]["driver"] == {"enabled": True}      # the brought nodes have no driver
    assert operator["values"]["dcgmExporter"] == {"enabled": True}


def test_kueue_objects_wait_for_the_kueue_release(onprem):
    kueue = next(s for s in of_kind(onprem, RELEASE) if s["inputs"]["name"] == "kueue")
    crs = [s for s in onprem if s["type"].startswith(KUEUE)]
    # flavors, team cluster queues, workload priority classes, team local queues, the acceptance queues
    assert len(crs) == 3 + 2 + 3 + 2 + 2
    assert all(kueue["urn"] in s["dependencies"] for s in crs)


def test_priority_tiers_reach_the_wire_with_their_values(onprem):
    # WorkloadPriorityClass keeps `value` beside metadata; a plain Python CustomResource would drop it.
    tiers = {"inference": 10000, "training": 0, "batch": -10000}
    wpcs = {name: i["value"] for name, i in objects(onprem, KUEUE + "WorkloadPriorityClass").items()}
    pcs = {name: (i["value"], i["preemptionPolicy"])
           for name, i in objects(onprem, "kubernetes:scheduling.k8s.io/v1:PriorityClass").items()}
    assert wpcs == tiers
    assert pcs == {"inference": (10000, "PreemptLowerPriority"), "training": (0, "PreemptLowerPriority"),
                   "batch": (-10000, "Never")}


def test_gpu_operator_namespace_is_the_privileged_exception_and_locked_down(onprem):
    enforce = {name: i["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
               for name, i in objects(onprem, NAMESPACE).items()}
    assert enforce == {"kueue-system": "restricted", "gpu-operator": "privileged",
                       "research": "restricted", "serving": "restricted", "lz-acceptance": "restricted"}
    assert objects(onprem, NETPOL, "gpu-operator")["default-deny"]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert not objects(onprem, QUOTA, "gpu-operator")


def test_team_rbac_binds_the_team_group(onprem):
    binding = objects(onprem, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "research")["team-member"]
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "oidc:ml-research"}]


def test_onprem_manifests_match_the_openapi_schema(onprem):
    manifests = [s["inputs"] for s in onprem if s["custom"] and s["type"].startswith("kubernetes:")
                 and s["inputs"].get("kind") in BUILTIN_KINDS]
    # + allow-declared-egress in each of the two team namespaces; + 7 of the acceptance namespace
    assert len(manifests) == 42
    for manifest in manifests:
        schema_check(manifest, "1.33")


# --- EKS and GKE, from the handover a landing zone makes -------------------------------------------

AWS_DOC = {
    "environment": "prod", "cloud": "aws", "tags": {"costCenter": "ml-platform"},
    "gpuPools": [{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4, "purpose": "training",
                  "taints": [{"key": "example.com/dedicated", "value": "training"}]},
                 {"name": "l40s", "instanceType": "g6e.12xlarge", "maxNodes": 6, "image": "bottlerocket-nvidia"}],
    "storage": {"file": {"kind": "lustre"}},
    "logging": {"auditReplicaRegion": "us-west-2"},  # required in prod on AWS
    "teams": [{"name": "research", "costCenter": "ml-research", "group": "ml-research", "gpuQuota": {"h100": 24}},
              {"name": "serving", "costCenter": "ml-serving", "gpuQuota": {"h100": 8, "l40s": 24}}],
}
EKS_INPUTS = """PlatformInputs(
    cluster=ClusterAccess(kind="eks", name="lz-prod", endpoint="https://ABC.gr7.us-east-1.eks.amazonaws.com",
                          ca_data="Q0E=", region="us-east-1"),
    gpu_pools=[GpuPoolHandle("h100", {"lz/pool": "h100"}, 8, 4, efa=True),
               GpuPoolHandle("l40s", {"lz/pool": "l40s"}, 4, 6)],
    team_identities={"research": TeamIdentity("research", "eks.amazonaws.com/role-arn",
                                              "arn:aws:iam::123456789012:role/lz-research")},
    file_tier=FileTierHandle("lustre", "fs-0123456789abcdef0", dns_name="fs-0123456789abcdef0.fsx.us-east-1.amazonaws.com",
                             mount_name="abcdefgh", capacity_gib=4800),
    storage_egress_cidrs=["10.40.0.0/16"])"""


@pytest.fixture(scope="module")
def eks(tmp_path_factory):
    plan = plan_platform(tmp_path_factory.mktemp("eks"), AWS_DOC, EKS_INPUTS)
    assert plan.run.error is None, plan.run.error
    return plan


def test_eks_provider_runs_aws_eks_get_token(eks):
    import json
    kubeconfig = json.loads(inputs(of_type(eks, "pulumi:providers:kubernetes")[0])["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["args"] == [
        "eks", "get-token", "--cluster-name", "lz-prod", "--region", "us-east-1", "--output", "json"]
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://ABC.gr7.us-east-1.eks.amazonaws.com"


def test_eks_gpu_stack_uses_the_ami_driver_and_adds_efa(eks):
    rel = releases(eks)
    assert set(rel) == {"kueue", "gpu-operator", "aws-efa-k8s-device-plugin", "external-secrets"}
    values = rel["gpu-operator"]["values"]
    assert values["driver"] == {"enabled": False} and values["toolkit"] == {"enabled": False}
    assert values["devicePlugin"] == {"enabled": True}  # the AL2023 pool needs it
    assert {"key": "example.com/dedicated", "operator": "Equal", "value": "training",
            "effect": "NoSchedule"} in values["daemonsets"]["tolerations"]
    efa = rel["aws-efa-k8s-device-plugin"]
    assert efa["namespace"] == "kube-system" and efa["repositoryOpts"] == {"repo": "https://aws.github.io/eks-charts"}
    assert efa["values"]["supportedInstanceLabels"]["values"] == ["p5.48xlarge"]


def test_eks_storage_classes(eks):
    classes = {i["metadata"]["name"]: i for i in by_name(eks, "kubernetes:storage.k8s.io/v1:StorageClass").values()}
    assert set(classes) == {"gp3", "io2"}
    gp3 = classes["gp3"]
    assert gp3["provisioner"] == "ebs.csi.aws.com" and gp3["parameters"]["encrypted"] == "true"
    assert gp3["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert gp3["reclaimPolicy"] == "Retain"  # prod


def test_eks_fsx_static_volume_per_team(eks):
    pvs = {i["metadata"]["name"]: i["spec"] for i in by_name(eks, "kubernetes:core/v1:PersistentVolume").values()}
    assert set(pvs) == {"research-lustre", "serving-lustre"}
    csi = pvs["research-lustre"]["csi"]
    assert csi == {"driver": "fsx.csi.aws.com", "volumeHandle": "fs-0123456789abcdef0",
                   "volumeAttributes": {"dnsname": "fs-0123456789abcdef0.fsx.us-east-1.amazonaws.com",
                                        "mountname": "abcdefgh"}}
    assert pvs["research-lustre"]["claimRef"] == {"namespace": "research", "name": "lustre"}
    assert pvs["research-lustre"]["persistentVolumeReclaimPolicy"] == "Retain"
    quota = namespaced(eks, QUOTA, "research")["compute-and-storage"]["spec"]["hard"]
    assert quota["requests.storage"] == "6848Gi" and quota["persistentvolumeclaims"] == "21"  # 2Ti + 4800Gi
    # prod: the volume, the claim and the namespace holding it survive a `pulumi destroy`.
    stateful = [r for r in eks.records if r.name in ("platform-research-namespace", "platform-research-pv-lustre",
                                                      "platform-research-pvc-lustre")]
    assert len(stateful) == 3 and all(r.protect and r.retain_on_delete for r in stateful)
    assert not any(r.protect for r in of_type(eks, NETPOL))


def test_eks_service_account_assumes_the_team_role(eks):
    accounts = {i["metadata"]["namespace"]: i for i in by_name(eks, "kubernetes:core/v1:ServiceAccount").values()}
    assert accounts["research"]["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/lz-research"}
    assert "annotations" not in accounts["serving"]["metadata"]
    assert accounts["research"]["automountServiceAccountToken"] is False
    egress = namespaced(eks, NETPOL, "research")["allow-storage-egress"]["spec"]["egress"]
    assert egress == [{"to": [{"ipBlock": {"cidr": "10.40.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 443}]}]


def test_eks_manifests_match_the_openapi_schema(eks):
    objects = [o for o in kubernetes_objects(eks) if o["kind"] in BUILTIN_KINDS]
    assert {o["kind"] for o in objects} == BUILTIN_KINDS
    for obj in objects:
        schema_check(obj, "1.33")


GCP_DOC = {
    "environment": "dev", "cloud": "gcp", "region": "us-central1", "gcpProject": "ml-dev",
    "tags": {"costCenter": "ml-platform"},
    "gpuPools": [{"name": "a3", "instanceType": "a3-highgpu-8g", "maxNodes": 2, "purpose": "training"}],
    "storage": {"file": {"kind": "managedLustre"}},
    "kubernetes": {"gcsFuseBuckets": ["ml-dev-datasets"], "version": "1.32"},
    "teams": [{"name": "research", "costCenter": "ml-research", "gpuQuota": {"a3": 16}}],
}
GKE_INPUTS = """PlatformInputs(
    cluster=ClusterAccess(kind="gke", name="lz-dev", endpoint="10.0.0.2", ca_data="Q0E=", region="us-central1",
                          project="ml-dev"),
    gpu_pools=[GpuPoolHandle("a3", {"cloud.google.com/gke-nodepool": "a3"}, 8, 2)],
    team_identities={"research": TeamIdentity("research", "iam.gke.io/gcp-service-account",
                                              "research@ml-dev.iam.gserviceaccount.com")},
    file_tier=FileTierHandle("managedLustre", "projects/ml-dev/locations/us-central1-a/instances/lustre",
                             dns_name="10.100.0.5", mount_name="lfs", capacity_gib=18000),
    storage_egress_cidrs=["199.36.153.8/30"])"""


@pytest.fixture(scope="module")
def gke(tmp_path_factory):
    plan = plan_platform(tmp_path_factory.mktemp("gke"), GCP_DOC, GKE_INPUTS)
    assert plan.run.error is None, plan.run.error
    return plan


def test_gke_installs_kueue_but_no_gpu_operator(gke):
    assert set(releases(gke)) == {"kueue", "external-secrets"}
    assert "gpu-operator" not in {i["metadata"]["name"] for i in by_name(gke, NAMESPACE).values()}


def test_gke_storage_and_volumes(gke):
    classes = {i["metadata"]["name"]: i for i in by_name(gke, "kubernetes:storage.k8s.io/v1:StorageClass").values()}
    assert {n: (c["provisioner"], c["parameters"]["type"]) for n, c in classes.items()} == {
        "hyperdisk-balanced": ("pd.csi.storage.gke.io", "hyperdisk-balanced"),
        "pd-balanced": ("pd.csi.storage.gke.io", "pd-balanced")}
    pvs = {i["metadata"]["name"]: i["spec"]["csi"] for i in by_name(gke, "kubernetes:core/v1:PersistentVolume").values()}
    assert pvs["research-lustre"] == {"driver": "lustre.csi.storage.gke.io", "volumeHandle": "ml-dev/us-central1-a/lustre",
                                      "volumeAttributes": {"ip": "10.100.0.5", "filesystem": "lfs"}}
    assert pvs["research-gcs-ml-dev-datasets"] == {"driver": "gcsfuse.csi.storage.gke.io",
                                                   "volumeHandle": "ml-dev-datasets"}


def test_gke_workload_identity_and_metadata_egress(gke):
    account = namespaced(gke, "kubernetes:core/v1:ServiceAccount", "research")["research"]
    assert account["metadata"]["annotations"] == {"iam.gke.io/gcp-service-account": "research@ml-dev.iam.gserviceaccount.com"}
    policies = namespaced(gke, NETPOL, "research")
    assert policies["allow-gke-metadata-988"]["spec"]["egress"] == [
        {"to": [{"ipBlock": {"cidr": "169.254.169.252/32"}}], "ports": [{"protocol": "TCP", "port": 988}]}]


def test_gke_manifests_match_the_openapi_schema(gke):
    for obj in kubernetes_objects(gke):
        if obj["kind"] in BUILTIN_KINDS:
            schema_check(obj, "1.32")


def test_a_landing_zone_smaller_than_the_config_stops_the_plan(tmp_path):
    small = EKS_INPUTS.replace('GpuPoolHandle("h100", {"lz/pool": "h100"}, 8, 4, efa=True)',
                               'GpuPoolHandle("h100", {"lz/pool": "h100"}, 8, 2, efa=True)')
    plan = plan_platform(tmp_path, copy.deepcopy(AWS_DOC), small)
    assert plan.exit_code == 2
    assert "team GPU quotas exceed the pools the landing zone built (h100: 32 nominal GPUs > 16)" in plan.run.error



def test_external_secrets_operator_is_pinned_and_serves_namespaced_stores_only(eks):
    """Issue 18: the operator that syncs each team's secrets; a ClusterSecretStore would serve every
    namespace, so the cluster-scoped controllers are off."""
    release = releases(eks)["external-secrets"]
    assert release["version"] == "2.9.0" and release["repositoryOpts"] == {"repo": "https://charts.external-secrets.io"}
    values = release["values"]
    assert values["processClusterStore"] is False and values["processClusterExternalSecret"] is False
    assert values["processClusterPushSecret"] is False and values["installCRDs"] is True
    (namespace,) = [n for n in by_name(eks, NAMESPACE).values() if n["metadata"]["name"] == "external-secrets"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
