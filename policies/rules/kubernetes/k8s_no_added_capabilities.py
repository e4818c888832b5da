"""Containers add no Linux capability beyond NET_BIND_SERVICE (the one the restricted Pod Security
Standard allows). Platform node agents are exempt by lzpolicy.workloads.HOST_AGENTS.
Source: Pod Security Standards, restricted "Capabilities" (add: only NET_BIND_SERVICE).
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import WORKLOAD_TYPES, containers, judge

ALLOWED = frozenset({"NET_BIND_SERVICE"})


def findings(pod):
    out = []
    for c in containers(pod):
        added = [cap for cap in wire.strings(c.container, "securityContext", "capabilities", "add")
                 if cap.upper() not in ALLOWED]
        if added:
            out.append(f"{c.where} adds {', '.join(added)}")
    return out


def check(r: ResourceView):
    return judge(r, findings, f"add no capability beyond {', '.join(sorted(ALLOWED))} (drop ALL).", host_access=True)


RULE = ResourceRule(
    name="k8s-no-added-capabilities",
    description="Workload containers add no capability beyond NET_BIND_SERVICE.",
    resource_types=WORKLOAD_TYPES,
    controls=("PSS restricted: Capabilities", "CIS Kubernetes 1.24 5.2.9"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
