"""GKE GPUDirect: the allow-list, its CEL, the Python evaluator of the same rules, the installers and
the namespaces, and the gcp-prod plan (docs/gpudirect-gke.md)."""

from __future__ import annotations

import copy

import celpy
import pytest
from k8s_helpers import config, plan_committed_stack, schema_check
from test_k8s_stacks import stack_config

from components.k8s import gpudirect_policy as gp
from components.k8s.gpudirect import admission_manifests, installer_manifests
from components.k8s.manifests import PSS
from components.k8s.team_namespace import TeamNamespaceArgs, gpudirect_flavours, team_manifests
from components.names import POOL_LABEL
from components.platform_inputs import GpuPoolHandle

MEGA = GpuPoolHandle("mega", {POOL_LABEL: "mega"}, gpus_per_node=8, max_nodes=4, gpudirect="tcpxo")
ULTRA = GpuPoolHandle("ultra", {POOL_LABEL: "ultra"}, gpus_per_node=8, max_nodes=4, gpudirect="rdma")
L4 = GpuPoolHandle("l4", {POOL_LABEL: "l4"}, gpus_per_node=4, max_nodes=2)
GCP_DOC = {
    "environment": "dev", "cloud": "gcp", "region": "us-central1", "gcpProject": "p",
    "tags": {"costCenter": "ml-platform"},
    "gpuPools": [{"name": "mega", "instanceType": "a3-megagpu-8g", "maxNodes": 4, "purpose": "training"},
                 {"name": "ultra", "instanceType": "a3-ultragpu-8g", "maxNodes": 4, "purpose": "training",
                  "zone": "us-central1-b"},
                 {"name": "l4", "instanceType": "g2-standard-48", "maxNodes": 2}],
    "teams": [{"name": "both", "costCenter": "a", "gpuQuota": {"mega": 16, "ultra": 16}},
              {"name": "tcpxo", "costCenter": "b", "gpuQuota": {"mega": 16}},
              {"name": "plain", "costCenter": "c", "gpuQuota": {"l4": 8}}],
}
INSTALLERS = ("nccl-tcpxo-installer", "device-injector", "nccl-rdma-installer")
TCPXO_DAEMON = "us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev:v1.0.21"
HARDENED = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
POD_SC = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def tcpxo_pod() -> dict:
    """Google's gpudirect-tcpxo/nccl-test-latest.yaml pod (volumes, tcpxo-daemon sidecar as published),
    with the workload container made restricted-compliant and its library mount read-only."""
    return {
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {"name": "tcpxo-daemon", "image": TCPXO_DAEMON,
             "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_BIND_SERVICE"]}},
             "volumeMounts": [{"name": "nvidia", "mountPath": "/usr/local/nvidia/lib64", "readOnly": True},
                              {"name": "sys", "mountPath": "/hostsysfs"},
                              {"name": "proc-sys", "mountPath": "/hostprocsysfs"}]},
            {"name": "nccl-test", "image": "example.com/trainer@sha256:" + "0" * 64,
             "securityContext": {**HARDENED, "runAsNonRoot": True, "runAsUser": 1000},
             "resources": {"limits": {"nvidia.com/gpu": 8}},
             "volumeMounts": [{"name": "nvidia", "mountPath": "/usr/local/nvidia/lib64", "readOnly": True},
                              {"name": "shared-memory", "mountPath": "/dev/shm"},
                              {"name": "aperture-devices", "mountPath": "/dev/aperture_devices"}]},
        ],
        "volumes": [{"name": "nvidia", "hostPath": {"path": "/home/kubernetes/bin/nvidia/lib64"}},
                    {"name": "shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                    {"name": "sys", "hostPath": {"path": "/sys"}},
                    {"name": "proc-sys", "hostPath": {"path": "/proc/sys"}},
                    {"name": "aperture-devices", "hostPath": {"path": "/dev/aperture_devices"}}],
    }


def rdma_pod() -> dict:
    """Google's gpudirect-rdma/nccl-test.yaml pod, workload container restricted, mounts read-only."""
    return {
        "securityContext": dict(POD_SC),
        "containers": [{"name": "test", "image": "example.com/trainer:1",
                        "securityContext": dict(HARDENED),
                        "volumeMounts": [{"name": "library-dir-host", "mountPath": "/usr/local/nvidia", "readOnly": True},
                                         {"name": "gib", "mountPath": "/usr/local/gib", "readOnly": True},
                                         {"name": "shared-memory", "mountPath": "/dev/shm"}]}],
        "volumes": [{"name": "library-dir-host", "hostPath": {"path": "/home/kubernetes/bin/nvidia"}},
                    {"name": "gib", "hostPath": {"path": "/home/kubernetes/bin/gib"}},
                    {"name": "shared-memory", "emptyDir": {"medium": "Memory"}}],
    }


def _container(pod: dict, name: str) -> dict:
    return next(c for c in pod["containers"] if c["name"] == name)


def _mutated(base, change):
    pod = copy.deepcopy(base())
    change(pod)
    return pod


# --- the allow-list and its CEL ------------------------------------------------------------------------

@pytest.mark.parametrize("grant", gp.HOST_PATHS, ids=lambda g: f"{g.flavour}:{g.path}")
def test_every_allowed_path_is_in_its_flavours_cel_only(grant):
    mine = " ".join(v["expression"] for v in gp.validations([grant.flavour]))
    other = next(f for f in gp.FLAVOURS if f != grant.flavour)
    assert f"'{grant.path}'" in mine
    other_paths = {g.path for g in gp.HOST_PATHS if g.flavour == other}
    if grant.path not in other_paths:
        assert f"'{grant.path}'" not in " ".join(v["expression"] for v in gp.validations([other]))
    kind = "readOnlyHostVolumes" if grant.read_only else "sidecarHostVolumes" if grant.sidecar_only else None
    if kind:
        rendered = next(v["expression"] for v in gp.variables([grant.flavour]) if v["name"] == kind)
        assert f"'{grant.path}'" in rendered


def test_sidecar_is_matched_by_name_and_image_repository_in_tcpxo_only():
    tcpxo = " ".join(v["expression"] for v in gp.validations(["tcpxo"]))
    rdma = " ".join(v["expression"] for v in gp.validations(["rdma"]))
    for s in gp.SIDECARS:
        assert f"c.name == '{s.name}'" in tcpxo and f"'{s.image_repository}:'" in tcpxo
        assert f"'{s.image_repository}@'" in tcpxo and s.image_repository not in rdma
        assert all(f"'{cap}'" in tcpxo for cap in s.add_capabilities)
    assert "NET_ADMIN" not in rdma


@pytest.mark.parametrize("flavours, value", [(["tcpxo"], "tcpxo"), (["rdma", "tcpxo"], "rdma-tcpxo"),
                                             (["tcpxo", "rdma", "tcpxo"], "rdma-tcpxo")])
def test_label_value(flavours, value):
    assert gp.label_value(flavours) == value and gp.policy_name(flavours) == f"lz-gpudirect-{value}"


@pytest.mark.parametrize("bad", [[], ["tcpx"], ["none"]])
def test_label_value_rejects(bad):
    with pytest.raises(ValueError):
        gp.label_value(bad)


@pytest.mark.parametrize("nic, path", [("tcpxo", "tcpxo"), ("rdma", "rdma"), ("tcpx", None), ("none", None)])
def test_pool_flavour_from_catalog_flavour(nic, path):
    assert gp.gpudirect_flavour(nic) == path


# --- the evaluator: Google's specs admitted, anything else rejected --------------------------------------

def test_google_specs_admitted():
    assert gp.pod_violations(tcpxo_pod(), ["tcpxo"]) == []
    assert gp.pod_violations(rdma_pod(), ["rdma"]) == []
    assert gp.pod_violations(tcpxo_pod(), ["rdma", "tcpxo"]) == []
    assert gp.pod_violations(rdma_pod(), ["rdma", "tcpxo"]) == []


REJECTED = [
    ("privileged workload", tcpxo_pod, lambda p: _container(p, "nccl-test")["securityContext"].update(privileged=True),
     "privileged"),
    ("privileged sidecar", tcpxo_pod, lambda p: _container(p, "tcpxo-daemon")["securityContext"].update(privileged=True),
     "privileged"),
    ("hostNetwork", tcpxo_pod, lambda p: p.update(hostNetwork=True), "hostNetwork"),
    ("another hostPath", rdma_pod, lambda p: p["volumes"].append({"name": "x", "hostPath": {"path": "/var/lib"}}),
     "not allow-listed"),
    ("parent of an allowed path", rdma_pod, lambda p: p["volumes"][1]["hostPath"].update(path="/home/kubernetes/bin"),
     "not allow-listed"),
    ("tcpxo path in an rdma namespace", tcpxo_pod, lambda p: None, "not allow-listed"),
    ("library mounted read-write", rdma_pod,
     lambda p: p["containers"][0]["volumeMounts"][1].pop("readOnly"), "readOnly"),
    ("workload mounts /sys", tcpxo_pod,
     lambda p: _container(p, "nccl-test")["volumeMounts"].append({"name": "sys", "mountPath": "/s", "readOnly": True}),
     "only the vendor sidecar"),
    ("look-alike sidecar image", tcpxo_pod,
     lambda p: _container(p, "tcpxo-daemon").update(image=TCPXO_DAEMON.replace("dev:", "dev-evil:")),
     "does not drop ALL"),
    ("sidecar adds SYS_ADMIN", tcpxo_pod,
     lambda p: _container(p, "tcpxo-daemon")["securityContext"]["capabilities"]["add"].append("SYS_ADMIN"),
     "SYS_ADMIN"),
    ("workload adds NET_ADMIN", tcpxo_pod,
     lambda p: _container(p, "nccl-test")["securityContext"]["capabilities"].update(add=["NET_ADMIN"]), "NET_ADMIN"),
    ("workload runs as root", rdma_pod, lambda p: p["securityContext"].pop("runAsNonRoot"), "runAsNonRoot"),
    ("no seccomp", rdma_pod, lambda p: p["securityContext"].pop("seccompProfile"), "seccomp"),
    ("privilege escalation", rdma_pod,
     lambda p: p["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"), "allowPrivilegeEscalation"),
    ("hostPort", rdma_pod, lambda p: p["containers"][0].update(ports=[{"containerPort": 1, "hostPort": 1}]), "hostPort"),
    ("ephemeral container as the sidecar", tcpxo_pod,
     lambda p: p.update(ephemeralContainers=[{**copy.deepcopy(_container(p, "tcpxo-daemon")), "volumeMounts": []}]),
     "does not drop ALL"),
    ("unsafe sysctl", rdma_pod, lambda p: p["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "1"}]),
     "sysctl"),
]


@pytest.mark.parametrize("case, base, change, expected", REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected(case, base, change, expected):
    pod = _mutated(base, change)
    flavours = ["rdma"] if case == "tcpxo path in an rdma namespace" else (["tcpxo"] if base is tcpxo_pod else ["rdma"])
    found = gp.pod_violations(pod, flavours)
    assert any(expected in v for v in found), found


def test_google_published_workload_container_is_not_restricted():
    """Google's test container runs as root with no seccomp profile: teams harden it (the doc says how)."""
    pod = tcpxo_pod()
    _container(pod, "nccl-test").pop("securityContext")
    found = gp.pod_violations(pod, ["tcpxo"])
    assert any("nccl-test" in v and "drop ALL" in v for v in found)
    assert not any("tcpxo-daemon" in v for v in found)


# --- the rendered CEL, evaluated (cel-python) against the same pods ------------------------------------




def _cel_admits(pod: dict, flavours) -> bool:
    """Every validation of the policy evaluates to true for `object` = a Pod with this spec; the variables
    are evaluated first, in order, as the API server does (lazily, which is equivalent here)."""
    env = celpy.Environment()
    obj = celpy.json_to_cel({"metadata": {}, "spec": pod})
    values: dict = {}

    def activation():
        variables = celpy.celtypes.MapType({celpy.celtypes.StringType(k): v for k, v in values.items()})
        return {"object": obj, "variables": variables}

    for var in gp.variables(flavours):
        values[var["name"]] = env.program(env.compile(var["expression"])).evaluate(activation())
    for v in gp.validations(flavours):
        result = env.program(env.compile(v["expression"])).evaluate(activation())
        if isinstance(result, Exception) or not bool(result):
            return False
    return True


@pytest.mark.parametrize("case, base, change, expected", REJECTED, ids=[r[0] for r in REJECTED])
def test_cel_agrees_with_evaluator_on_rejected(case, base, change, expected):
    pod = _mutated(base, change)
    flavours = ["rdma"] if case == "tcpxo path in an rdma namespace" else (["tcpxo"] if base is tcpxo_pod else ["rdma"])
    assert not _cel_admits(pod, flavours)


@pytest.mark.parametrize("pod, flavours", [(tcpxo_pod, ["tcpxo"]), (rdma_pod, ["rdma"]),
                                           (tcpxo_pod, ["rdma", "tcpxo"]), (rdma_pod, ["rdma", "tcpxo"])])
def test_cel_admits_google_specs(pod, flavours):
    assert _cel_admits(pod(), flavours)


# --- namespaces, installers, admission objects: rendered and schema-valid ------------------------------

def _pools():
    return [MEGA, ULTRA, L4]


def _namespaces():
    cfg = config(GCP_DOC)
    return {t.name: team_manifests(TeamNamespaceArgs(
        config=cfg, team=t, kind="gke", pools=_pools(), identity=None, storage_egress_cidrs=[],
        shared_volumes=[], queue_ready=[]))[0] for t in cfg.teams}


def test_team_namespaces_pod_security():
    ns = _namespaces()
    labels = {name: n["metadata"]["labels"] for name, n in ns.items()}
    assert labels["both"][gp.GPUDIRECT_LABEL] == "rdma-tcpxo"
    assert labels["tcpxo"][gp.GPUDIRECT_LABEL] == "tcpxo"
    for name in ("both", "tcpxo"):
        assert labels[name][f"{PSS}/enforce"] == "privileged"
        assert labels[name][f"{PSS}/audit"] == labels[name][f"{PSS}/warn"] == "restricted"
    # A team without GPUDirect pools keeps restricted enforcement and no GPUDirect label.
    assert labels["plain"][f"{PSS}/enforce"] == "restricted" and gp.GPUDIRECT_LABEL not in labels["plain"]
    cfg = config(GCP_DOC)
    assert [gpudirect_flavours(t, _pools()) for t in cfg.teams] == [("rdma", "tcpxo"), ("tcpxo",), ()]


def test_installers_only_on_their_pools():
    by_name = {d["metadata"]["name"]: d for d in installer_manifests(config(GCP_DOC), _pools())}
    assert sorted(by_name) == ["device-injector", "nccl-rdma-installer", "nccl-tcpxo-installer"]

    def pools(d):
        term = d["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert len(term) == 1 and len(term[0]["matchExpressions"]) == 1
        expr = term[0]["matchExpressions"][0]
        assert expr["key"] == POOL_LABEL and expr["operator"] == "In"
        return expr["values"]

    assert pools(by_name["nccl-tcpxo-installer"]) == ["mega"]
    assert pools(by_name["device-injector"]) == ["mega"]
    assert pools(by_name["nccl-rdma-installer"]) == ["ultra"]
    assert all(d["metadata"]["namespace"] == "kube-system" for d in by_name.values())
    assert installer_manifests(config(GCP_DOC), [L4]) == []


def test_installers_write_where_pods_load_the_plugin():
    """Each pod-side host path of a flavour and a hostPath its installer mounts contain one another."""
    by_name = {d["metadata"]["name"]: d for d in installer_manifests(config(GCP_DOC), _pools())}
    installer = {"tcpxo": by_name["nccl-tcpxo-installer"], "rdma": by_name["nccl-rdma-installer"]}
    for g in gp.HOST_PATHS:
        if g.sidecar_only or g.path == "/dev/aperture_devices":
            continue  # the sidecar's host views (sysfs, procfs) and the devices the host-setup step makes
        mounted = [v["hostPath"]["path"] for v in installer[g.flavour]["spec"]["template"]["spec"]["volumes"]]
        # the pods' path lies in what the installer mounts, or holds what it writes (rdma: .../nvidia holds lib64)
        assert any(g.path == p or g.path.startswith(p + "/") or p.startswith(g.path + "/") for p in mounted), (
            g, mounted)


def test_images_default_to_googles_references():
    images = config(GCP_DOC).kubernetes.gpudirect.images
    by_name = {d["metadata"]["name"]: d for d in installer_manifests(config(GCP_DOC), _pools())}
    init = {c["name"]: c["image"] for c in by_name["nccl-tcpxo-installer"]["spec"]["template"]["spec"]["initContainers"]}
    assert init["nccl-tcpxo-installer"] == images.tcpxo_installer
    assert images.pause.endswith("@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830")


@pytest.mark.parametrize("bad", ["Ubuntu", "repo:tag@sha256:123", "a b"])
def test_image_reference_validated(bad):
    with pytest.raises(Exception, match="image reference"):
        config({**GCP_DOC, "kubernetes": {"gpudirect": {"images": {"pause": bad}}}})


def test_admission_objects():
    policy, binding = admission_manifests(config(GCP_DOC), ["tcpxo", "rdma"])
    assert policy["metadata"]["name"] == binding["spec"]["policyName"] == "lz-gpudirect-rdma-tcpxo"
    assert binding["spec"]["validationActions"] == ["Deny"]
    assert binding["spec"]["matchResources"]["namespaceSelector"] == {
        "matchLabels": {gp.GPUDIRECT_LABEL: "rdma-tcpxo"}}
    assert policy["spec"]["failurePolicy"] == "Fail"


def test_manifests_schema_valid():
    cfg = config(GCP_DOC)
    version = cfg.kubernetes.version
    objects = [*installer_manifests(cfg, _pools()), *_namespaces().values()]
    for flavours in (["tcpxo"], ["rdma"], ["rdma", "tcpxo"]):
        objects += admission_manifests(cfg, flavours)
    for manifest in objects:
        schema_check(manifest, version)


# --- the gcp-prod plan: installers on the right pools, the guard bound to exactly the GPUDirect teams ---

def _platform_objects(stack: str) -> list[dict]:
    exit_code, states = plan_committed_stack(stack)
    assert exit_code == 0
    return [s for s in states if s["custom"] and "lz:k8s:Platform" in s["urn"]
            and s["type"] != "pulumi:providers:kubernetes"]


def test_gcp_prod_plan():
    states = _platform_objects("gcp-prod")
    objects = [s["inputs"] for s in states]
    daemonsets = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "DaemonSet"}
    assert sorted(daemonsets) == ["device-injector", "nccl-rdma-installer", "nccl-tcpxo-installer"]
    values = {n: d["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
              ["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] for n, d in daemonsets.items()}
    # h100-train is a3-megagpu-8g (TCPXO), h200-train a3-ultragpu-8g (RDMA): stacks/Pulumi.gcp-prod.yaml.
    assert values == {"nccl-tcpxo-installer": ["h100-train"], "device-injector": ["h100-train"],
                      "nccl-rdma-installer": ["h200-train"]}

    policies = [o for o in objects if o.get("kind") == "ValidatingAdmissionPolicy"]
    bindings = [o for o in objects if o.get("kind") == "ValidatingAdmissionPolicyBinding"]
    assert [p["metadata"]["name"] for p in policies] == ["lz-gpudirect-rdma-tcpxo"]
    assert [b["spec"]["matchResources"]["namespaceSelector"] for b in bindings] == [
        {"matchLabels": {gp.GPUDIRECT_LABEL: "rdma-tcpxo"}}]
    assert policies[0]["spec"]["validations"] == gp.validations(["rdma", "tcpxo"])

    binding_urn = next(s["urn"] for s in states if s["type"].endswith(":ValidatingAdmissionPolicyBinding"))
    namespaces = [s for s in states if s["type"] == "kubernetes:core/v1:Namespace"
                  and s["inputs"]["metadata"]["name"] in ("research", "applied", "lz-acceptance")]
    assert len(namespaces) == 3   # the team namespaces, and the acceptance jobs' (they run on both pools)
    # Every other namespace of the platform keeps its level (kueue-system: restricted).
    others = [s["inputs"]["metadata"] for s in states if s["type"] == "kubernetes:core/v1:Namespace"
              and s not in namespaces]
    assert others and all(gp.GPUDIRECT_LABEL not in o["labels"] and o["labels"][f"{PSS}/enforce"] == "restricted"
                          for o in others)
    for ns in namespaces:
        labels = ns["inputs"]["metadata"]["labels"]
        assert labels[gp.GPUDIRECT_LABEL] == "rdma-tcpxo"
        assert labels[f"{PSS}/enforce"] == "privileged"
        assert labels[f"{PSS}/audit"] == labels[f"{PSS}/warn"] == "restricted"
        assert binding_urn in ns["dependencies"]
    for obj in (*daemonsets.values(), *policies, *bindings):
        schema_check(obj, "1.33")


@pytest.mark.parametrize("stack", ["gcp-dev", "dev", "onprem"])
def test_no_gpudirect_pools_nothing_relaxed(stack):
    objects = [s["inputs"] for s in _platform_objects(stack)]
    assert not [o for o in objects if o.get("kind") in ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
                or (o.get("kind") == "DaemonSet" and o["metadata"]["name"] in INSTALLERS)]
    teams = {t.name for t in stack_config(stack).teams}
    for ns in (o for o in objects if o.get("kind") == "Namespace" and o["metadata"]["name"] in teams):
        assert ns["metadata"]["labels"][f"{PSS}/enforce"] == "restricted"
        assert gp.GPUDIRECT_LABEL not in ns["metadata"]["labels"]
