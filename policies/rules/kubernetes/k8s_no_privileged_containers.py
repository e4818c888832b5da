"""No container of a workload runs privileged (`securityContext.privileged: true`) or as a Windows
HostProcess container: either gives the container the host's devices and kernel.

Judges init, regular and ephemeral containers of every pod template (lzpolicy.workloads). The
platform's own node agents (GPU operator, EFA device plugin, GPUDirect installers) are exempt by the
allow-list in lzpolicy.workloads.HOST_AGENTS. Helm Releases are not expanded: their pods are judged
at the cluster by Pod Security admission (namespaces enforce `restricted`; gpu-operator is `privileged`).
Source: Pod Security Standards, baseline "Privileged Containers" and "HostProcess"
(https://kubernetes.io/docs/concepts/security/pod-security-standards/).
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import WORKLOAD_TYPES, containers, judge


def findings(pod):
    out = []
    pod_host_process = wire.truthy(wire.dig(pod.spec, "securityContext", "windowsOptions", "hostProcess"))
    if pod_host_process:
        out.append(f"{pod.where} runs HostProcess containers")
    for c in containers(pod):
        if wire.truthy(wire.dig(c.container, "securityContext", "privileged")):
            out.append(f"{c.where} is privileged")
        if wire.truthy(wire.dig(c.container, "securityContext", "windowsOptions", "hostProcess")):
            out.append(f"{c.where} is a HostProcess container")
    return out


def check(r: ResourceView):
    return judge(r, findings, "remove `privileged: true` and grant the one capability or device the container needs.",
                 host_access=True)


RULE = ResourceRule(
    name="k8s-no-privileged-containers",
    description="Workload containers (init and ephemeral included) are not privileged or HostProcess.",
    resource_types=WORKLOAD_TYPES,
    controls=("PSS baseline: Privileged Containers", "PSS baseline: HostProcess", "CIS Kubernetes 1.24 5.2.2",
              "CIS Kubernetes 1.24 5.2.11", "NSA-CISA Kubernetes Hardening: pod security"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
