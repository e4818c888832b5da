"""Subnets do not hand out public IPs on launch (`mapPublicIpOnLaunch`): NAT gateways and load
balancers in public subnets get their addresses explicitly, nodes need none."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SUBNET


def check(r: ResourceView):
    if r.flag("mapPublicIpOnLaunch") is True:
        return NonCompliant(f"{r.title} assigns a public IP to every instance launched in it; set "
                            "map_public_ip_on_launch=False (NAT gateways and load balancers get explicit addresses).")
    return Compliant()


RULE = ResourceRule(
    name="subnet-no-auto-public-ip",
    description="Subnets do not auto-assign public IP addresses.",
    resource_types=SUBNET,
    controls=("FSBP EC2.15", "CKV_AWS_130"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
