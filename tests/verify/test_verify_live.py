"""`lz verify --kubeconfig`: the live run's pieces against a fake at the HTTP boundary (`Transport`).

The fake answers the Kubernetes REST paths the run uses with what an API server returns; the run reads the
published ConfigMap, sizes DCGM to the live nodes, creates the ssh Secret and the Jobs, waits, saves the
output, labels the DCGM nodes and deletes the Secret. (Not run against a live cluster here.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.catalog import aws_instance_type
from components.config import validate_config
from components.platform_inputs import GpuPoolHandle
from components.workloads import acceptance as a
from lz.cli import main
from lz.verify import live
from lz.verify.judge import judge_dir

FIXTURES = Path(__file__).parent / "fixtures"
IMAGE = "public.ecr.aws/example/x@sha256:" + "c" * 64
NODES = ["ip-10-40-1-17.ec2.internal", "ip-10-40-1-201.ec2.internal"]


def _config(images=True):
    doc = {"environment": "prod", "cloud": "aws", "tags": {"costCenter": "ml"}, "logging": {"auditReplicaRegion": "us-west-2"},
           "gpuPools": [{"name": "h100-train", "instanceType": "p5.48xlarge", "maxNodes": 4, "purpose": "training"},
                        {"name": "l40s-serve", "instanceType": "g6e.12xlarge", "maxNodes": 2, "purpose": "inference"}],
           "teams": [{"name": "research", "costCenter": "ml", "gpuQuota": {"h100-train": 16}}]}
    if images:
        doc["kubernetes"] = {"goldenImages": {"ncclTests": IMAGE, "dcgm": IMAGE}}
    return validate_config(doc, "stacks/Pulumi.t.yaml")


def _handles(cfg):
    out = []
    for p in cfg.gpu_pools:
        t = aws_instance_type(p.instance_type)
        out.append(GpuPoolHandle(name=p.name, node_labels={"ai-landing-zone/pool": p.name}, gpus_per_node=t.gpu_count,
                                 max_nodes=p.max_nodes, efa=p.purpose == "training", node_cpu=t.vcpu,
                                 node_memory_gib=t.memory_gib))
    return out


class FakeApiServer:
    """The REST paths `lz verify` uses, answered as a Kubernetes API server would."""

    def __init__(self, cfg, *, configmap=True, complete_after=2):
        self.calls: list[tuple[str, str, object, str]] = []
        self.objects: dict[str, dict] = {}
        self.job_polls: dict[str, int] = {}
        self.complete_after = complete_after
        self.configmap = {"data": a.configmap_data(a.acceptance_jobs(cfg, _handles(cfg)))} if configmap else None
        dcgm_doc = json.loads((FIXTURES / "dcgm/gpu5-memory.json").read_text())
        self.dcgm_logs = {node: "starting nv-hostengine\n" + json.dumps(dcgm_doc[node]) for node in NODES}

    def request(self, method, path, body=None, content_type="application/json"):
        self.calls.append((method, path, body, content_type))
        if path.endswith("/configmaps/acceptance-workloads"):
            return (200, json.dumps(self.configmap).encode()) if self.configmap else (404, b'{"reason":"NotFound"}')
        if path.startswith("/api/v1/nodes?labelSelector="):
            pool = path.rsplit("=", 1)[1]
            items = [{"metadata": {"name": n}} for n in NODES] if pool == "h100-train" else []
            return 200, json.dumps({"items": items}).encode()
        if method == "PATCH":
            return 200, b"{}"
        if method == "POST":
            self.objects[f"{path}/{body['metadata']['name']}"] = body
            return 201, json.dumps(body).encode()
        if method == "DELETE":
            return (200, b"{}") if self.objects.pop(path, None) else (404, b"{}")
        if "/pods?labelSelector=job-name=" in path:
            job = path.rsplit("=", 1)[1]
            pods = [{"metadata": {"name": f"{job}-{i}-x", "labels": {live.INDEX_LABEL: str(i)}},
                     "spec": {"nodeName": n}} for i, n in enumerate(NODES)]
            return 200, json.dumps({"items": pods}).encode()
        if path.endswith("/log?container=nccl"):
            return 200, (FIXTURES / "healthy/h100-train/all_reduce_perf.log").read_bytes()
        if path.endswith("/log?container=dcgm"):
            index = int(path.split("/pods/")[1].split("-x")[0].rsplit("-", 1)[1])
            return 200, self.dcgm_logs[NODES[index]].encode()
        if "/jobs/" in path and method == "GET":
            if path not in self.objects:
                return 404, b"{}"
            polls = self.job_polls[path] = self.job_polls.get(path, 0) + 1
            job = self.objects[path]
            if polls < self.complete_after:
                return 200, json.dumps({**job, "status": {}}).encode()
            return 200, json.dumps({**job, "spec": {**job["spec"], "suspend": False},
                                    "status": {"succeeded": job["spec"]["completions"],
                                               "conditions": [{"type": "Complete", "status": "True"}]}}).encode()
        if method == "GET":
            return (200, json.dumps(self.objects[path]).encode()) if path in self.objects else (404, b"{}")
        raise AssertionError(f"unexpected {method} {path}")


def _run(tmp_path, server, cfg, **kw):
    messages: list[str] = []
    live.run_acceptance(cfg, Path("unused"), tmp_path, transport=server, keygen=lambda: ("PRIVATE", "ssh-ed25519 AAAA"),
                        sleep=lambda s: None, progress=messages.append, **kw)
    return messages


def test_a_live_run_submits_waits_saves_labels_and_cleans_up(tmp_path):
    cfg = _config()
    server = FakeApiServer(cfg)
    messages = _run(tmp_path, server, cfg)
    posted = {p.rsplit("/", 1)[1]: body for (m, p, body, _) in server.calls if m == "POST" for p in [f"{p}/{body['metadata']['name']}"]}
    # DCGM sized to the pool's live nodes; the pool with none is skipped, and said so.
    assert posted["h100-train-dcgm"]["spec"]["completions"] == 2 and "l40s-serve-dcgm" not in posted
    assert "l40s-serve: no node is up, DCGM skipped" in messages
    assert posted["h100-train-nccl-ssh"]["stringData"] == {"id_ed25519": "PRIVATE", "authorized_keys": "ssh-ed25519 AAAA"}
    assert {"h100-train-nccl", "h100-train-nccl-ssh"} <= set(posted)
    assert any("queued (suspended until Kueue admits it)" in m for m in messages)
    # The Secret is gone afterwards.
    assert ("DELETE", "/api/v1/namespaces/lz-acceptance/secrets/h100-train-nccl-ssh") in {(m, p) for m, p, _, _ in server.calls}
    # Node labels: the node whose GPU 5 failed the memory test is marked, the other passes (JSON merge patch).
    patches = {p: (b, ct) for m, p, b, ct in server.calls if m == "PATCH"}
    assert patches["/api/v1/nodes/ip-10-40-1-201.ec2.internal"] == (
        {"metadata": {"labels": {"acceptance.ai-landing-zone/dcgm": "fail"}}}, "application/merge-patch+json")
    assert patches["/api/v1/nodes/ip-10-40-1-17.ec2.internal"][0]["metadata"]["labels"] == {
        "acceptance.ai-landing-zone/dcgm": "pass"}
    # What was saved is judged like `--from`.
    verdicts = {(v.pool, v.test): v.verdict for v in judge_dir(cfg, tmp_path, 3)}
    assert verdicts == {("h100-train", "nccl-all-reduce"): "pass", ("h100-train", "dcgm-diag"): "fail"}


def test_a_stack_not_deployed_says_so(tmp_path):
    cfg = _config()
    with pytest.raises(live.LiveError, match="deploy the stack first"):
        _run(tmp_path, FakeApiServer(cfg, configmap=False), cfg)


def test_jobs_without_an_image_are_not_submitted(tmp_path):
    cfg = _config(images=False)
    server = FakeApiServer(cfg)
    with pytest.raises(live.LiveError, match="goldenImages.dcgm"):
        _run(tmp_path, server, cfg)
    assert not [c for c in server.calls if c[0] == "POST"]


def test_a_timeout_still_deletes_the_secret(tmp_path):
    cfg = _config()
    server = FakeApiServer(cfg, complete_after=10**6)
    with pytest.raises(live.LiveError, match="timed out after 0s"):
        _run(tmp_path, server, cfg, timeout_s=0, clock=iter(range(10**6)).__next__)
    assert not [p for p in server.objects if "/secrets/" in p]
    # The unfinished Jobs are deleted with their pods (Background: a batch/v1 Job's pods are otherwise orphaned).
    deletes = {p: b for m, p, b, _ in server.calls if m == "DELETE" and "/jobs/" in p and b == live.DELETE_BACKGROUND}
    assert set(deletes) == {"/apis/batch/v1/namespaces/lz-acceptance/jobs/h100-train-dcgm",
                            "/apis/batch/v1/namespaces/lz-acceptance/jobs/h100-train-nccl"}


def test_the_cli_reports_a_missing_kubeconfig_in_one_line(capsys):
    from lz.testing import ROOT
    assert main(["verify", "prod", "-C", str(ROOT), "--kubeconfig", "/nonexistent/kubeconfig"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: /nonexistent/kubeconfig: no such kubeconfig"
