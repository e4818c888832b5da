"""Acceptance jobs: what `lz verify` runs on a deployed cluster, and the figures it judges them by.

Pure functions from the typed config and the catalog:

- `nccl_threshold(config, pool)`: the published 2-node `all_reduce_perf` bus bandwidth of the pool's
  instance/machine type (catalog `ncclAllReduce`, components/catalog/gpu_types.yaml), or None where no
  healthy cluster's figure was published: then nothing is judged, and `lz verify` says so;
- `dcgm_level(config)`: the `dcgmi diag` level per environment;
- the manifests (below): a DCGM diagnostics Job on every node of every GPU pool, and an NCCL
  all-reduce Job across 2 nodes of every training pool that can grow to 2.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from components.catalog import UnknownTypeError, aws_instance_type, default_catalog, gcp_machine_type
from components.config.model import GpuPool, LandingZoneConfig, Team
from components.k8s import kueue as q
from components.k8s.manifests import NAME_LABEL, platform_labels
from components.names import ACCEPTANCE_NAMESPACE
from components.platform_inputs import GpuPoolHandle

from .golden import PoolShape, interconnect_pod_parts, pod_resources, pool_shape, restricted_security
from .names import (
    ACCEPTANCE_POOL_LABEL,
    ACCEPTANCE_TEST_LABEL,
    GOLDEN_LABEL,
    JOURNEY_ANNOTATION,
    KUEUE_PRIORITY_LABEL,
    KUEUE_QUEUE_LABEL,
)

NCCL_NODES = 2   # the catalog's figures are 2-node figures; 2 nodes exercise the inter-node fabric

# `dcgmi diag -r <level>` per environment kind. DCGM's reference (docs.nvidia.com/datacenter/dcgm/latest/
# reference/command-line-reference/dcgmi/dcgmi-diag.html): 1 "quick deployment checks, normally lasting
# seconds", 2 "medium validation, normally lasting approximately two minutes", 3 "long hardware
# diagnostics, normally lasting approximately 15 minutes". Production pools get the hardware diagnostics
# before teams land on them; dev pays for seconds of GPU time.
DCGM_LEVEL = {"dev": 1, "staging": 2, "prod": 3}


@dataclass(frozen=True)
class NcclThreshold:
    instance_type: str
    busbw_gbps: float
    message_bytes: int
    nodes: int
    gpus_per_node: int
    measured: str
    sources: tuple[str, ...]        # catalog source ids
    citations: tuple[str, ...]      # their text


def dcgm_level(config: LandingZoneConfig) -> int:
    return DCGM_LEVEL[config.environment.value]


def _catalog_entry(config: LandingZoneConfig, instance_type: str):
    cloud = config.cloud.value
    # A brought cluster's pools may name either cloud's type (or neither: an on-prem server).
    lookups = {"aws": (aws_instance_type,), "gcp": (gcp_machine_type,)}.get(cloud, (aws_instance_type, gcp_machine_type))
    for lookup in lookups:
        try:
            return lookup(instance_type)
        except UnknownTypeError:
            continue
    return None


def nccl_threshold(config: LandingZoneConfig, pool: GpuPool) -> NcclThreshold | None:
    entry = _catalog_entry(config, pool.instance_type)
    figure = entry.nccl_all_reduce if entry is not None else None
    if figure is None:
        return None
    return NcclThreshold(instance_type=pool.instance_type, busbw_gbps=figure.busbw_gbps,
                         message_bytes=figure.message_bytes, nodes=figure.nodes,
                         gpus_per_node=figure.gpus_per_node, measured=figure.measured,
                         sources=figure.sources, citations=tuple(default_catalog().citations(figure.sources)))


def nccl_pools(config: LandingZoneConfig) -> list[GpuPool]:
    """The pools the NCCL test runs on: training pools that can hold 2 nodes."""
    return [p for p in config.gpu_pools if p.purpose == "training" and p.max_nodes >= NCCL_NODES]


# --- manifests ------------------------------------------------------------------------------------------

SSH_PORT = 2222           # sshd of the NCCL pods, unprivileged (no root, no capability for port 22)
SSH_SECRET_MOUNT = "/etc/lz-ssh"
# Without a published figure the NCCL test still runs to 8 GiB, cluster-health-scanner's END_MESSAGE_SIZE
# (GoogleCloudPlatform/cluster-health-scanner @81c525d8 deploy/helm/health_checks/nccl_healthcheck/*.yaml).
DEFAULT_MAX_BYTES = 8 * 2**30
# DCGM diagnostics run through a host engine started in the pod (nv-hostengine daemonizes and listens on
# 127.0.0.1:5555; dcgmi talks to it there); `--pid` and `--log-filename` move its files to /tmp, as the pod
# runs as non-root (Pod Security restricted). NVIDIA's nv-hostengine reference
# (docs.nvidia.com/datacenter/dcgm/latest/reference/command-line-reference/nv-hostengine.html): it "can run
# without root privileges, but prints a warning and cannot provide features for which the host-engine user
# lacks device or operating-system permissions ... portions of diagnostics can require root" - such tests
# report Skip, not Pass, and the verdict only fails on Fail.
DCGM_SCRIPT = """set -u
nv-hostengine --pid /tmp/nv-hostengine.pid --log-filename /tmp/nv-hostengine.log
# The JSON document goes to stdout whatever the verdict: `lz verify` judges it, so the pod exits 0.
dcgmi diag -r {level} -j || true
"""
# nccl-tests runs multi-node only under MPI (NVIDIA/nccl-tests README: "NCCL tests rely on MPI to work on
# multiple processes, hence multiple nodes"); Open MPI starts the remote ranks over ssh. Every pod runs an
# unprivileged sshd that accepts the job's key (Secret `<job>-ssh`, created by `lz verify` for the run);
# index 0 waits for its peers, runs mpirun with one rank per GPU (`-g 1`, as NVIDIA's README and
# awsome-distributed-training's MPIJob do) and then releases them.
NCCL_SCRIPT = """set -eu
umask 077
mkdir -p /tmp/ssh
cp {secret}/id_ed25519 {secret}/authorized_keys /tmp/ssh/
ssh-keygen -q -t ed25519 -N '' -f /tmp/ssh/host_key
printf 'Port {port}\\nHostKey /tmp/ssh/host_key\\nAuthorizedKeysFile /tmp/ssh/authorized_keys\\nPidFile /tmp/ssh/sshd.pid\\nStrictModes no\\nPasswordAuthentication no\\nKbdInteractiveAuthentication no\\nUsePAM no\\n' > /tmp/ssh/sshd_config
"$(command -v sshd || echo /usr/sbin/sshd)" -f /tmp/ssh/sshd_config
SSH="ssh -p {port} -i /tmp/ssh/id_ed25519 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
if [ "$JOB_COMPLETION_INDEX" != 0 ]; then
  while [ ! -e /tmp/ssh/done ]; do sleep 5; done
  exit 0
fi
HOSTS=""
for i in $(seq 0 $(({nodes} - 1))); do
  peer="{job}-$i.{job}"
  until $SSH "$peer" true; do sleep 5; done
  HOSTS="$HOSTS${{HOSTS:+,}}$peer:{gpus}"
done
rc=0
mpirun --host "$HOSTS" -np {ranks} --bind-to none --mca plm_rsh_args "-p {port} -i /tmp/ssh/id_ed25519 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR" \\
  {exports} {command} || rc=$?
# Release the peers whatever happened, then report mpirun's status.
for i in $(seq 1 $(({nodes} - 1))); do $SSH "{job}-$i.{job}" touch /tmp/ssh/done || true; done
exit "$rc"
"""


# GKE GPUDirect: every rank sources the NCCL settings the vendor's installer puts on the host, matching the
# installed plugin version (GoogleCloudPlatform/container-engine-accelerators @992db812: gpudirect-tcpxo/
# README.md "source ${NCCL_LIB_DIR}/nccl-env-profile.sh"; gpudirect-rdma/nccl-test.yaml "source
# /usr/local/gib/scripts/set_nccl_env.sh"). EFA's settings are the pod env (golden.EFA_ENV), passed with -x.
NCCL_ENV_PROFILE = {"tcpxo": "{NCCL_LIB_DIR}/nccl-env-profile.sh", "rdma": "/usr/local/gib/scripts/set_nccl_env.sh"}


def nccl_command(flavour: str, env: Mapping[str, str], max_bytes: int) -> str:
    """What mpirun starts on every rank: all_reduce_perf, after the GPUDirect profile where there is one."""
    run = f"all_reduce_perf -b 8 -e {max_bytes} -f 2 -g 1"
    profile = NCCL_ENV_PROFILE.get(flavour)
    if profile is None:
        return run
    return f"bash -c '. {profile.format(**env)} && exec {run}'"


@dataclass(frozen=True)
class AcceptanceJob:
    name: str
    pool: str
    test: str                           # dcgm-diag | nccl-all-reduce
    nodes: int
    manifests: tuple[dict[str, Any], ...]
    ssh_secret: str | None = None       # the Secret `lz verify` creates before submitting (NCCL)

    def yaml(self) -> str:
        return yaml.safe_dump_all(list(self.manifests), sort_keys=False)


def _labels(config: LandingZoneConfig, pool: str, test: str, name: str) -> dict[str, str]:
    return {**platform_labels(config), ACCEPTANCE_POOL_LABEL: pool, ACCEPTANCE_TEST_LABEL: test,
            GOLDEN_LABEL: name}


def _journey(pool: GpuPool, nodes: int, kind: str) -> str:
    # What the journey checks read (policies/lzpolicy/journeys): no object-store paths.
    return json.dumps({"team": ACCEPTANCE_NAMESPACE, "pool": pool.name, "purpose": pool.purpose, "kind": kind,
                       "nodes": nodes, "serviceAccount": ACCEPTANCE_NAMESPACE, "reads": [], "writes": []},
                      sort_keys=True)


def _job(config: LandingZoneConfig, pool: GpuPool, shape: PoolShape, *, name: str, test: str, nodes: int,
         container: dict[str, Any], pod_extra: dict[str, Any], annotations: Mapping[str, str]) -> dict[str, Any]:
    labels = _labels(config, pool.name, test, name)
    pod_security, _ = restricted_security()
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": ACCEPTANCE_NAMESPACE,
                     "labels": {**labels, KUEUE_QUEUE_LABEL: q.LOCAL_QUEUE, KUEUE_PRIORITY_LABEL: "batch"},
                     "annotations": {JOURNEY_ANNOTATION: _journey(pool, nodes, test)}},
        "spec": {
            "suspend": True,                  # Kueue unsuspends it once the whole gang is admitted
            "completionMode": "Indexed", "completions": nodes, "parallelism": nodes,
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": 86400,  # `lz verify` reads the logs first; a day to inspect them
            "template": {
                "metadata": {"labels": dict(labels), **({"annotations": dict(annotations)} if annotations else {})},
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": ACCEPTANCE_NAMESPACE,
                    "automountServiceAccountToken": False,
                    "priorityClassName": "batch",
                    "securityContext": pod_security,
                    "nodeSelector": dict(shape.node_labels),
                    "tolerations": [dict(t) for t in shape.tolerations],
                    **pod_extra,
                    "containers": [container],
                },
            },
        },
    }


def _image(config: LandingZoneConfig, which: str) -> dict[str, str]:
    ref = getattr(config.kubernetes.golden_images, which)
    return {"image": ref} if ref else {}


def dcgm_job(config: LandingZoneConfig, pool: GpuPool, shape: PoolShape, nodes: int) -> AcceptanceJob:
    """`dcgmi diag` on `nodes` nodes of the pool: one pod per node, each holding every GPU of its node."""
    name = f"{pool.name}-dcgm"
    _, container_security = restricted_security()
    # Attached to the node's NICs exactly as a training pod is (every EFA device, the GKE GPU NIC networks,
    # TCPXO's RxDM): the pod holds the whole node, and every node's NIC attachment is exercised too.
    annotations, volumes, mounts, env, sidecars = interconnect_pod_parts(config, shape)
    container = {
        "name": "dcgm", **_image(config, "dcgm"),
        "command": ["/bin/sh", "-c"], "args": [DCGM_SCRIPT.format(level=dcgm_level(config))],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                *({"name": k, "value": v} for k, v in env.items())],
        "resources": pod_resources(shape), "securityContext": container_security, "volumeMounts": mounts,
    }
    pod_extra = {"volumes": volumes, **({"initContainers": sidecars} if sidecars else {})}
    job = _job(config, pool, shape, name=name, test="dcgm-diag", nodes=nodes, container=container,
               pod_extra=pod_extra, annotations=annotations)
    return AcceptanceJob(name=name, pool=pool.name, test="dcgm-diag", nodes=nodes, manifests=(job,))


def nccl_job(config: LandingZoneConfig, pool: GpuPool, shape: PoolShape) -> AcceptanceJob:
    """`all_reduce_perf` across 2 nodes of the pool, attached to its NICs as the golden training job is."""
    name = f"{pool.name}-nccl"
    nodes = NCCL_NODES
    threshold = nccl_threshold(config, pool)
    max_bytes = threshold.message_bytes if threshold else DEFAULT_MAX_BYTES
    _, container_security = restricted_security()
    annotations, volumes, mounts, env, sidecars = interconnect_pod_parts(config, shape)
    secret = f"{name}-ssh"
    volumes = [*volumes, {"name": "ssh", "secret": {"secretName": secret, "defaultMode": 0o440}}]
    mounts = [*mounts, {"name": "ssh", "mountPath": SSH_SECRET_MOUNT, "readOnly": True}]
    exports = " ".join(f"-x {k}" for k in sorted(env))
    script = NCCL_SCRIPT.format(secret=SSH_SECRET_MOUNT, port=SSH_PORT, job=name, nodes=nodes,
                                gpus=shape.gpus_per_node, ranks=nodes * shape.gpus_per_node, exports=exports,
                                command=nccl_command(shape.gpu_nic_flavour, env, max_bytes))
    container = {
        "name": "nccl", **_image(config, "nccl_tests"),
        "command": ["/bin/bash", "-c"], "args": [script],
        "env": [{"name": k, "value": v} for k, v in env.items()],
        "ports": [{"containerPort": SSH_PORT, "protocol": "TCP"}],
        "resources": pod_resources(shape), "securityContext": container_security, "volumeMounts": mounts,
    }
    pod_extra = {"subdomain": name, "volumes": volumes, **({"initContainers": sidecars} if sidecars else {})}
    job = _job(config, pool, shape, name=name, test="nccl-all-reduce", nodes=nodes, container=container,
               pod_extra=pod_extra, annotations=annotations)
    labels = _labels(config, pool.name, "nccl-all-reduce", name)
    service = {   # headless: <job>-<index>.<job> resolves to each pod, for ssh and mpirun
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ACCEPTANCE_NAMESPACE, "labels": labels},
        "spec": {"clusterIP": "None", "selector": {"job-name": name},
                 "ports": [{"name": "ssh", "port": SSH_PORT, "protocol": "TCP"}]},
    }
    return AcceptanceJob(name=name, pool=pool.name, test="nccl-all-reduce", nodes=nodes,
                         manifests=(service, job), ssh_secret=secret)


def acceptance_jobs(config: LandingZoneConfig, handles: Sequence[GpuPoolHandle],
                    nodes: Mapping[str, int] | None = None) -> list[AcceptanceJob]:
    """Every acceptance job of the stack. `nodes`: the pool's live node count (DCGM runs on each); without
    it (the published templates), the pool's minimum size, at least 1."""
    pools = {p.name: p for p in config.gpu_pools}
    training = {p.name for p in nccl_pools(config)}
    out: list[AcceptanceJob] = []
    for handle in handles:
        pool = pools.get(handle.name)
        if pool is None:
            continue
        shape = pool_shape(config, pool, handle)
        count = (nodes or {}).get(pool.name, max(pool.min_nodes, 1))
        if count > 0:
            out.append(dcgm_job(config, pool, shape, min(count, handle.max_nodes)))
        if pool.name in training:
            out.append(nccl_job(config, pool, shape))
    return out


def configmap_data(jobs: Sequence[AcceptanceJob]) -> dict[str, str]:
    return {f"{j.name}.yaml": j.yaml() for j in jobs}


# --- the acceptance namespace's quota and queue ------------------------------------------------------

def acceptance_tenant(config: LandingZoneConfig, handles: Sequence[GpuPoolHandle]) -> Team:
    """The acceptance namespace as the quota objects see it: the teams' CPU-only floor (q.CPU_FLOOR: pods of
    brought pools, whose node size is unknown, get the LimitRange's default requests) plus the vCPUs and
    memory of every node of every pool at its maximum (the node share the jobs request); no volumes."""
    cpu = q.CPU_FLOOR + sum(h.max_nodes * h.node_cpu for h in handles if h.node_cpu)
    memory = q.MEMORY_FLOOR_GIB + sum(int(h.max_nodes * h.node_memory_gib) for h in handles if h.node_memory_gib)
    return Team(name=ACCEPTANCE_NAMESPACE, cost_center="platform", cpu=str(cpu), memory=f"{memory}Gi",
                storage="0Gi", pvc_count=0)


def namespace_gpus(handles: Sequence[GpuPoolHandle]) -> dict[str, int]:
    """The acceptance namespace's accelerator quota: every device of every pool at its maximum size."""
    caps: dict[str, int] = {}
    for h in handles:
        caps[h.resource_name] = caps.get(h.resource_name, 0) + h.max_nodes * h.gpus_per_node
    return caps


def cluster_queue(config: LandingZoneConfig, handles: Sequence[GpuPoolHandle]) -> dict[str, Any]:
    """The acceptance ClusterQueue: in the teams' cohort with no GPU quota of its own, so it only borrows
    what the teams leave idle (right after a deploy: everything), never preempts and is never lent from;
    CPU and memory of its own (the unlabelled flavor is not a pool's capacity)."""
    tenant = acceptance_tenant(config, handles)
    covered = sorted({h.resource_name for h in handles})
    groups: list[dict[str, Any]] = [{
        "coveredResources": ["cpu", "memory"],
        "flavors": [{"name": q.CPU_FLAVOR, "resources": [
            {"name": "cpu", "nominalQuota": tenant.cpu, "borrowingLimit": 0},
            {"name": "memory", "nominalQuota": tenant.memory, "borrowingLimit": 0}]}],
    }]
    if handles:
        groups.append({"coveredResources": covered, "flavors": [
            {"name": h.name, "resources": [{"name": r, "nominalQuota": 0} for r in covered]} for h in handles]})
    strategy = q.admission_checks_strategy(list(handles))
    return {
        "apiVersion": q.KUEUE_API, "kind": "ClusterQueue",
        "metadata": {"name": ACCEPTANCE_NAMESPACE, "labels": platform_labels(config)},
        "spec": {
            "cohort": q.COHORT,
            "namespaceSelector": {"matchLabels": {NAME_LABEL: ACCEPTANCE_NAMESPACE}},
            "queueingStrategy": "BestEffortFIFO",
            "preemption": {"reclaimWithinCohort": "Never", "borrowWithinCohort": {"policy": "Never"},
                           "withinClusterQueue": "Never"},
            "resourceGroups": groups,
            **({"admissionChecksStrategy": strategy} if strategy else {}),
        },
    }
