"""Golden workloads: the jobs the platform promises each team can run, as real manifests.

From the typed config and the pools the landing zone built (`GpuPoolHandle`: node labels, GPUs per
node, EFA), per team and per pool the team has quota in:

- a multi-node training job (`<pool>-train` in the team's namespace): an Indexed `batch/v1` Job queued by Kueue
  (`kueue.x-k8s.io/queue-name`, created suspended) with a headless Service for rendezvous. One pod
  per node, each requesting every GPU of its node and every high-bandwidth NIC device the catalog
  lists (32 EFA on p5.48xlarge), on N nodes: what the team's quota (nominal plus borrowing) fills,
  at least 2 where the pool can grow to 2. It reads `datasets/<team>/` and writes
  `checkpoints/<team>/`;
- on inference pools, an inference Deployment (`<pool>-serve`) of one replica using one
  node's GPUs.

The platform publishes them in each team namespace (ConfigMap `golden-workloads`, see
components/k8s/golden.py) and `lz workloads STACK` writes them out; the policy pack's journey checks
(policies/lzpolicy/journeys/) judge them against the rest of the plan.

Container images are config (`kubernetes.goldenImages`), pinned by digest: no image digest is made up
here. Unset, the container has no `image` (the API allows that in a workload template; its pods
cannot start until one is set), and `lz workloads` says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from components.catalog import GcpMachineType, UnknownTypeError, aws_instance_type, gcp_machine_type
from components.config.model import GpuPool, LandingZoneConfig, Team
from components.gcp.layout import gpu_nic_layout
from components.gcp.pool_settings import pool_zone
from components.k8s import kueue as q
from components.k8s.gpudirect_policy import HOST_PATHS, SIDECARS
from components.k8s.manifests import team_labels
from components.names import team_namespace, team_service_account
from components.platform_inputs import GpuPoolHandle

from .names import (
    EFA_RESOURCE,
    GOLDEN_LABEL,
    JOURNEY_ANNOTATION,
    KUEUE_PRIORITY_LABEL,
    KUEUE_QUEUE_LABEL,
)

RENDEZVOUS_PORT = 29500
SERVE_PORT = 8000
READS, WRITES = "datasets", "checkpoints"

# The job's share of a node's vCPU and memory: three quarters. This is a promise of the platform,
# not a hardware fact: it leaves room for the kubelet/system reservation (EKS and GKE reserve a few
# percent on GPU-size nodes) and the node agents (GPU operator, EFA plugin, CNI, CSI DaemonSets).
NODE_SHARE = (3, 4)

# AWS: the EFA settings awsome-distributed-training and the AWS EFA user guide give for NCCL over
# libfabric (aws-samples/awsome-distributed-training, 3.test_cases/pytorch/*/kubernetes manifests;
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start-nccl.html). RDMA read/write on the
# device is offered on p4d/p4de/p5/p5e/p5en/p6 (EFA "RDMA read" support, same guide).
EFA_ENV = {"FI_PROVIDER": "efa", "FI_EFA_FORK_SAFE": "1", "NCCL_DEBUG": "WARN"}
EFA_RDMA_FAMILIES = ("p4d.", "p4de.", "p5.", "p5e.", "p5en.", "p6")

# GKE GPUDirect: pods attach the node's GPU NIC networks through multi-networking
# (`networking.gke.io/interfaces` naming the GKE Network objects the landing zone creates per NIC,
# named by components/gcp/layout.gpu_nic_layout) and load NCCL's network plugin from the host.
# TCPX/TCPXO: https://cloud.google.com/kubernetes-engine/docs/how-to/gpu-bandwidth-gpudirect-tcpx
# (workload pods mount the NCCL plugin the installer puts in /home/kubernetes/bin/nvidia/lib64 at
# /usr/local/nvidia/lib64). RDMA (A3 Ultra, A4): multi-networking with a gVNIC network and one RDMA
# network per ConnectX NIC, NCCL_NET=gIB, the gIB plugin from /home/kubernetes/bin/gib mounted at
# /usr/local/gib (NVIDIA AI Cluster Runtime, "GKE GB200 (A4X) Networking Prerequisites",
# https://docs.nvidia.com/aicr/integrator-guide/gke-gb-200-networking.md, after Google's A3 Ultra guide).
# The host volumes follow Google's published workload specs (GoogleCloudPlatform/container-engine-accelerators
# @992db812: gpudirect-tcpxo/nccl-test-latest.yaml, gpudirect-rdma/nccl-test.yaml), mounted read-only where
# the GPUDirect admission policy's allow-list says so (components/k8s/gpudirect_policy.HOST_PATHS).
# (volume name, host path, mount path in the workload container)
GKE_HOST_LIBS = {
    "tcpxo": (("nvidia-lib", "/home/kubernetes/bin/nvidia/lib64", "/usr/local/nvidia/lib64"),
              ("aperture-devices", "/dev/aperture_devices", "/dev/aperture_devices")),
    "tcpx": (("nvidia-lib", "/home/kubernetes/bin/nvidia/lib64", "/usr/local/nvidia/lib64"),),
    "rdma": (("library-dir-host", "/home/kubernetes/bin/nvidia", "/usr/local/nvidia"),
             ("gib", "/home/kubernetes/bin/gib", "/usr/local/gib")),
}
# TCPXO's receive-datapath manager (RxDM) runs beside the workload as Google's `tcpxo-daemon` container
# (same spec): here a native sidecar (an init container with restartPolicy Always, Kubernetes 1.29+), so
# the Job completes when the trainer exits. It reads the host's /sys and /proc/sys, adds NET_ADMIN and
# NET_BIND_SERVICE, runs as root as in Google's spec, and gets the GPU devices through the NRI device
# injector's annotation.
TCPXO_SIDECAR_VOLUMES = (("sys", "/sys", "/hostsysfs"), ("proc-sys", "/proc/sys", "/hostprocsysfs"))
TCPXO_DEVICES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/dmabuf_import_helper")
GKE_NIC_ENV = {
    "tcpxo": {"NCCL_LIB_DIR": "/usr/local/nvidia/lib64", "LD_LIBRARY_PATH": "/usr/local/nvidia/lib64"},
    "tcpx": {"NCCL_LIB_DIR": "/usr/local/nvidia/lib64", "LD_LIBRARY_PATH": "/usr/local/nvidia/lib64"},
    "rdma": {"NCCL_NET": "gIB", "LD_LIBRARY_PATH": "/usr/local/gib/lib64:/usr/local/nvidia/lib64"},
}


@dataclass(frozen=True)
class PoolShape:
    """What a golden workload needs to know about one pool: the catalog's figures and its placement."""

    name: str
    purpose: str
    gpu_resource: str
    gpus_per_node: int
    max_nodes: int
    node_labels: Mapping[str, str]
    tolerations: tuple[Mapping[str, str], ...]
    vcpu: int | None = None            # None: not in the catalog (a brought server)
    memory_gib: float | None = None
    efa_devices: int = 0               # EFA devices per node the pod requests
    efa_rdma: bool = False
    gpu_nic_flavour: str = "none"      # GKE: tcpx / tcpxo / rdma
    gpu_networks: tuple[str, ...] = ()  # GKE Network objects of the pool's GPU NICs, in NIC order


@dataclass(frozen=True)
class GoldenWorkload:
    name: str
    team: str
    namespace: str
    pool: str
    kind: Literal["training", "inference"]
    nodes: int
    manifests: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def yaml(self) -> str:
        return yaml.safe_dump_all(list(self.manifests), sort_keys=False)


def _gke_networks(config: LandingZoneConfig, pool: GpuPool, machine: GcpMachineType) -> tuple[str, ...]:
    """The GKE Network names of the pool's GPU NICs, as the GCP landing zone names them."""
    zones = list(config.network.zones or [])
    zone = pool_zone(pool, machine, zones) if zones else (pool.capacity.zone or pool.zone)
    try:
        layout = gpu_nic_layout(machine, pool=pool.name, project=config.gcp_project or "", zone=zone,
                                base_cidr=config.network.gpu_nic_cidr)
    except ValueError:
        return ()  # config validation reports it; the journey's interconnect step shows the gap
    return tuple(s.k8s_network for s in layout.subnets)


def pool_shape(config: LandingZoneConfig, pool: GpuPool, handle: GpuPoolHandle) -> PoolShape:
    cloud = config.cloud.value
    tolerations = [{"key": handle.resource_name, "operator": "Exists", "effect": "NoSchedule"}]
    tolerations += [t for t in q.pool_tolerations(pool)[1:] if t not in tolerations]
    base = dict(name=pool.name, purpose=pool.purpose, gpu_resource=handle.resource_name,
                gpus_per_node=handle.gpus_per_node, max_nodes=handle.max_nodes,
                node_labels=dict(handle.node_labels), tolerations=tuple(tolerations))
    if cloud in ("aws", "eks", "byo"):
        try:
            aws = aws_instance_type(pool.instance_type)
        except UnknownTypeError:
            aws = None
        if aws is not None:
            efa = aws.network.max_efa_interfaces if handle.efa else 0
            return PoolShape(**base, vcpu=aws.vcpu, memory_gib=aws.memory_gib, efa_devices=efa,
                             efa_rdma=bool(efa) and pool.instance_type.startswith(EFA_RDMA_FAMILIES))
    if cloud in ("gcp", "gke", "byo"):
        try:
            gcp = gcp_machine_type(pool.instance_type)
        except UnknownTypeError:
            gcp = None
        if gcp is not None:
            flavour = gcp.gpu_nics.flavour if cloud != "byo" else "none"
            networks = _gke_networks(config, pool, gcp) if flavour != "none" else ()
            return PoolShape(**base, vcpu=gcp.vcpu, memory_gib=gcp.memory_gib, gpu_nic_flavour=flavour,
                             gpu_networks=networks)
    return PoolShape(**base)


def job_nodes(team: Team, shape: PoolShape) -> int:
    """Nodes of the training job: what the team's quota (nominal + borrowing) fills, capped by the
    pool's size, and at least 2 where the pool can grow to 2 (a multi-node job is the promise)."""
    allowed = (team.gpu_quota.get(shape.name, 0) + q.borrowing(team)) // shape.gpus_per_node
    return max(min(allowed, shape.max_nodes), min(2, shape.max_nodes))


def _node_share(shape: PoolShape) -> dict[str, str]:
    if shape.vcpu is None or shape.memory_gib is None:
        return {}
    num, den = NODE_SHARE
    return {"cpu": str(shape.vcpu * num // den), "memory": f"{int(shape.memory_gib * num // den)}Gi"}


def pod_resources(shape: PoolShape) -> dict[str, Any]:
    requests = {**_node_share(shape), shape.gpu_resource: str(shape.gpus_per_node)}
    if shape.efa_devices:
        requests[EFA_RESOURCE] = str(shape.efa_devices)
    # Extended resources must have limits equal to requests; CPU and memory limits equal requests too
    # (Guaranteed QoS: a training pod is not the first to be evicted under memory pressure).
    return {"requests": dict(requests), "limits": dict(requests)}


def restricted_security() -> tuple[dict[str, Any], dict[str, Any]]:
    """Pod Security `restricted` (https://kubernetes.io/docs/concepts/security/pod-security-standards/)."""
    pod = {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000,
           "seccompProfile": {"type": "RuntimeDefault"}}
    container = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    return pod, container


def _image(config: LandingZoneConfig, kind: str) -> dict[str, str]:
    images = config.kubernetes.golden_images
    ref = images.training if kind == "training" else images.inference
    return {"image": ref} if ref else {}


def _journey(config: LandingZoneConfig, team: Team, shape: PoolShape, kind: str, nodes: int) -> str:
    """What the journey checks read: the object-store paths the workload uses (the cloud stacks' tiered
    buckets; a brought cluster has no object tier in the plan)."""
    store = config.cloud.value != "byo"
    return json.dumps({
        "team": team.name, "pool": shape.name, "purpose": shape.purpose, "kind": kind, "nodes": nodes,
        "serviceAccount": team_service_account(team.name),
        "reads": [{"tier": READS, "prefix": f"{team.name}/"}] if store else [],
        "writes": [{"tier": WRITES, "prefix": f"{team.name}/"}] if store and kind == "training" else [],
    }, sort_keys=True)


def _read_only(host_path: str) -> bool:
    """Mount a GPUDirect host path read-only unless the admission policy's allow-list grants write."""
    grants = [g for g in HOST_PATHS if g.path == host_path]
    return not grants or any(g.read_only for g in grants)


def tcpxo_sidecar(config: LandingZoneConfig, gpus: int) -> tuple[dict[str, Any], list[dict], dict[str, str]]:
    """(init container, its extra volumes, pod annotations) of Google's tcpxo-daemon, as a native sidecar."""
    [grant] = [s for s in SIDECARS if s.flavour == "tcpxo"]
    container = {
        "name": grant.name, "image": config.kubernetes.gpudirect.images.tcpxo_daemon,
        "restartPolicy": "Always",
        "command": ["/bin/sh", "-c"],
        "args": ["set -ex\nchmod 755 /fts/entrypoint_rxdm_container.sh\n"
                 "/fts/entrypoint_rxdm_container.sh --num_hops=2"],
        "securityContext": {"runAsUser": 0, "runAsNonRoot": False,
                            "capabilities": {"add": list(grant.add_capabilities)}},
        "env": [{"name": "LD_LIBRARY_PATH", "value": "/usr/local/nvidia/lib64"}],
        "volumeMounts": [{"name": "nvidia-lib", "mountPath": "/usr/local/nvidia/lib64", "readOnly": True},
                         *({"name": n, "mountPath": m} for n, _, m in TCPXO_SIDECAR_VOLUMES)],
    }
    volumes = [{"name": n, "hostPath": {"path": h}} for n, h, _ in TCPXO_SIDECAR_VOLUMES]
    devices = [*(f"/dev/nvidia{i}" for i in range(gpus)), *TCPXO_DEVICES]
    annotations = {f"devices.gke.io/container.{grant.name}": "".join(f"- path: {d}\n" for d in devices)}
    return container, volumes, annotations


def _nic_pod_parts(shape: PoolShape) -> tuple[dict[str, str], list[dict], list[dict], dict[str, str]]:
    """(pod annotations, volumes, container mounts, env) for the pool's high-bandwidth NICs."""
    annotations: dict[str, str] = {}
    volumes: list[dict] = [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]
    mounts: list[dict] = [{"name": "dshm", "mountPath": "/dev/shm"}]
    env: dict[str, str] = {}
    if shape.efa_devices:
        env.update(EFA_ENV)
        if shape.efa_rdma:
            env["FI_EFA_USE_DEVICE_RDMA"] = "1"
    flavour = shape.gpu_nic_flavour
    if flavour in GKE_HOST_LIBS:
        networks = shape.gpu_networks
        annotations["networking.gke.io/default-interface"] = "eth0"
        annotations["networking.gke.io/interfaces"] = json.dumps(
            [{"interfaceName": "eth0", "network": "default"},
             *({"interfaceName": f"eth{i + 1}", "network": n} for i, n in enumerate(networks))])
        for name, host, path in GKE_HOST_LIBS[flavour]:
            volumes.append({"name": name, "hostPath": {"path": host}})
            mounts.append({"name": name, "mountPath": path, **({"readOnly": True} if _read_only(host) else {})})
        env.update(GKE_NIC_ENV[flavour])
    return annotations, volumes, mounts, env


def interconnect_pod_parts(config: LandingZoneConfig, shape: PoolShape
                           ) -> tuple[dict[str, str], list[dict], list[dict], dict[str, str], list[dict[str, Any]]]:
    """(pod annotations, volumes, container mounts, env, native sidecars) that attach a multi-node GPU pod
    to the pool's high-bandwidth NICs: EFA env, GKE multi-networking and NCCL plugin mounts, TCPXO's RxDM.
    The golden training job and the acceptance NCCL test (components/workloads/acceptance.py) share it."""
    annotations, volumes, mounts, env = _nic_pod_parts(shape)
    sidecars: list[dict[str, Any]] = []
    if shape.gpu_nic_flavour == "tcpxo":
        sidecar, sidecar_volumes, sidecar_annotations = tcpxo_sidecar(config, shape.gpus_per_node)
        sidecars.append(sidecar)
        volumes.extend(sidecar_volumes)
        annotations.update(sidecar_annotations)
    return annotations, volumes, mounts, env, sidecars


def training_job(config: LandingZoneConfig, team: Team, shape: PoolShape,
                 shared_claims: Sequence[str] = ()) -> GoldenWorkload:
    ns = team_namespace(team.name)
    name = f"{shape.name}-train"
    nodes = job_nodes(team, shape)
    labels = {**team_labels(config, team), GOLDEN_LABEL: name}
    pod_security, container_security = restricted_security()
    annotations, volumes, mounts, nic_env, sidecars = interconnect_pod_parts(config, shape)
    # The shared file systems the platform gives the namespace (e.g. Lustre linked to the datasets
    # bucket), mounted as the platform offers them.
    for claim in shared_claims:
        volumes.append({"name": f"shared-{claim}", "persistentVolumeClaim": {"claimName": claim}})
        mounts.append({"name": f"shared-{claim}", "mountPath": f"/mnt/{claim}"})
    env = {
        "DATASETS_PREFIX": f"{team.name}/", "CHECKPOINTS_PREFIX": f"{team.name}/",
        "NNODES": str(nodes), "NPROC_PER_NODE": str(shape.gpus_per_node),
        "MASTER_ADDR": f"{name}-0.{name}.{ns}.svc", "MASTER_PORT": str(RENDEZVOUS_PORT), **nic_env,
    }
    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns, "labels": labels},
        # Headless: each indexed pod gets <job>-<index>.<service> DNS for rendezvous.
        "spec": {"clusterIP": "None", "selector": {"job-name": name},
                 "ports": [{"name": "rendezvous", "port": RENDEZVOUS_PORT, "protocol": "TCP"}]},
    }
    job = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": ns,
                     "labels": {**labels, KUEUE_QUEUE_LABEL: q.LOCAL_QUEUE, KUEUE_PRIORITY_LABEL: "training"},
                     "annotations": {JOURNEY_ANNOTATION: _journey(config, team, shape, "training", nodes)}},
        "spec": {
            "suspend": True,                       # Kueue unsuspends it when the whole gang is admitted
            "completionMode": "Indexed", "completions": nodes, "parallelism": nodes,
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": dict(labels), **({"annotations": annotations} if annotations else {})},
                "spec": {
                    "subdomain": name,
                    "restartPolicy": "Never",
                    "serviceAccountName": team_service_account(team.name),
                    "automountServiceAccountToken": False,
                    "priorityClassName": "training",
                    "securityContext": pod_security,
                    "nodeSelector": dict(shape.node_labels),
                    "tolerations": [dict(t) for t in shape.tolerations],
                    "volumes": volumes,
                    **({"initContainers": sidecars} if sidecars else {}),
                    "containers": [{
                        "name": "trainer", **_image(config, "training"),
                        "command": ["torchrun"],
                        "args": ["--nnodes", str(nodes), "--nproc-per-node", str(shape.gpus_per_node),
                                 "--node-rank", "$(JOB_COMPLETION_INDEX)",
                                 "--master-addr", "$(MASTER_ADDR)", "--master-port", "$(MASTER_PORT)",
                                 "train.py"],
                        "env": [{"name": k, "value": v} for k, v in env.items()],
                        "ports": [{"containerPort": RENDEZVOUS_PORT, "protocol": "TCP"}],
                        "resources": pod_resources(shape),
                        "securityContext": container_security,
                        "volumeMounts": mounts,
                    }],
                },
            },
        },
    }
    return GoldenWorkload(name=name, team=team.name, namespace=ns, pool=shape.name, kind="training",
                          nodes=nodes, manifests=(service, job))


def inference_deployment(config: LandingZoneConfig, team: Team, shape: PoolShape) -> GoldenWorkload:
    ns = team_namespace(team.name)
    name = f"{shape.name}-serve"
    labels = {**team_labels(config, team), GOLDEN_LABEL: name}
    pod_security, container_security = restricted_security()
    resources = pod_resources(PoolShape(**{**shape.__dict__, "efa_devices": 0}))
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns,
                     "labels": {**labels, KUEUE_QUEUE_LABEL: q.LOCAL_QUEUE, KUEUE_PRIORITY_LABEL: "inference"},
                     "annotations": {JOURNEY_ANNOTATION: _journey(config, team, shape, "inference", 1)}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {GOLDEN_LABEL: name}},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "serviceAccountName": team_service_account(team.name),
                    "automountServiceAccountToken": False,
                    "priorityClassName": "inference",
                    "securityContext": pod_security,
                    "nodeSelector": dict(shape.node_labels),
                    "tolerations": [dict(t) for t in shape.tolerations],
                    "containers": [{
                        "name": "server", **_image(config, "inference"),
                        "env": [{"name": "MODEL_PREFIX", "value": f"{team.name}/"}],
                        "ports": [{"containerPort": SERVE_PORT, "protocol": "TCP"}],
                        "resources": resources,
                        "securityContext": container_security,
                    }],
                },
            },
        },
    }
    return GoldenWorkload(name=name, team=team.name, namespace=ns, pool=shape.name, kind="inference",
                          nodes=1, manifests=(deployment,))


def golden_workloads(config: LandingZoneConfig, handles: Sequence[GpuPoolHandle],
                     shared_claims: Sequence[str] = ()) -> list[GoldenWorkload]:
    """Every golden workload of the stack, per team and pool it has quota in. `shared_claims`: the
    PVCs every team namespace gets for the shared file systems (components/k8s/volumes.py)."""
    pools = {p.name: p for p in config.gpu_pools}
    out: list[GoldenWorkload] = []
    for team in config.teams:
        for handle in q.team_pools(team, handles):
            pool = pools.get(handle.name)
            if pool is None:
                continue
            shape = pool_shape(config, pool, handle)
            out.append(training_job(config, team, shape, shared_claims))
            if pool.purpose == "inference":
                out.append(inference_deployment(config, team, shape))
    return out


def configmap_data(workloads: Sequence[GoldenWorkload]) -> dict[str, str]:
    """The ConfigMap's data: one `<workload>.yaml` key per workload."""
    return {f"{w.name}.yaml": w.yaml() for w in workloads}
