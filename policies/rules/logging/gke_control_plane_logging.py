"""GKE clusters send system and API-server logs to Cloud Logging (`loggingConfig.enableComponents`,
`requiredComponents`) and do not turn logging off (`loggingService` "none")."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GKE_CLUSTER

COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]
DEFAULT = ["SYSTEM_COMPONENTS", "APISERVER"]


def check(r: ResourceView):
    if r.get("loggingService") == "none":
        return NonCompliant(f"{r.title} turns Cloud Logging off (logging_service 'none'); remove the setting or use "
                            "'logging.googleapis.com/kubernetes'.")
    required = r.config.get("requiredComponents") or DEFAULT
    enabled = set(r.strings("loggingConfig", "enableComponents"))
    if not r.is_set("loggingConfig", "enableComponents"):
        enabled = {"SYSTEM_COMPONENTS", "WORKLOADS"}  # GKE's default when logging_config is not set
    missing = [c for c in required if c not in enabled]
    if missing:
        return NonCompliant(f"{r.title} does not send {', '.join(missing)} logs to Cloud Logging; add them to "
                            "logging_config.enable_components.")
    return Compliant()


RULE = ResourceRule(
    name="gke-control-plane-logging",
    description="GKE clusters log system components and the API server to Cloud Logging.",
    resource_types=GKE_CLUSTER,
    controls=("CKV_GCP_1", "CIS-GKE-1.6 5.7.1", "trivy GCP-0060"),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={"requiredComponents": {
        "type": "array", "items": {"type": "string", "enum": COMPONENTS}, "default": DEFAULT,
        "description": "loggingConfig components every GKE cluster must enable."}},
    check=check,
)
