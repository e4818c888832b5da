"""Runtime gaps a team's GPU job hit on the platform layer (issue 12): what Kueue accounts, the quota a
team's GPUs come with, and the egress a brought cluster's teams get. Each test failed before its fix."""

from __future__ import annotations

import copy

import pytest
import yaml
from k8s_helpers import config, plan_committed_stack

from components.config import ConfigError, validate_config
from components.k8s import kueue as q
from components.k8s import manifests as m
from components.k8s.charts import kueue_excluded_resources, kueue_values
from components.k8s.team_namespace import TeamNamespaceArgs, team_manifests
from components.platform_inputs import GpuPoolHandle
from lz.testing import ROOT

P5 = GpuPoolHandle("h100", {"pool": "h100"}, gpus_per_node=8, max_nodes=4, efa=True,
                   extra_resource_prefixes=("vpc.amazonaws.com/efa",), node_cpu=192, node_memory_gib=2048)
G6E = GpuPoolHandle("l40s", {"pool": "l40s"}, gpus_per_node=4, max_nodes=6, node_cpu=48, node_memory_gib=384)
BROUGHT = GpuPoolHandle("dgx", {"pool": "dgx"}, gpus_per_node=8, max_nodes=4)   # not in the catalog
A3 = GpuPoolHandle("a3", {"pool": "a3"}, gpus_per_node=8, max_nodes=8,
                   extra_resource_prefixes=("networking.gke.io.networks/",), node_cpu=208, node_memory_gib=1872)

DOC = {"environment": "dev", "cloud": "byo", "tags": {"costCenter": "ml"},
       "kubernetes": {"kubeconfigSecret": "kubernetes:kubeconfig"},
       "gpuPools": [{"name": "h100", "instanceType": "dgx-h100", "gpusPerNode": 8, "maxNodes": 4}],
       "teams": [{"name": "research", "costCenter": "ml-research", "gpuQuota": {"h100": 8}}]}


def team(**kw):
    from components.config.model import Team
    return Team.model_validate({"name": "t", "costCenter": "cc", **kw})


# --- Kueue covers or excludes every extended resource ---------------------------------------------

def manager_config(pools):
    return yaml.safe_load(kueue_values(config({**DOC, "teams": []}), pools)
                          ["managerConfig"]["controllerManagerConfigYaml"])


def test_kueue_is_told_to_ignore_efa_and_gke_network_resources():
    """Old behaviour: no `resources.excludeResourcePrefixes`, so a pod requesting vpc.amazonaws.com/efa was
    'unavailable in ClusterQueue' (the queues cover cpu, memory and nvidia.com/gpu only)."""
    assert manager_config([P5, G6E])["resources"] == {"excludeResourcePrefixes": ["vpc.amazonaws.com/efa"]}
    assert manager_config([A3])["resources"] == {"excludeResourcePrefixes": ["networking.gke.io.networks/"]}
    assert "resources" not in manager_config([G6E])


def test_kueue_never_excludes_what_the_queues_cover():
    odd = GpuPoolHandle("x", {}, gpus_per_node=1, max_nodes=1, extra_resource_prefixes=("nvidia.com/gpu",))
    assert kueue_excluded_resources([odd, G6E]) == []


def test_the_manager_config_keeps_the_chart_defaults():
    cfg = manager_config([P5])
    assert cfg["apiVersion"] == "config.kueue.x-k8s.io/v1beta2" and cfg["kind"] == "Configuration"
    assert cfg["webhook"] == {"port": 9443} and cfg["metrics"] == {"bindAddress": ":8443"}
    assert "jobset.x-k8s.io/jobset" in cfg["integrations"]["frameworks"]


# --- CPU and memory quotas come with the GPUs -----------------------------------------------------

@pytest.mark.parametrize("kw, pools, expected", [
    # 24 H100 = 3 p5.48xlarge: 64 + 3 x 192 vCPU, 256Gi + 3 x 2048Gi
    ({"gpuQuota": {"h100": 24}}, [P5], ("640", "6400Gi")),
    # borrowing 8 more fills a 4th node
    ({"gpuQuota": {"h100": 24}, "borrowingLimit": 8}, [P5], ("832", "8448Gi")),
    # 6 L40S = 2 g6e.12xlarge (whole nodes); a pool without quota adds nothing
    ({"gpuQuota": {"l40s": 6}}, [P5, G6E], ("160", "1024Gi")),
    # never more nodes than the pool has
    ({"gpuQuota": {"h100": 24}, "borrowingLimit": 100}, [P5], ("832", "8448Gi")),
    # CPU-only team: the floor
    ({}, [P5], ("64", "256Gi")),
    # brought pool outside the catalog: node size unknown, the floor
    ({"gpuQuota": {"dgx": 8}}, [BROUGHT], ("64", "256Gi")),
    # the config overrides either figure
    ({"gpuQuota": {"h100": 24}, "cpu": "100"}, [P5], ("100", "6400Gi")),
    ({"gpuQuota": {"h100": 24}, "memory": "1Ti"}, [P5], ("640", "1Ti")),
])
def test_team_compute_is_derived_from_its_gpus(kw, pools, expected):
    """Old behaviour: 64 CPU / 256Gi whatever the GPUs, so three p5 nodes' worth of pods was refused."""
    assert q.team_compute(team(**kw), pools) == expected


def test_resource_quota_and_cluster_queue_agree_on_derived_figures():
    cfg = config({**DOC, "teams": [{"name": "research", "costCenter": "ml", "gpuQuota": {"h100": 24}}],
                  "gpuPools": [{"name": "h100", "instanceType": "dgx-h100", "gpusPerNode": 8, "maxNodes": 4}]})
    t = cfg.teams[0]
    objects = team_manifests(TeamNamespaceArgs(config=cfg, team=t, kind="eks", pools=[P5], identity=None,
                                               storage_egress_cidrs=[], shared_volumes=[], queue_ready=[]))
    hard = next(o for o in objects if o["kind"] == "ResourceQuota")["spec"]["hard"]
    limits = next(o for o in objects if o["kind"] == "LimitRange")["spec"]["limits"][0]["max"]
    cq = q.cluster_queue(t, "research", [P5], {})
    cpu = {r["name"]: r["nominalQuota"] for r in cq["spec"]["resourceGroups"][0]["flavors"][0]["resources"]}
    assert (hard["requests.cpu"], hard["requests.memory"]) == (cpu["cpu"], cpu["memory"]) == ("640", "6400Gi")
    assert limits == {"cpu": "640", "memory": "6400Gi"}


def test_an_unresolved_team_is_refused_by_the_quota_renderer():
    with pytest.raises(ValueError, match="not resolved"):
        m.resource_quota("t", {}, team(), {})


# --- egress declared in config (brought cluster) ---------------------------------------------------

def test_team_egress_is_validated_with_the_key_path():
    for rule, fragment in [({"cidr": "0.0.0.0/0", "ports": [443]}, "0.0.0.0/0"),
                           ({"cidr": "10.0.0.1/16", "ports": [443]}, "host bits"),
                           ({"cidr": "10.0.0.0/16", "ports": [0]}, "1-65535"),
                           ({"cidr": "10.0.0.0/16", "ports": []}, "at least 1"),
                           ({"cidr": "10.0.0.0/16", "ports": [443], "port": 1}, "port")]:
        doc = copy.deepcopy(DOC)
        doc["kubernetes"]["teamEgress"] = [rule]
        with pytest.raises(ConfigError) as info:
            validate_config(doc, "stacks/Pulumi.t.yaml")
        text = "\n".join(info.value.lines)
        assert "kubernetes.teamEgress[0]" in text or "kubernetes.teamEgress.0" in text, text
        assert fragment in text, text


def test_onprem_teams_reach_what_the_config_declares():
    """Old behaviour: teams on the brought cluster reached nothing outside their namespace but DNS."""
    exit_code, states = plan_committed_stack("onprem", policy=False)
    assert exit_code == 0
    declared = yaml.safe_load((ROOT / "stacks" / "Pulumi.onprem.yaml").read_text())["config"][
        "ai-landing-zone:kubernetes"]["teamEgress"]
    for ns in ("research", "serving"):
        policy = [s["inputs"] for s in states if s["type"] == "kubernetes:networking.k8s.io/v1:NetworkPolicy"
                  and s["inputs"]["metadata"]["namespace"] == ns
                  and s["inputs"]["metadata"]["name"] == "allow-declared-egress"]
        assert len(policy) == 1, ns
        spec = policy[0]["spec"]
        assert spec["policyTypes"] == ["Egress"] and spec["podSelector"] == {}
        assert spec["egress"] == [{"to": [{"ipBlock": {"cidr": r["cidr"]}}],
                                   "ports": [{"protocol": "TCP", "port": p} for p in r["ports"]]} for r in declared]


# --- ProvisioningRequest admission checks -----------------------------------------------------------

FLEX = GpuPoolHandle("flex", {"pool": "flex"}, gpus_per_node=8, max_nodes=4,
                     provisioning_class=q.GKE_QUEUED_PROVISIONING)
ATOMIC = GpuPoolHandle("train", {"pool": "train"}, gpus_per_node=8, max_nodes=4,
                       provisioning_class=q.BEST_EFFORT_ATOMIC)


def test_flex_start_flavors_need_a_provisioning_request_before_admission():
    """Old behaviour: flex-start pools enabled queued provisioning but no admission check asked for it."""
    cq = q.cluster_queue(team(gpuQuota={"flex": 8, "l40s": 4}), "t", [FLEX, G6E], {})
    assert cq["spec"]["admissionChecksStrategy"] == {
        "admissionChecks": [{"name": "queued-provisioning", "onFlavors": ["flex"]}]}
    check = q.admission_check(q.GKE_QUEUED_PROVISIONING, {})
    assert check["spec"]["controllerName"] == "kueue.x-k8s.io/provisioning-request"
    assert check["spec"]["parameters"] == {"apiGroup": "kueue.x-k8s.io", "kind": "ProvisioningRequestConfig",
                                           "name": "queued-provisioning"}
    prc = q.provisioning_request_config(q.GKE_QUEUED_PROVISIONING, ["nvidia.com/gpu"], {})
    assert prc["metadata"]["name"] == check["metadata"]["name"]
    assert prc["spec"] == {"provisioningClassName": "queued-provisioning.gke.io", "managedResources": ["nvidia.com/gpu"]}


def test_no_admission_check_for_pools_that_need_none():
    assert "admissionChecksStrategy" not in q.cluster_queue(team(gpuQuota={"l40s": 4}), "t", [FLEX, G6E], {})["spec"]
    both = q.cluster_queue(team(gpuQuota={"flex": 8, "train": 8}), "t", [FLEX, ATOMIC], {})
    assert both["spec"]["admissionChecksStrategy"]["admissionChecks"] == [
        {"name": "atomic-scale-up", "onFlavors": ["train"]}, {"name": "queued-provisioning", "onFlavors": ["flex"]}]
