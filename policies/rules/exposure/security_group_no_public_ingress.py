"""No security group admits traffic from the whole internet (0.0.0.0/0 or ::/0).

Judges inline `ingress` blocks of security groups and the standalone rule resources
(`aws.ec2.SecurityGroupRule` of type ingress, `aws.vpc.SecurityGroupIngressRule`). GPU nodes, file
systems and endpoints in a landing zone are reached through load balancers, the VPC or a VPN; the
`allowedPorts` property lists ports that may still be open to the internet (e.g. 443 on an ingress
load balancer's group).
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import SECURITY_GROUP, SECURITY_GROUP_RULES

OPEN = {"0.0.0.0/0", "::/0"}


def _port_range(rule: dict) -> tuple[float | None, float | None, str]:
    protocol = str(rule.get("protocol") or rule.get("ipProtocol") or "")
    return wire.number(rule.get("fromPort")), wire.number(rule.get("toPort")), protocol


def _open(rule: dict) -> bool:
    cidrs = set(wire.strings(rule, "cidrBlocks")) | set(wire.strings(rule, "ipv6CidrBlocks"))
    cidrs |= {str(rule.get(k)) for k in ("cidrIpv4", "cidrIpv6") if rule.get(k)}
    return bool(cidrs & OPEN)


def _describe(lo: float | None, hi: float | None, protocol: str) -> str:
    if protocol in ("-1", "all") or lo is None:
        return "all ports"
    if lo == hi:
        return f"port {wire.integer_text(lo)}"
    return f"ports {wire.integer_text(lo)}-{wire.integer_text(hi)}"


def _allowed(lo: float | None, hi: float | None, protocol: str, allowed: list) -> bool:
    return protocol not in ("-1", "all") and lo is not None and lo == hi and int(lo) in allowed


def check(r: ResourceView):
    if r.type in SECURITY_GROUP:
        rules = [rule for rule in r.items("ingress") if isinstance(rule, dict)]
    elif r.type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        if r.get("type") != "ingress":
            return NotApplicable("an egress rule admits no inbound traffic")
        rules = [dict(r.props)]
    else:
        rules = [dict(r.props)]
    allowed = [int(p) for p in r.config.get("allowedPorts") or []]
    found = [_port_range(rule) for rule in rules if _open(rule)]
    found = [f for f in found if not _allowed(*f, allowed)]
    if found:
        ports = ", ".join(_describe(*f) for f in found)
        return NonCompliant(
            f"{r.title} allows ingress from 0.0.0.0/0 or ::/0 on {ports}; restrict the source to the VPC CIDR, "
            "a prefix list or a security group.")
    return Compliant()


RULE = ResourceRule(
    name="security-group-no-public-ingress",
    description="Security groups and their ingress rules do not allow traffic from 0.0.0.0/0 or ::/0.",
    resource_types=(*SECURITY_GROUP, *SECURITY_GROUP_RULES),
    controls=("CIS-AWS-3.0 5.2", "CIS-AWS-3.0 5.3", "FSBP EC2.18", "FSBP EC2.19", "CKV_AWS_24", "CKV_AWS_25",
              "CKV_AWS_260", "CKV_AWS_277", "pulumi aws-ec2-securitygroup-disallow-public-internet-ingress"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"allowedPorts": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                                        "default": [],
                                        "description": "Single ports that may be open to the internet."}},
    check=check,
)
