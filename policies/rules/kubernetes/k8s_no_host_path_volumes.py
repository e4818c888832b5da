"""No workload mounts a hostPath volume (a directory of the node). Platform node agents are exempt by
lzpolicy.workloads.HOST_AGENTS; Helm Releases are judged at the cluster by Pod Security admission.
Source: Pod Security Standards, baseline "HostPath Volumes".
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import WORKLOAD_TYPES, judge


def findings(pod):
    out = []
    for i, volume in enumerate(wire.items(pod.spec, "volumes")):
        if isinstance(volume, dict) and wire.is_set(volume, "hostPath"):
            path = wire.known(volume, "hostPath", "path") or "?"
            out.append(f"{pod.where}.volumes[{i}] '{volume.get('name')}' mounts the node's {path}")
    return out


def check(r: ResourceView):
    return judge(r, findings, "use a PersistentVolumeClaim, an emptyDir or a CSI volume instead.", host_access=True)


RULE = ResourceRule(
    name="k8s-no-host-path-volumes",
    description="Workloads do not mount hostPath volumes.",
    resource_types=WORKLOAD_TYPES,
    controls=("PSS baseline: HostPath Volumes", "CIS Kubernetes 1.24 5.2.12",
              "NSA-CISA Kubernetes Hardening: pod security"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
