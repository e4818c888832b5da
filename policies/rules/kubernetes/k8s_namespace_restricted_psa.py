"""Namespaces enforce the `restricted` Pod Security Standard through Pod Security admission
(`pod-security.kubernetes.io/enforce: restricted`).

Namespaces listed in `privilegedNamespaces` are not judged: node agents such as the NVIDIA GPU
operator load kernel modules and mount host paths, which only `privileged` admits.

A GKE GPUDirect team namespace (label GPUDIRECT_LABEL, components/k8s/gpudirect_policy.py) may enforce
`privileged` when it audits and warns at `restricted`: a ValidatingAdmissionPolicy enforces restricted
there except the vendor's allow-listed host access (docs/gpudirect-gke.md). That the policy and its
binding exist and select the namespace is a stack-level fact, judged by k8s-gpudirect-namespace-guarded.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.k8s import SYSTEM_NAMESPACES, exempt, namespace_name
from lzpolicy.types import K8S_NAMESPACE

from components.k8s.gpudirect_policy import GPUDIRECT_LABEL
from components.names import GPU_OPERATOR_NAMESPACE

PSS = "pod-security.kubernetes.io"
LABEL = f"{PSS}/enforce"
DEFAULT_PRIVILEGED = [*SYSTEM_NAMESPACES, GPU_OPERATOR_NAMESPACE]


def gpudirect_shape(r: ResourceView) -> bool:
    """A GPUDirect namespace: labelled, enforce privileged, audit and warn restricted."""
    labels = r.get("metadata", "labels", default={}) or {}
    return (bool(labels.get(GPUDIRECT_LABEL)) and labels.get(LABEL) == "privileged"
            and labels.get(f"{PSS}/audit") == "restricted" and labels.get(f"{PSS}/warn") == "restricted")


def check(r: ResourceView):
    privileged = list(r.config.get("privilegedNamespaces") or DEFAULT_PRIVILEGED)
    if exempt(r, privileged):
        return NotApplicable(f"namespace {namespace_name(r)} is listed in privilegedNamespaces")
    level = r.get("metadata", "labels", LABEL)
    if gpudirect_shape(r):
        return Compliant()
    if level != "restricted":
        return NonCompliant(f"{r.title} enforces Pod Security level {level or 'none'}; label it "
                            f"{LABEL}=restricted (and audit/warn the same), or list it in privilegedNamespaces if "
                            f"it runs node agents (a GPUDirect namespace: labelled {GPUDIRECT_LABEL}, audit/warn "
                            "restricted).")
    return Compliant()


RULE = ResourceRule(
    name="k8s-namespace-restricted-psa",
    description="Namespaces enforce the restricted Pod Security Standard (except listed privileged namespaces).",
    resource_types=K8S_NAMESPACE,
    controls=("PSS restricted", "CIS-EKS-1.7 4.2", "NSA-CISA Kubernetes Hardening: pod security"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"privilegedNamespaces": {
        "type": "array", "items": {"type": "string"}, "default": DEFAULT_PRIVILEGED,
        "description": "Namespaces allowed to run privileged node agents."}},
    check=check,
)
