"""EKS clusters authenticate through access entries (`API` or `API_AND_CONFIG_MAP`), not only the
aws-auth ConfigMap: access entries are managed through the EKS API, audited in CloudTrail and
cannot be broken by an edit inside the cluster."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EKS_CLUSTER


def check(r: ResourceView):
    mode = r.get("accessConfig", "authenticationMode", default="CONFIG_MAP")
    if mode not in ("API", "API_AND_CONFIG_MAP"):
        return NonCompliant(f"{r.title} authenticates only through the aws-auth ConfigMap ({mode}); set "
                            "access_config.authentication_mode to 'API' and grant access with access entries.")
    return Compliant()


RULE = ResourceRule(
    name="eks-access-entries",
    description="EKS clusters use access entries for authentication (authenticationMode API or API_AND_CONFIG_MAP).",
    resource_types=EKS_CLUSTER,
    controls=("EKS Best Practices: cluster access manager (access entries)",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
