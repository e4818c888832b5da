"""EKS cluster API endpoints are private in prod, and CIDR-restricted at most elsewhere.

`vpcConfig.endpointPublicAccess` defaults to true and `publicAccessCidrs` to 0.0.0.0/0, so an
unset value is public to the internet. Outside prod a public endpoint limited to listed CIDRs
(the config's `network.apiAllowedCidrs`) is accepted; in prod, and when the environment is not
known, only a private endpoint passes (Security Hub EKS.1 fails any public endpoint).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EKS_CLUSTER

OPEN = {"0.0.0.0/0", "::/0"}


def check(r: ResourceView):
    if r.get("vpcConfig", "endpointPublicAccess", default=True) is False:
        return Compliant()
    cidrs = r.strings("vpcConfig", "publicAccessCidrs") or ["0.0.0.0/0"]
    environment = r.environment
    if environment in ("dev", "staging") and not set(cidrs) & OPEN:
        return Compliant()
    if set(cidrs) & OPEN:
        return NonCompliant(f"{r.title} exposes its Kubernetes API endpoint to the internet ({', '.join(cidrs)}); set "
                            "vpc_config.endpoint_public_access=False with endpoint_private_access=True (outside prod, "
                            "at least restrict public_access_cidrs to your office or VPN ranges).")
    return NonCompliant(f"{r.title} has a public Kubernetes API endpoint in {environment or 'an unknown environment'} "
                        f"(restricted to {', '.join(cidrs)}); in prod set vpc_config.endpoint_public_access=False and "
                        "reach the API through the VPC or a VPN.")


RULE = ResourceRule(
    name="eks-endpoint-not-public",
    description="EKS API endpoints are private in prod and never open to 0.0.0.0/0 or ::/0.",
    resource_types=EKS_CLUSTER,
    controls=("FSBP EKS.1", "CKV_AWS_38", "CKV_AWS_39", "CIS-EKS-1.7 5.4.1",
              "pulumi aws-eks-cluster-disallow-api-endpoint-public-access"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
