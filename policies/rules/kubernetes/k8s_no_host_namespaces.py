"""No workload shares the node's network, process or IPC namespace (`hostNetwork`, `hostPID`,
`hostIPC`). Platform node agents are exempt by lzpolicy.workloads.HOST_AGENTS; Helm Releases are
judged at the cluster by Pod Security admission (see k8s-no-privileged-containers).
Source: Pod Security Standards, baseline "Host Namespaces".
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import WORKLOAD_TYPES, judge

FIELDS = ("hostNetwork", "hostPID", "hostIPC")


def findings(pod):
    shared = [f for f in FIELDS if wire.truthy(wire.dig(pod.spec, f))]
    return [f"{pod.where} sets {', '.join(f'{f}: true' for f in shared)}"] if shared else []


def check(r: ResourceView):
    return judge(r, findings, "remove them (use a Service or a NetworkPolicy-governed port instead of the host's "
                 "network).", host_access=True)


RULE = ResourceRule(
    name="k8s-no-host-namespaces",
    description="Workloads do not use hostNetwork, hostPID or hostIPC.",
    resource_types=WORKLOAD_TYPES,
    controls=("PSS baseline: Host Namespaces", "CIS Kubernetes 1.24 5.2.3", "CIS Kubernetes 1.24 5.2.4",
              "CIS Kubernetes 1.24 5.2.5", "NSA-CISA Kubernetes Hardening: pod security"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
