"""GPU nodes and instances get no public IP address: launch-template network interfaces and EC2
instances do not associate one. Egress goes through NAT; ingress through load balancers.

`associatePublicIpAddress` is a string ("true"/"false") in the launch-template schema and a
boolean on instances. An instance that says nothing takes its subnet's `mapPublicIpOnLaunch`
(judged by `subnet-no-auto-public-ip`).
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import EC2_INSTANCE, LAUNCH_TEMPLATE


def check(r: ResourceView):
    if r.type in LAUNCH_TEMPLATE:
        interfaces = [i for i in r.items("networkInterfaces") if isinstance(i, dict)]
        if not interfaces:
            return NotApplicable("the template defines no network interfaces; the subnet decides")
        public = [f"card {wire.integer_text(wire.number(i.get('networkCardIndex')) or 0)} / device "
                  f"{wire.integer_text(wire.number(i.get('deviceIndex')) or 0)}"
                  for i in interfaces if wire.truthy(i.get("associatePublicIpAddress")) is True]
    else:
        public = ["the primary interface"] if r.flag("associatePublicIpAddress") is True else []
    if public:
        return NonCompliant(f"{r.title} associates a public IP address with {', '.join(public)}; set "
                            "associate_public_ip_address to false and reach the internet through NAT.")
    return Compliant()


RULE = ResourceRule(
    name="ec2-no-public-ip",
    description="Launch templates and EC2 instances do not associate public IP addresses.",
    resource_types=(*LAUNCH_TEMPLATE, *EC2_INSTANCE),
    controls=("FSBP EC2.25", "FSBP EC2.9", "CKV_AWS_88", "pulumi aws-ec2-launchtemplate-disallow-public-ip"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
