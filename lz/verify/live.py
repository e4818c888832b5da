"""`lz verify --kubeconfig`: run the published acceptance jobs on the live cluster and save their output.

1. Read ConfigMap `acceptance-workloads` in namespace `lz-acceptance` (what the deployed platform
   published: components/k8s/acceptance.py) - the manifests carry the pools' real node selectors.
2. DCGM: count the nodes each DCGM job selects and run it on all of them (completions = parallelism =
   nodes); a pool with no node is skipped and reported. NCCL: create the job's ssh key pair (`ssh-keygen`,
   kept only in Secret `<job>-ssh` for the run), its headless Service and the Job.
3. Wait, reporting progress (suspended = waiting for Kueue admission), until every Job completes or fails
   or the timeout passes.
4. Save `OUT/<pool>/all_reduce_perf.log` (index 0's stdout) and `OUT/<pool>/dcgm-diag.json` ({node: the
   `dcgmi diag -j` document}), label each DCGM node `acceptance.ai-landing-zone/dcgm=pass|fail`, delete the
   Secrets. `lz verify` then judges OUT exactly as `--from OUT`.

Everything goes through `KubeApi`, whose only dependency is a `Transport` (one HTTP request: method, path,
body -> status, body). `ClientTransport` is the `kubernetes` package's ApiClient (kubeconfig loading with
exec credential plugins: `aws eks get-token`, `gke-gcloud-auth-plugin`); tests use a fake transport.
Not run against a live cluster from this repository (no cluster is reachable where it was written).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from components.config.model import LandingZoneConfig
from components.names import ACCEPTANCE_NAMESPACE
from components.workloads.names import (
    ACCEPTANCE_CONFIGMAP,
    ACCEPTANCE_POOL_LABEL,
    ACCEPTANCE_TEST_LABEL,
    DCGM_NODE_LABEL,
)

from . import dcgm
from .judge import DCGM_JSON, NCCL_LOG

NS = ACCEPTANCE_NAMESPACE
INDEX_LABEL = "batch.kubernetes.io/job-completion-index"   # set on Indexed Job pods (Kubernetes 1.28+)
POLL_S = 15
# DeleteOptions (meta/v1). Foreground: dependents (a Job's pods) go before the object itself. Background: the
# pods are deleted after it; without a policy the API server orphans a batch/v1 Job's pods.
DELETE_FOREGROUND = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Foreground"}
DELETE_BACKGROUND = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}


class LiveError(Exception):
    """The cluster cannot run the acceptance jobs (unreachable, not deployed, refused, timed out)."""


class Transport(Protocol):
    def request(self, method: str, path: str, body: Any = None,
                content_type: str = "application/json") -> tuple[int, bytes]: ...


class ClientTransport:
    """HTTP through the `kubernetes` package (optional dependency: `pip install 'ai-landing-zone[verify]'`)."""

    def __init__(self, kubeconfig: Path, context: str | None = None):
        try:
            from kubernetes import config as kube_config
        except ImportError:
            raise LiveError("lz verify --kubeconfig needs the kubernetes package: "
                            "pip install 'ai-landing-zone[verify]'") from None
        try:
            self.client = kube_config.new_client_from_config(config_file=str(kubeconfig), context=context)
        except Exception as exc:  # the loader raises ConfigException, OSError, yaml errors
            raise LiveError(f"{kubeconfig}: cannot load the kubeconfig ({exc})") from None

    def request(self, method: str, path: str, body: Any = None,
                content_type: str = "application/json") -> tuple[int, bytes]:
        # kubernetes >= 37 (OpenAPI generator 7): param_serialize builds URL, auth and headers; call_api sends
        # it and returns the raw response without raising on an HTTP error status.
        serialized = self.client.param_serialize(
            method=method, resource_path=path, body=body, auth_settings=["BearerToken"],
            header_params={"Content-Type": content_type, "Accept": "application/json, */*"})
        try:
            response = self.client.call_api(*serialized)
        except Exception as exc:  # urllib3 connection errors
            raise LiveError(f"{method} {path}: {exc}") from None
        return response.status, response.read()


@dataclass
class KubeApi:
    transport: Transport

    def _call(self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (200, 201, 202),
              content_type: str = "application/json") -> bytes:
        status, data = self.transport.request(method, path, body, content_type)
        if status not in ok:
            detail = data.decode(errors="replace")[:300] if isinstance(data, bytes) else str(data)[:300]
            raise LiveError(f"{method} {path}: HTTP {status}: {detail}")
        return data

    def _json(self, method: str, path: str, body: Any = None, **kw: Any) -> dict[str, Any]:
        data = self._call(method, path, body, **kw)
        return json.loads(data) if data else {}

    def nodes(self, selector: Mapping[str, str]) -> list[dict[str, Any]]:
        query = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        return self._json("GET", f"/api/v1/nodes?labelSelector={query}").get("items", [])

    def pods(self, namespace: str, job: str) -> list[dict[str, Any]]:
        return self._json("GET", f"/api/v1/namespaces/{namespace}/pods?labelSelector=job-name={job}").get("items", [])

    def logs(self, namespace: str, pod: str, container: str) -> str:
        return self._call("GET", f"/api/v1/namespaces/{namespace}/pods/{pod}/log?container={container}").decode(
            errors="replace")

    def job(self, namespace: str, name: str) -> dict[str, Any]:
        return self._json("GET", f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}")

    def replace(self, manifest: Mapping[str, Any]) -> None:
        """Delete a previous run's object of the same name (and its pods), then create this one."""
        path = collection(manifest)
        name = manifest["metadata"]["name"]
        self._call("DELETE", f"{path}/{name}", DELETE_FOREGROUND, ok=(200, 202, 404))
        for _ in range(60):   # foreground deletion: gone once its pods are
            status, _ = self.transport.request("GET", f"{path}/{name}", None, "application/json")
            if status == 404:
                break
            time.sleep(2)
        self._call("POST", path, manifest)

    def delete(self, manifest: Mapping[str, Any]) -> None:
        self._call("DELETE", f"{collection(manifest)}/{manifest['metadata']['name']}", DELETE_BACKGROUND,
                   ok=(200, 202, 404))

    def label_node(self, node: str, key: str, value: str) -> None:
        # JSON merge patch (RFC 7386) of the node's labels; `kubectl label` sends the same.
        self._call("PATCH", f"/api/v1/nodes/{node}", {"metadata": {"labels": {key: value}}},
                   content_type="application/merge-patch+json")


def collection(manifest: Mapping[str, Any]) -> str:
    """The REST collection path of a namespaced object of the kinds the acceptance jobs use."""
    api, kind, ns = manifest["apiVersion"], manifest["kind"], manifest["metadata"]["namespace"]
    plural = {"Job": "jobs", "Service": "services", "Secret": "secrets"}[kind]
    prefix = "/api/v1" if api == "v1" else f"/apis/{api}"
    return f"{prefix}/namespaces/{ns}/{plural}"


def ssh_secret(name: str, namespace: str, keygen: Callable[[], tuple[str, str]]) -> dict[str, Any]:
    private, public = keygen()
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace},
            "stringData": {"id_ed25519": private, "authorized_keys": public}}


def ssh_keygen() -> tuple[str, str]:
    """A fresh ed25519 key pair from OpenSSH's ssh-keygen (private key, public key)."""
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "id_ed25519"
        try:
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lz-verify", "-f", str(key)],
                           check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise LiveError(f"ssh-keygen (OpenSSH) is needed for the NCCL job's key: {exc}") from None
        return key.read_text(), key.with_suffix(".pub").read_text()


@dataclass(frozen=True)
class Planned:
    pool: str
    test: str
    manifests: tuple[dict[str, Any], ...]
    secret: dict[str, Any] | None = None

    @property
    def job(self) -> dict[str, Any]:
        return next(m for m in self.manifests if m["kind"] == "Job")


def plan_runs(api: KubeApi, keygen: Callable[[], tuple[str, str]] = ssh_keygen,
              progress: Callable[[str], None] = lambda m: None) -> list[Planned]:
    """The jobs to submit: the published templates, DCGM sized to the nodes its pool has now."""
    status, body = api.transport.request("GET", f"/api/v1/namespaces/{NS}/configmaps/{ACCEPTANCE_CONFIGMAP}",
                                         None, "application/json")
    if status == 404:
        raise LiveError(f"no ConfigMap {ACCEPTANCE_CONFIGMAP} in namespace {NS}: deploy the stack first "
                        "(`pulumi up` creates it)")
    if status != 200:
        raise LiveError(f"reading ConfigMap {NS}/{ACCEPTANCE_CONFIGMAP}: HTTP {status}: {body[:300]!r}")
    data = json.loads(body).get("data") or {}
    planned = []
    for key in sorted(data):
        manifests = tuple(d for d in yaml.safe_load_all(data[key]) if isinstance(d, dict))
        job = next(m for m in manifests if m["kind"] == "Job")
        labels = job["metadata"]["labels"]
        pool, test = labels[ACCEPTANCE_POOL_LABEL], labels[ACCEPTANCE_TEST_LABEL]
        if not job["spec"]["template"]["spec"]["containers"][0].get("image"):
            raise LiveError(f"{job['metadata']['name']}: no image: set ai-landing-zone:kubernetes.goldenImages."
                            f"{'dcgm' if test == 'dcgm-diag' else 'ncclTests'} to a digest-pinned reference and deploy")
        if test == "dcgm-diag":
            count = len(api.nodes(job["spec"]["template"]["spec"]["nodeSelector"]))
            if not count:
                progress(f"{pool}: no node is up, DCGM skipped")
                continue
            job["spec"].update(completions=count, parallelism=count)
            journey_key = next((k for k in job["metadata"].get("annotations", {}) if k.endswith("/journey")), None)
            if journey_key:   # keep what the journey annotation says in step with the run
                doc = json.loads(job["metadata"]["annotations"][journey_key])
                job["metadata"]["annotations"][journey_key] = json.dumps({**doc, "nodes": count}, sort_keys=True)
            planned.append(Planned(pool, test, manifests))
        else:
            volumes = job["spec"]["template"]["spec"].get("volumes") or []
            secret_name = next(v["secret"]["secretName"] for v in volumes if "secret" in v)
            planned.append(Planned(pool, test, manifests, ssh_secret(secret_name, NS, keygen)))
    return planned


def finished(job: Mapping[str, Any]) -> str | None:
    """'Complete' / 'Failed' once the Job controller says so (status.conditions), else None."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return condition["type"]
    return None


def collect(api: KubeApi, run: Planned, out: Path) -> None:
    name = run.job["metadata"]["name"]
    folder = out / run.pool
    folder.mkdir(parents=True, exist_ok=True)
    pods = api.pods(NS, name)
    container = run.job["spec"]["template"]["spec"]["containers"][0]["name"]
    if run.test == "nccl-all-reduce":
        launcher = [p for p in pods if (p["metadata"].get("labels") or {}).get(INDEX_LABEL) == "0"]
        if launcher:
            (folder / NCCL_LOG).write_text(api.logs(NS, launcher[-1]["metadata"]["name"], container))
        return
    by_node: dict[str, Any] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName") or pod["metadata"]["name"]
        text = api.logs(NS, pod["metadata"]["name"], container)
        start = text.find("{")
        try:
            by_node[node] = json.loads(text[start:]) if start >= 0 else text
        except ValueError:
            by_node[node] = text   # the judge reports it as unreadable
    (folder / DCGM_JSON).write_text(json.dumps(by_node, indent=2))
    try:
        diag = dcgm.parse(json.dumps(by_node))
    except dcgm.DcgmError:
        return
    for node in diag.nodes:
        api.label_node(node, DCGM_NODE_LABEL, "fail" if node in diag.failed_nodes else "pass")


def run_acceptance(config: LandingZoneConfig, kubeconfig: Path, out: Path, *, context: str | None = None,
                   timeout_s: int = 3600, progress: Callable[[str], None] = print,
                   transport: Transport | None = None, keygen: Callable[[], tuple[str, str]] = ssh_keygen,
                   sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
    if transport is None and not kubeconfig.is_file():
        raise LiveError(f"{kubeconfig}: no such kubeconfig")
    api = KubeApi(transport or ClientTransport(kubeconfig, context))
    runs = plan_runs(api, keygen, progress)
    if not runs:
        raise LiveError(f"nothing to run: none of the pools ({', '.join(p.name for p in config.gpu_pools)}) "
                        "has a node up")
    pending: dict[str, Planned] = {}
    try:
        for run in runs:
            if run.secret is not None:
                api.replace(run.secret)
            for manifest in run.manifests:
                api.replace(manifest)
            pending[run.job["metadata"]["name"]] = run
            progress(f"submitted {run.job['metadata']['name']} ({run.test}, {run.job['spec']['parallelism']} nodes)")
        deadline = clock() + timeout_s
        while pending:
            for name in list(pending):
                job = api.job(NS, name)
                state = finished(job)
                status = job.get("status") or {}
                if state:
                    progress(f"{name}: {state}")
                    collect(api, pending.pop(name), out)
                elif job.get("spec", {}).get("suspend"):
                    progress(f"{name}: queued (suspended until Kueue admits it)")
                else:
                    progress(f"{name}: {status.get('active', 0)} running, {status.get('succeeded', 0)} done")
            if pending and clock() > deadline:
                raise LiveError(f"timed out after {timeout_s}s waiting for {', '.join(sorted(pending))}")
            if pending:
                sleep(POLL_S)
    finally:
        # Jobs that did not finish (timeout, interrupt) would hold their nodes' GPUs: delete them and their pods.
        for run in pending.values():
            api.delete(run.job)
        for run in runs:
            if run.secret is not None:
                api.delete(run.secret)
