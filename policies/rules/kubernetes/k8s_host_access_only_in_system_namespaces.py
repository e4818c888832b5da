"""DaemonSets whose pods reach into the node (privileged containers, host namespaces, hostPath volumes,
capabilities beyond NET_BIND_SERVICE) run only in the namespaces listed in `privilegedNamespaces`
(default: the system namespaces and gpu-operator, as k8s-namespace-restricted-psa), never in a team
namespace.

The landing zone's own node agents of that kind (the GKE GPUDirect NCCL installers and NRI device
injector, components/k8s/gpudirect_installers.py) run in kube-system. DaemonSets without host access
are not judged.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import K8S_DAEMONSET

from rules.kubernetes.k8s_namespace_restricted_psa import DEFAULT_PRIVILEGED


def host_access(pod: dict) -> list[str]:
    out = [key for key in ("hostNetwork", "hostPID", "hostIPC") if pod.get(key)]
    out += [f"hostPath volume {v.get('name')}" for v in pod.get("volumes") or []
            if isinstance(v, dict) and v.get("hostPath")]
    for c in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        sc = (c.get("securityContext") or {}) if isinstance(c, dict) else {}
        if sc.get("privileged"):
            out.append(f"privileged container {c.get('name')}")
        added = set((sc.get("capabilities") or {}).get("add") or []) - {"NET_BIND_SERVICE"}
        if added:
            out.append(f"container {c.get('name')} adds {', '.join(sorted(added))}")
    return out


def check(r: ResourceView):
    pod = r.known("spec", "template", "spec", default={}) or {}
    found = host_access(pod)
    if not found:
        return NotApplicable(f"{r.title} has no host access")
    allowed = list(r.config.get("privilegedNamespaces") or DEFAULT_PRIVILEGED)
    namespace = r.known("metadata", "namespace")
    if namespace in allowed:
        return Compliant()
    return NonCompliant(f"{r.title} runs pods with host access ({'; '.join(found[:4])}) in namespace "
                        f"{namespace or 'default (unset)'}; move the node agent to one of {', '.join(allowed)} "
                        "(privilegedNamespaces), or remove its host access.")


RULE = ResourceRule(
    name="k8s-host-access-only-in-system-namespaces",
    description="DaemonSets with host access (privileged, host namespaces, hostPath) run only in privileged "
                "system namespaces.",
    resource_types=K8S_DAEMONSET,
    controls=("PSS baseline", "NSA-CISA Kubernetes Hardening: pod security", "CIS-EKS-1.7 4.2"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"privilegedNamespaces": {
        "type": "array", "items": {"type": "string"}, "default": DEFAULT_PRIVILEGED,
        "description": "Namespaces allowed to run node agents with host access."}},
    check=check,
)
