"""The default security group of every VPC the stack manages allows no traffic at all.

Anything launched without a security group lands in the default one; with no rules it is unreachable
and cannot reach out, so a forgotten group fails closed. Managing it as `aws.ec2.DefaultSecurityGroup`
with no `ingress` and no `egress` removes the rules AWS creates.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import DEFAULT_SECURITY_GROUP


def check(r: ResourceView):
    open_directions = [d for d in ("ingress", "egress") if r.items(d)]
    if open_directions:
        return NonCompliant(
            f"{r.title} keeps {' and '.join(open_directions)} rules; remove them (ingress=[] and egress=[]) so that "
            "anything launched without its own security group can neither be reached nor reach out.")
    return Compliant()


RULE = ResourceRule(
    name="default-security-group-closed",
    description="The default security group of a VPC allows no inbound or outbound traffic.",
    resource_types=DEFAULT_SECURITY_GROUP,
    controls=("FSBP EC2.2", "CIS-AWS-3.0 5.4", "CKV2_AWS_12"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
