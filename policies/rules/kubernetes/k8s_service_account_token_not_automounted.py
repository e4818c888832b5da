"""ServiceAccounts do not mount an API token into every pod by default.

Team workloads reach the cloud through IRSA or Workload Identity, which do not use the Kubernetes API
token; a pod that needs the API opts in with `automountServiceAccountToken: true` on its own spec.
ServiceAccounts in system namespaces (`exemptNamespaces`) are not judged: their controllers need tokens.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.k8s import SYSTEM_NAMESPACES
from lzpolicy.types import K8S_SERVICE_ACCOUNT

from components.names import GPU_OPERATOR_NAMESPACE, KUEUE_NAMESPACE

DEFAULT_EXEMPT = [*SYSTEM_NAMESPACES, GPU_OPERATOR_NAMESPACE, KUEUE_NAMESPACE]


def check(r: ResourceView):
    namespace = r.known("metadata", "namespace")
    if namespace in (r.config.get("exemptNamespaces") or DEFAULT_EXEMPT):
        return NotApplicable(f"namespace {namespace} is exempt")
    if r.flag("automountServiceAccountToken") is False:
        return Compliant()
    return NonCompliant(
        f"{r.title} mounts its API token into every pod that uses it; set automountServiceAccountToken: false "
        "and let the pods that need the Kubernetes API opt in on their own spec.")


RULE = ResourceRule(
    name="k8s-service-account-token-not-automounted",
    description="ServiceAccounts outside system namespaces set automountServiceAccountToken: false.",
    resource_types=K8S_SERVICE_ACCOUNT,
    controls=("CKV_K8S_38", "CIS-Kubernetes 5.1.6", "NSA/CISA Kubernetes hardening: service account tokens"),
    enforcement_level="advisory",
    severity="low",
    config_properties={"exemptNamespaces": {"type": "array", "items": {"type": "string"},
                                            "default": DEFAULT_EXEMPT}},
    check=check,
)
