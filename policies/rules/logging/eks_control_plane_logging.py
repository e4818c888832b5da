"""EKS clusters send the control-plane log types to CloudWatch: api, audit, authenticator,
controllerManager and scheduler by default (`requiredLogTypes`)."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EKS_CLUSTER

ALL_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def check(r: ResourceView):
    required = r.config.get("requiredLogTypes") or ALL_TYPES
    enabled = set(r.strings("enabledClusterLogTypes"))
    missing = [t for t in required if t not in enabled]
    if missing:
        return NonCompliant(f"{r.title} does not log {', '.join(missing)}; add them to enabled_cluster_log_types.")
    return Compliant()


RULE = ResourceRule(
    name="eks-control-plane-logging",
    description="EKS clusters enable control-plane logging (audit at least).",
    resource_types=EKS_CLUSTER,
    controls=("FSBP EKS.8", "CKV_AWS_37", "CIS-EKS-1.7 2.1.1"),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={"requiredLogTypes": {
        "type": "array", "items": {"type": "string", "enum": ALL_TYPES}, "default": ALL_TYPES,
        "description": "Control-plane log types every cluster must enable."}},
    check=check,
)
