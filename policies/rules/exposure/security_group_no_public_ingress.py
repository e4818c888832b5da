"""No security group admits traffic from the whole internet (0.0.0.0/0 or ::/0)."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SECURITY_GROUP, SECURITY_GROUP_RULES

OPEN = {"0.0.0.0/0", "::/0"}


def _open_rules(r: ResourceView):
    if r.type in SECURITY_GROUP:
        for rule in r.get("ingress", default=[]) or []:
            cidrs = set(rule.get("cidrBlocks") or []) | set(rule.get("ipv6CidrBlocks") or [])
            if cidrs & OPEN:
                yield rule.get("fromPort"), rule.get("toPort")
    elif r.type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        if r.get("type") == "ingress":
            cidrs = set(r.get("cidrBlocks", default=[])) | set(r.get("ipv6CidrBlocks", default=[]))
            if cidrs & OPEN:
                yield r.get("fromPort"), r.get("toPort")
    elif r.get("cidrIpv4") in OPEN or r.get("cidrIpv6") in OPEN:
        yield r.get("fromPort"), r.get("toPort")


def check(r: ResourceView):
    found = list(_open_rules(r))
    if found:
        ports = ", ".join(f"{lo}-{hi}" for lo, hi in found)
        return NonCompliant(
            f"{r.type} '{r.name}' allows ingress from 0.0.0.0/0 or ::/0 on ports {ports}; "
            "restrict the source to the VPC, a prefix list or a security group.")
    return Compliant()


RULE = ResourceRule(
    name="security-group-no-public-ingress",
    description="Security groups do not allow ingress from 0.0.0.0/0 or ::/0.",
    resource_types=(*SECURITY_GROUP, *SECURITY_GROUP_RULES),
    controls=("CIS-AWS-3.0 5.2", "CIS-AWS-3.0 5.3", "FSBP EC2.18", "FSBP EC2.19", "CKV_AWS_24", "CKV_AWS_260"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
