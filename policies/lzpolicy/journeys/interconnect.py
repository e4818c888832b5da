"""Step 6, interconnect: the pods request the catalog's high-bandwidth NIC devices (EFA, GKE GPU NIC
networks) and the node pool attaches them."""

from __future__ import annotations

import json

from components.workloads.names import EFA_RESOURCE

from ..efa import efa_interfaces, launch_template_of, node_group_instance_types
from ..gpu import aws_type, gcp_type
from ..rule import StackView
from ..types import NODE_GROUP
from .model import (
    GKE_NETWORK,
    K8S_DAEMONSET,
    OPAQUE_MANIFESTS,
    Step,
    Workload,
    releases,
)
from .placed import pool_for, tolerates


def step_interconnect(view: StackView, w: Workload) -> Step:
    pool = pool_for(view, w)
    if pool is None or pool.view is None:
        return Step("interconnect", True, "no cloud node pool in the plan: no catalogued NICs to attach")
    requests = w.requests()
    if pool.view.type in NODE_GROUP:
        types = node_group_instance_types(view, pool.view)
        catalogued = aws_type(types[0]) if types else None
        if catalogued is None:
            return Step("interconnect", None, f"instance type {types[:1]} is not in the catalog")
        lt = launch_template_of(view, pool.view)
        attached = len(efa_interfaces(lt)) if lt is not None else 0
        # A training pool is promised every EFA device of its type; an inference pool may leave EFA off.
        training = w.journey.get("purpose") == "training"
        expected = catalogued.network.max_efa_interfaces if training or attached else 0
        asked = int(requests.get(EFA_RESOURCE, 0))
        if asked != expected:
            return Step("interconnect", False, f"the pods request {asked} {EFA_RESOURCE} devices; {types[0]} has "
                                               f"{expected} (catalog): NCCL runs on fewer NICs than the node has")
        if not expected:
            return Step("interconnect", True, f"no EFA on {types[0]} in this {w.journey.get('purpose')} pool; "
                                              f"none requested")
        if attached != expected:
            return Step("interconnect", False, f"node group '{pool.name}' attaches {attached} EFA interfaces, not "
                                               f"the {expected} of {types[0]}")
        if not releases(view, "aws-efa-k8s-device-plugin"):
            return Step("interconnect", False, f"no EFA device plugin is installed: nodes never advertise "
                                               f"{EFA_RESOURCE} and the pods stay Pending")
        return Step("interconnect", True, f"{expected} EFA devices per node requested, attached and advertised")
    machine = pool.view.known("nodeConfig", "machineType")
    catalogued = gcp_type(machine) if isinstance(machine, str) else None
    if catalogued is None:
        return Step("interconnect", None, f"machine type {machine!r} is not in the catalog")
    nics = catalogued.gpu_nics
    if nics.flavour == "none":
        return Step("interconnect", True, f"{machine} has no GPU NICs")
    raw = w.pod_annotations.get("networking.gke.io/interfaces")
    listed = [i.get("network") for i in (json.loads(raw) if isinstance(raw, str) else []) if isinstance(i, dict)]
    gpu_networks = [n for n in listed if n != "default"]
    expected = nics.extra_networks
    if len(gpu_networks) != expected:
        return Step("interconnect", False, f"the pods attach {len(gpu_networks)} extra networks; {machine} has "
                                           f"{expected} GPU NIC networks (catalog)")
    attached = len(pool.view.known("networkConfig", "additionalNodeNetworkConfigs", default=[]) or [])
    if attached < nics.extra_gvnic_networks + (1 if nics.rdma_network else 0):
        return Step("interconnect", False, f"node pool '{pool.name}' attaches {attached} additional node networks")
    present = {n.known("metadata", "name") for n in view.of_type(*GKE_NETWORK)}
    absent = [n for n in gpu_networks if n not in present]
    if absent:
        return Step("interconnect", False, f"no GKE Network objects {', '.join(absent)}: GKE multi-networking cannot "
                                           f"attach the GPU NICs to the pods")
    missing = _uninstalled_host_libraries(view, w, pool)
    if missing is None:
        return Step("interconnect", None, "the NCCL plugin comes from a manifest the plan does not expand "
                                          "(kubernetes:yaml ConfigFile / ConfigGroup); whether it reaches this pool's "
                                          "nodes is not known from the plan")
    if missing:
        return Step("interconnect", False, f"nothing in the plan installs the NCCL network plugin the pods load from "
                                           f"the host ({', '.join(missing)}): no DaemonSet that writes there runs on "
                                           f"pool '{pool.name}' (GPUDirect needs the vendor's NCCL installer)")
    return Step("interconnect", True, f"{len(gpu_networks)} GPU NIC networks requested and attached; the NCCL "
                                      f"plugin is installed on the pool's nodes")


def _host_paths(volumes: list) -> list[str]:
    return [v["hostPath"]["path"] for v in volumes or []
            if isinstance(v, dict) and isinstance(v.get("hostPath"), dict) and v["hostPath"].get("path")]


def _nested(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _uninstalled_host_libraries(view: StackView, w: Workload, pool) -> list[str] | None:
    """Host paths the pods mount (the NCCL plugin directory) that no DaemonSet running on the pool
    writes to; None when the plan holds manifests it does not expand, so the answer is not known."""
    # The host paths the workload's own containers load from (a vendor sidecar's /sys and /proc/sys
    # are the host's own, not something an installer writes).
    used = {m.get("name") for c in w.pod.get("containers") or [] for m in c.get("volumeMounts") or []}
    wanted = _host_paths([v for v in w.pod.get("volumes") or [] if isinstance(v, dict) and v.get("name") in used])
    if not wanted:
        return []
    missing = []
    for path in wanted:
        covered = False
        for ds in view.of_type(*K8S_DAEMONSET):
            spec = ds.known("spec", "template", "spec", default={}) or {}
            # The installer writes at, under or into a directory below the path the pods mount.
            if not any(_nested(path, p) or _nested(p, path) for p in _host_paths(spec.get("volumes"))):
                continue
            runs_here = all(pool.labels.get(k) == v for k, v in (spec.get("nodeSelector") or {}).items()) and all(
                tolerates(spec.get("tolerations") or [], t) for t in pool.taints
                if t.get("effect") in ("NoSchedule", "NoExecute"))
            if runs_here:
                covered = True
                break
        if not covered:
            missing.append(path)
    if missing and view.of_type(*OPAQUE_MANIFESTS):
        return None
    return missing
