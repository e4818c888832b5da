"""Golden workloads rendered from a typed config: table tests of the pure generator.

The manifests must be real (valid against the Kubernetes OpenAPI schema of the configured version,
Pod Security `restricted` where the path allows it), sized from the catalog, and queued by Kueue.
"""

from __future__ import annotations

import json

import pytest
import yaml
from k8s_helpers import config, schema_check

from components.config import ConfigError
from components.platform_inputs import GpuPoolHandle
from components.workloads.golden import (
    EFA_RESOURCE,
    JOURNEY_ANNOTATION,
    KUEUE_QUEUE_LABEL,
    configmap_data,
    golden_workloads,
    job_nodes,
    pool_shape,
)

DIGEST = "public.ecr.aws/example/train@sha256:" + "a" * 64


def _config(cloud="aws", pools=None, teams=None, **extra):
    doc = {"environment": "dev", "cloud": cloud, "tags": {"costCenter": "ml"},
           "gpuPools": pools or [{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4,
                                  "purpose": "training"}],
           "teams": teams or [{"name": "research", "costCenter": "ml", "gpuQuota": {"h100": 16}}], **extra}
    if cloud == "gcp":
        doc.update(region="us-central1", gcpProject="proj", network={"zones": ["us-central1-a", "us-central1-b"]})
    if cloud == "byo":
        doc.setdefault("kubernetes", {"kubeconfigSecret": "kubernetes:kubeconfig"})
    return config(doc)


def _handle(name="h100", gpus=8, max_nodes=4, efa=True, labels=None):
    return GpuPoolHandle(name=name, node_labels=labels or {"ai-landing-zone/pool": name}, gpus_per_node=gpus,
                         max_nodes=max_nodes, efa=efa)


def _job(workload):
    return next(m for m in workload.manifests if m["kind"] == "Job")


@pytest.mark.parametrize(("quota", "borrow", "max_nodes", "nodes"), [
    (16, None, 4, 2),     # the quota fills 2 nodes
    (24, 8, 4, 4),        # nominal + borrowing fills 4
    (64, None, 4, 4),     # capped by the pool's size
    (8, None, 4, 2),      # quota fills 1 node: still a 2-node job where the pool can grow to 2
    (4, None, 1, 1),      # a 1-node pool: 1
])
def test_job_nodes(quota, borrow, max_nodes, nodes):
    cfg = _config(pools=[{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": max_nodes,
                          "purpose": "training"}],
                  teams=[{"name": "research", "costCenter": "ml", "gpuQuota": {"h100": quota},
                          **({"borrowingLimit": borrow} if borrow is not None else {})}],
                  kubernetes={"allowQuotaOvercommit": True})
    shape = pool_shape(cfg, cfg.gpu_pools[0], _handle(max_nodes=max_nodes))
    assert job_nodes(cfg.teams[0], shape) == nodes


def test_p5_training_job_uses_every_gpu_and_efa_device_with_awss_efa_settings():
    cfg = _config()
    [workload] = golden_workloads(cfg, [_handle()])
    job = _job(workload)
    assert job["metadata"]["labels"][KUEUE_QUEUE_LABEL] == "default"
    assert job["spec"]["suspend"] is True and job["spec"]["completionMode"] == "Indexed"
    assert job["spec"]["parallelism"] == job["spec"]["completions"] == 2
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["requests"] == container["resources"]["limits"] == {
        "cpu": "144", "memory": "1536Gi", "nvidia.com/gpu": "8", EFA_RESOURCE: "32"}
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["FI_PROVIDER"] == "efa" and env["FI_EFA_USE_DEVICE_RDMA"] == "1"
    assert "image" not in container   # no image configured: none is made up
    journey = json.loads(job["metadata"]["annotations"][JOURNEY_ANNOTATION])
    assert journey["reads"] == [{"tier": "datasets", "prefix": "research/"}]
    assert journey["writes"] == [{"tier": "checkpoints", "prefix": "research/"}]


def test_inference_pool_gets_a_deployment_and_no_efa_when_the_pool_has_none():
    cfg = _config(pools=[{"name": "l40s", "instanceType": "g6e.12xlarge", "maxNodes": 2}],
                  teams=[{"name": "serving", "costCenter": "ml", "gpuQuota": {"l40s": 8}}])
    workloads = golden_workloads(cfg, [_handle("l40s", gpus=4, max_nodes=2, efa=False)])
    assert sorted(w.kind for w in workloads) == ["inference", "training"]
    deployment = next(w for w in workloads if w.kind == "inference").manifests[0]
    requests = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
    assert EFA_RESOURCE not in requests and requests["nvidia.com/gpu"] == "4"


def test_gke_tcpxo_pool_attaches_the_landing_zones_gpu_nic_networks():
    cfg = _config("gcp", pools=[{"name": "h100", "instanceType": "a3-megagpu-8g", "maxNodes": 2,
                                 "purpose": "training", "zone": "us-central1-a"}],
                  teams=[{"name": "research", "costCenter": "ml", "gpuQuota": {"h100": 16}}])
    [workload] = golden_workloads(cfg, [_handle(efa=False)])
    pod = _job(workload)["spec"]["template"]
    interfaces = json.loads(pod["metadata"]["annotations"]["networking.gke.io/interfaces"])
    assert [i["network"] for i in interfaces] == ["default", *(f"h100-gvnic-{i}" for i in range(1, 9))]
    assert {"name": "nvidia-lib", "hostPath": {"path": "/home/kubernetes/bin/nvidia/lib64"}} in pod["spec"]["volumes"]


def test_gke_rdma_pool_uses_gib():
    cfg = _config("gcp", pools=[{"name": "h200", "instanceType": "a3-ultragpu-8g", "maxNodes": 2,
                                 "purpose": "training", "zone": "us-central1-b"}],
                  teams=[{"name": "research", "costCenter": "ml", "gpuQuota": {"h200": 16}}])
    [workload] = golden_workloads(cfg, [_handle("h200", efa=False)])
    pod = _job(workload)["spec"]["template"]
    networks = [i["network"] for i in json.loads(pod["metadata"]["annotations"]["networking.gke.io/interfaces"])]
    assert networks == ["default", "h200-gvnic-1", *(f"h200-rdma-{i}" for i in range(8))]
    env = {e["name"]: e["value"] for e in pod["spec"]["containers"][0]["env"]}
    assert env["NCCL_NET"] == "gIB"


def test_brought_cluster_workloads_use_no_object_store():
    cfg = _config("byo", pools=[{"name": "h100", "instanceType": "dgx-h100", "gpusPerNode": 8, "maxNodes": 4,
                                 "purpose": "training", "labels": {"node.example.com/gpu-pool": "h100"}}])
    [workload] = golden_workloads(cfg, [_handle(labels={"node.example.com/gpu-pool": "h100"}, efa=False)])
    journey = json.loads(_job(workload)["metadata"]["annotations"][JOURNEY_ANNOTATION])
    assert journey["reads"] == [] and journey["writes"] == []
    requests = _job(workload)["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
    assert requests == {"nvidia.com/gpu": "8"}   # not in the catalog: no CPU/memory figures to size from


def test_images_come_from_config_pinned_by_digest():
    cfg = _config(kubernetes={"goldenImages": {"training": DIGEST}})
    [workload] = golden_workloads(cfg, [_handle()])
    assert _job(workload)["spec"]["template"]["spec"]["containers"][0]["image"] == DIGEST
    with pytest.raises(ConfigError):
        _config(kubernetes={"goldenImages": {"training": "nvcr.io/nvidia/pytorch:24.10-py3"}})


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_manifests_are_valid_kubernetes_objects(cloud):
    pools = ([{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4, "purpose": "training"},
              {"name": "l40s", "instanceType": "g6e.12xlarge", "maxNodes": 2}] if cloud == "aws" else
             [{"name": "h100", "instanceType": "a3-megagpu-8g", "maxNodes": 2, "purpose": "training",
               "zone": "us-central1-a"}, {"name": "l4", "instanceType": "g2-standard-48", "maxNodes": 2}])
    cfg = _config(cloud, pools=pools, teams=[{"name": "research", "costCenter": "ml",
                                              "gpuQuota": {pools[0]["name"]: 16, pools[1]["name"]: 4}}],
                  kubernetes={"goldenImages": {"training": DIGEST, "inference": DIGEST}})
    handles = [_handle(pools[0]["name"], efa=cloud == "aws"), _handle(pools[1]["name"], gpus=4, max_nodes=2,
                                                                     efa=False)]
    workloads = golden_workloads(cfg, handles, shared_claims=["lustre"])
    assert len(workloads) == 3
    for text in configmap_data(workloads).values():
        for manifest in yaml.safe_load_all(text):
            schema_check(manifest, cfg.kubernetes.version)
