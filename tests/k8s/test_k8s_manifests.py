"""The pure renderers: quota maths, Kueue objects, GPU stack decisions, kubeconfigs, and every built-in
manifest checked against the Kubernetes OpenAPI schema of the configured version."""

from __future__ import annotations

import copy
import json

import kubernetes_validate
import pytest
from k8s_helpers import schema_check

from components.config.model import GpuPool, LandingZoneConfig, Team
from components.k8s import charts
from components.k8s import kueue as q
from components.k8s import manifests as m
from components.k8s.kubeconfig import exec_kubeconfig
from components.k8s.storage import block_class_manifests, efs_class_manifest
from components.k8s.team_namespace import TeamNamespaceArgs, team_manifests
from components.k8s.volumes import SharedVolume, filestore_handle, managed_lustre_handle, shared_volumes
from components.platform_inputs import FileTierHandle, GpuPoolHandle, TeamIdentity

H100 = GpuPoolHandle("h100", {"pool": "h100"}, gpus_per_node=8, max_nodes=4)
L40S = GpuPoolHandle("l40s", {"pool": "l40s"}, gpus_per_node=4, max_nodes=6)
TRN = GpuPoolHandle("trn", {"pool": "trn"}, gpus_per_node=16, max_nodes=2, resource_name="aws.amazon.com/neuron")

AWS_DOC = {
    "environment": "prod", "cloud": "aws", "tags": {"costCenter": "ml-platform"},
    "gpuPools": [{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4, "purpose": "training",
                  "taints": [{"key": "example.com/dedicated", "value": "training"}]},
                 {"name": "l40s", "instanceType": "g6e.12xlarge", "maxNodes": 6}],
    "teams": [{"name": "research", "costCenter": "ml-research", "group": "ml-research",
               "gpuQuota": {"h100": 24}, "borrowingLimit": 8, "cpu": "256", "memory": "2Ti", "storage": "20Ti"},
              {"name": "serving", "costCenter": "ml-serving", "gpuQuota": {"h100": 8, "l40s": 24}}],
}


def team(**kw) -> Team:
    return Team.model_validate({"name": "t", "costCenter": "cc", **kw})


# --- quota maths -----------------------------------------------------------------------------------

@pytest.mark.parametrize("quota, borrow, pools, expected", [
    ({"h100": 24}, None, [H100, L40S], {"nvidia.com/gpu": 24}),
    ({"h100": 24}, 8, [H100, L40S], {"nvidia.com/gpu": 32}),                 # borrows only where it has quota
    ({"h100": 8, "l40s": 24}, 2, [H100, L40S], {"nvidia.com/gpu": 36}),      # 8+2 + 24+2
    ({}, 5, [H100, L40S], {"nvidia.com/gpu": 0}),                            # no quota: nothing, not even borrowing
    ({"trn": 16}, None, [H100, TRN], {"aws.amazon.com/neuron": 16, "nvidia.com/gpu": 0}),
    ({}, None, [], {"nvidia.com/gpu": 0}),                                   # no pools: GPUs still capped at 0
])
def test_namespace_gpu_quota_is_nominal_plus_borrowing(quota, borrow, pools, expected):
    assert q.namespace_gpus(team(gpuQuota=quota, borrowingLimit=borrow), pools) == expected


@pytest.mark.parametrize("quotas, expected", [
    ([{"h100": 24}, {"h100": 8}], {}),                         # 32 = 4 x 8: full, not over
    ([{"h100": 24}, {"h100": 9}], {"h100": (33, 32)}),
    ([{"l40s": 25}], {"l40s": (25, 24)}),
    ([{"h100": 40, "l40s": 30}], {"h100": (40, 32), "l40s": (30, 24)}),
])
def test_overcommitted_pools(quotas, expected):
    teams = [team(name=f"t{i}", gpuQuota=qt) for i, qt in enumerate(quotas)]
    assert q.overcommitted(teams, [H100, L40S]) == expected


def test_cluster_queue_quotas_equal_the_config():
    t = team(name="research", gpuQuota={"h100": 24, "trn": 16}, borrowingLimit=4, cpu="96", memory="768Gi")
    cq = q.cluster_queue(t, "research", [H100, L40S, TRN], {})
    spec = cq["spec"]
    assert (cq["apiVersion"], cq["kind"], spec["cohort"]) == ("kueue.x-k8s.io/v1beta1", "ClusterQueue", q.COHORT)
    assert spec["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "research"}}
    cpu_group, gpu_group = spec["resourceGroups"]
    assert cpu_group["flavors"] == [{"name": q.CPU_FLAVOR, "resources": [
        {"name": "cpu", "nominalQuota": "96", "borrowingLimit": 0},
        {"name": "memory", "nominalQuota": "768Gi", "borrowingLimit": 0}]}]
    assert gpu_group["coveredResources"] == ["aws.amazon.com/neuron", "nvidia.com/gpu"]
    quotas = {(f["name"], r["name"]): (r["nominalQuota"], r["borrowingLimit"])
              for f in gpu_group["flavors"] for r in f["resources"]}
    # l40s is not listed: no quota there. Each flavor lists every covered resource, 0 where it has none.
    assert quotas == {("h100", "aws.amazon.com/neuron"): (0, 0), ("h100", "nvidia.com/gpu"): (24, 4),
                      ("trn", "aws.amazon.com/neuron"): (16, 4), ("trn", "nvidia.com/gpu"): (0, 0)}


def test_team_without_gpu_quota_gets_a_cpu_only_queue():
    cq = q.cluster_queue(team(name="ops"), "ops", [H100], {})
    assert [g["coveredResources"] for g in cq["spec"]["resourceGroups"]] == [["cpu", "memory"]]


def test_flavor_carries_pool_labels_and_tolerations():
    pool = GpuPool.model_validate({"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 1, "taints": [
        {"key": "example.com/dedicated", "value": "training"}, {"key": "example.com/spot", "effect": "NoExecute"}]})
    flavor = q.resource_flavor(H100, {"team": "platform"}, q.pool_tolerations(pool))
    assert flavor["spec"] == {"nodeLabels": {"pool": "h100"}, "tolerations": [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "example.com/dedicated", "operator": "Equal", "value": "training", "effect": "NoSchedule"},
        {"key": "example.com/spot", "operator": "Exists", "effect": "NoExecute"}]}


def test_daemonset_tolerations_cover_every_pool_once():
    a = GpuPool.model_validate({"name": "a", "instanceType": "p5.48xlarge", "maxNodes": 1,
                                "taints": [{"key": "example.com/dedicated", "value": "training"}]})
    b = GpuPool.model_validate({"name": "b", "instanceType": "p5.48xlarge", "maxNodes": 1,
                                "taints": [{"key": "example.com/dedicated", "value": "training"},
                                           {"key": "example.com/spot", "effect": "NoExecute"}]})
    assert [t["key"] for t in q.daemonset_tolerations([a, b, None])] == [
        "nvidia.com/gpu", "example.com/dedicated", "example.com/spot"]
    assert q.daemonset_tolerations([]) == q.pool_tolerations(None)


def test_workload_priority_classes_keep_value_at_top_level():
    wpcs = {t.name: q.workload_priority_class(t, {}) for t in q.PRIORITY_TIERS}
    assert {n: w["value"] for n, w in wpcs.items()} == {"inference": 10000, "training": 0, "batch": -10000}
    assert all("spec" not in w for w in wpcs.values())


# --- GPU device stack ------------------------------------------------------------------------------

def _pool(name, image=None):
    return GpuPool.model_validate({"name": name, "instanceType": "p5.48xlarge", "maxNodes": 1, "image": image})


@pytest.mark.parametrize("kind, images, efa, preinstalled, expected", [
    # operator, driver, toolkit, device plugin, EFA plugin
    ("eks", [None], False, False, (True, False, False, True, False)),                 # AL2023 NVIDIA by default
    ("eks", ["al2023-nvidia"], True, False, (True, False, False, True, True)),
    ("eks", ["bottlerocket-nvidia"], False, False, (True, False, False, False, False)),  # Bottlerocket runs its own plugin
    ("eks", ["bottlerocket-nvidia", "al2023-nvidia"], False, False, (True, False, False, True, False)),
    ("gke", ["cos"], False, False, (False, False, False, False, False)),               # GKE installs drivers
    ("byo", [None], False, False, (True, True, True, True, False)),
    ("byo", [None], False, True, (True, False, True, True, False)),                    # nodes bring the driver
])
def test_gpu_stack(kind, images, efa, preinstalled, expected):
    pools = [_pool(f"p{i}", image) for i, image in enumerate(images)]
    handles = [GpuPoolHandle(p.name, {}, 8, 1, efa=efa) for p in pools]
    s = charts.gpu_stack(kind, pools, handles, driver_preinstalled=preinstalled)
    assert (s.operator, s.driver, s.toolkit, s.device_plugin, s.efa_plugin) == expected


def test_eks_without_nvidia_pools_installs_no_operator():
    handles = [GpuPoolHandle("trn", {}, 16, 1, resource_name="aws.amazon.com/neuron")]
    assert not charts.gpu_stack("eks", [_pool("trn")], handles).operator


def test_gpu_operator_values_on_eks():
    stack = charts.GpuStack(operator=True, driver=False, toolkit=False, device_plugin=True, efa_plugin=False)
    tolerations = q.pool_tolerations(None)
    values = charts.gpu_operator_values(stack, tolerations)
    assert values["driver"] == {"enabled": False} and values["toolkit"] == {"enabled": False}
    assert values["dcgmExporter"] == {"enabled": True} and values["devicePlugin"] == {"enabled": True}
    assert values["daemonsets"]["tolerations"] == tolerations
    assert tolerations[0] in values["node-feature-discovery"]["worker"]["tolerations"]


def test_efa_plugin_targets_the_efa_pools_instance_types():
    values = charts.efa_plugin_values(["p5.48xlarge", "p5en.48xlarge", "p5.48xlarge"], q.pool_tolerations(None))
    assert values["supportedInstanceLabels"] == {"keys": ["node.kubernetes.io/instance-type"],
                                                 "values": ["p5.48xlarge", "p5en.48xlarge"]}


# --- kubeconfig ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, endpoint, region, command, args, server", [
    ("eks", "https://ABC.gr7.us-east-1.eks.amazonaws.com", "us-east-1", "aws",
     ["eks", "get-token", "--cluster-name", "lz", "--region", "us-east-1", "--output", "json"],
     "https://ABC.gr7.us-east-1.eks.amazonaws.com"),
    ("gke", "10.0.0.2", None, "gke-gcloud-auth-plugin", None, "https://10.0.0.2"),
])
def test_exec_kubeconfig(kind, endpoint, region, command, args, server):
    doc = exec_kubeconfig(kind, "lz", endpoint, "Q0E=", region=region)
    user = doc["users"][0]["user"]["exec"]
    assert user["command"] == command and user["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert user.get("args") == args
    assert doc["clusters"][0]["cluster"] == {"server": server, "certificate-authority-data": "Q0E="}
    assert doc["current-context"] == "lz" and "token" not in json.dumps(doc).replace("get-token", "")


def test_eks_kubeconfig_needs_a_region():
    with pytest.raises(ValueError, match="region"):
        exec_kubeconfig("eks", "lz", "https://x", "Q0E=")


# --- volumes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("resource_id, expected", [
    ("projects/p1/locations/us-central1-a/instances/lustre1", "p1/us-central1-a/lustre1"),
    ("p1/us-central1-a/lustre1", "p1/us-central1-a/lustre1"),
])
def test_managed_lustre_handle(resource_id, expected):
    assert managed_lustre_handle(resource_id) == expected


def test_filestore_handle():
    assert (filestore_handle("projects/p1/locations/us-central1/instances/homes", "share1")
            == "modeInstance/us-central1/homes/share1")
    with pytest.raises(ValueError, match="Filestore instance id"):
        filestore_handle("homes", "share1")


def test_fsx_and_gcs_volumes():
    fsx = FileTierHandle("lustre", "fs-0123", dns_name="fs-0123.fsx.us-east-1.amazonaws.com", mount_name="abcd",
                         capacity_gib=4800)
    volumes = shared_volumes(fsx, ["ml_datasets.v2"])
    assert volumes == [
        SharedVolume("lustre", "fsx.csi.aws.com", "fs-0123",
                     {"dnsname": "fs-0123.fsx.us-east-1.amazonaws.com", "mountname": "abcd"}, 4800, ("flock",)),
        SharedVolume("gcs-ml-datasets-v2", "gcsfuse.csi.storage.gke.io", "ml_datasets.v2", {}, 1, ("implicit-dirs",)),
    ]
    assert shared_volumes(FileTierHandle("efs", "fs-1")) == []  # EFS is a StorageClass, not a static volume


# --- manifests against the OpenAPI schema -----------------------------------------------------------

@pytest.mark.parametrize("quantity, kib", [("2Ti", 2 * 1024**3), ("512Mi", 512 * 1024), ("7Ki", 7)])
def test_quantities(quantity, kib):
    assert m.quantity_kib(quantity) == kib
    assert m.format_kib(kib) == quantity


def test_resource_quota_counts_shared_claims_on_top_of_the_team_grant():
    t = team(storage="2Ti", pvcCount=20, cpu="64", memory="256Gi")
    hard = m.resource_quota("t", {}, t, {"nvidia.com/gpu": 16}, shared_claims=2, shared_storage_gib=1200)["spec"]["hard"]
    assert hard == {"requests.cpu": "64", "requests.memory": "256Gi", "requests.storage": "3248Gi",
                    "persistentvolumeclaims": "22", "requests.nvidia.com/gpu": "16"}


def test_role_has_explicit_verbs_and_no_escalation():
    role = m.team_role("t", {})
    verbs = {v for rule in role["rules"] for v in rule["verbs"]}
    resources = {r for rule in role["rules"] for r in rule["resources"]}
    assert "*" not in verbs and "*" not in resources
    assert not verbs & {"bind", "escalate", "impersonate"}
    assert not resources & {"roles", "rolebindings", "resourcequotas/status", "serviceaccounts/token"}
    assert [r for r in role["rules"] if "resourcequotas" in r["resources"]][0]["verbs"] == ["get", "list", "watch"]


def _all_builtin_manifests(cfg, kind, identity=None, volumes=()):
    out = []
    for t in cfg.teams:
        out += team_manifests(TeamNamespaceArgs(
            config=cfg, team=t, kind=kind, pools=[H100, L40S], identity=identity,
            storage_egress_cidrs=["10.40.0.0/16"], shared_volumes=list(volumes), queue_ready=[]))
        for v in volumes:
            out.append(m.static_volume(f"{t.name}-{v.key}", {}, driver=v.driver, volume_handle=v.volume_handle,
                                       attributes=v.attributes, capacity_gib=v.capacity_gib, claim_namespace=t.name,
                                       claim_name=v.key, mount_options=list(v.mount_options)))
            out.append(m.static_claim(v.key, t.name, {}, volume_name=f"{t.name}-{v.key}", capacity_gib=v.capacity_gib))
    out += [m.priority_class(t.name, {}, t.value, preempts=t.preempts, description=t.description)
            for t in q.PRIORITY_TIERS]
    out += block_class_manifests(cfg, kind) + [efs_class_manifest(cfg, "fs-0123")]
    out.append(m.namespace("gpu-operator", {}, pod_security="privileged", k8s_version=cfg.kubernetes.version))
    out.append(m.allow_ingress_on("gpu-operator", "allow-service-ingress", {}, [9400]))
    return out


@pytest.mark.parametrize("version", ["1.31", "1.33", "1.34"])
def test_every_builtin_manifest_matches_the_openapi_schema(version):
    doc = copy.deepcopy(AWS_DOC)
    doc["kubernetes"] = {"version": version}
    # The typed model only: on AWS, config validation also requires a cluster-autoscaler chart of the same
    # minor, and only 1.33's is recorded; this test is about the Kubernetes objects' schema per version.
    cfg = LandingZoneConfig.model_validate(doc)
    fsx = shared_volumes(FileTierHandle("lustre", "fs-0123", dns_name="fs.example", mount_name="abcd",
                                        capacity_gib=1200), ["datasets"])
    identity = TeamIdentity("research", "eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/research")
    objects = _all_builtin_manifests(cfg, "eks", identity, fsx)
    kinds = {o["kind"] for o in objects}
    assert kinds >= {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "ServiceAccount", "Role",
                     "RoleBinding", "PriorityClass", "StorageClass", "PersistentVolume", "PersistentVolumeClaim"}
    for obj in objects:
        schema_check(obj, version)


def test_the_schema_check_catches_a_broken_manifest():
    quota = m.resource_quota("t", {}, team(cpu="64", memory="256Gi"), {"nvidia.com/gpu": 1})
    quota["spec"]["hardd"] = quota["spec"].pop("hard")
    with pytest.raises(kubernetes_validate.ValidationError, match="hardd"):
        schema_check(quota, "1.33")
