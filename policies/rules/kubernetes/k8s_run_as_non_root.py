"""Workloads run as a non-root user: `runAsNonRoot: true` on the pod or on every container (a
container's value overrides the pod's), and no `runAsUser: 0`. Platform node agents are exempt by
lzpolicy.workloads.HOST_AGENTS. Source: Pod Security Standards, restricted "Running as Non-root" and
"Running as Non-root user".
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import WORKLOAD_TYPES, containers, judge, security_context


def findings(pod):
    out = []
    for c in containers(pod):
        if wire.number(security_context(c, pod, "runAsUser")) == 0:
            out.append(f"{c.where} runs as user 0 (root)")
        elif wire.truthy(security_context(c, pod, "runAsNonRoot")) is not True:
            out.append(f"{c.where} does not set runAsNonRoot: true")
    return out


def check(r: ResourceView):
    return judge(r, findings, "set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod.",
                 host_access=True)


RULE = ResourceRule(
    name="k8s-run-as-non-root",
    description="Workload containers run as non-root (runAsNonRoot: true, runAsUser not 0).",
    resource_types=WORKLOAD_TYPES,
    controls=("PSS restricted: Running as Non-root", "PSS restricted: Running as Non-root user",
              "CIS Kubernetes 1.24 5.2.7", "NSA-CISA Kubernetes Hardening: non-root containers"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
