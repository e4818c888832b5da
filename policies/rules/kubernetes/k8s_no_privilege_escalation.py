"""Every container sets `securityContext.allowPrivilegeEscalation: false` (unset means allowed:
setuid binaries can gain privileges). Platform node agents are exempt by
lzpolicy.workloads.HOST_AGENTS. Source: Pod Security Standards, restricted "Privilege Escalation".
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import WORKLOAD_TYPES, containers, judge


def findings(pod):
    return [f"{c.where} does not set allowPrivilegeEscalation: false" for c in containers(pod)
            if wire.truthy(wire.dig(c.container, "securityContext", "allowPrivilegeEscalation")) is not False]


def check(r: ResourceView):
    return judge(r, findings, "set securityContext.allowPrivilegeEscalation: false on each container.",
                 host_access=True)


RULE = ResourceRule(
    name="k8s-no-privilege-escalation",
    description="Workload containers set allowPrivilegeEscalation: false.",
    resource_types=WORKLOAD_TYPES,
    controls=("PSS restricted: Privilege Escalation", "CIS Kubernetes 1.24 5.2.6",
              "NSA-CISA Kubernetes Hardening: pod security"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
