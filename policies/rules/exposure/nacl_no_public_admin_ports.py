"""No network ACL admits SSH (22) or RDP (3389) from the whole internet (0.0.0.0/0 or ::/0).

Network ACL entries "are processed in ascending order by rule number" and the first matching entry decides
(pulumi-aws 7.x `ec2.NetworkAclRule.rule_number`; Amazon VPC user guide, network ACL rules), so for each administration port the rule finds the lowest-numbered ingress entry that
matches a public source and that port; it is a violation when that entry allows. Entries come from the
ACL's inline `ingress` (`aws.ec2.NetworkAcl`, `aws.ec2.DefaultNetworkAcl`: `ruleNo`, `action`) and from
standalone `aws.ec2.NetworkAclRule`s (`ruleNumber`, `ruleAction`, `egress` false) matched to the ACL through
`network_acl_id`; a standalone rule whose ACL is not in the stack is judged on its own. Protocol `-1` / `all`
matches every port (pulumi-aws `NetworkAclRule.protocol`: "A value of -1 means all protocols"). A violation is reported against the resource that holds the allowing entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy import props as wire
from lzpolicy.types import NETWORK_ACL, NETWORK_ACL_RULE

OPEN = {"0.0.0.0/0", "::/0"}
# CIS AWS Foundations 3.0 5.1: "remote server administration ports" - SSH and RDP.
ADMIN_PORTS = (22, 3389)
ALL_PROTOCOLS = {"-1", "all"}
PORT_PROTOCOLS = {"tcp", "6", "udp", "17"}


@dataclass(frozen=True)
class Entry:
    urn: str
    title: str
    number: float
    allow: bool
    public: bool
    protocol: str
    low: float | None
    high: float | None

    def matches(self, port: int) -> bool:
        if self.protocol in ALL_PROTOCOLS:
            return True
        if self.protocol not in PORT_PROTOCOLS or self.low is None or self.high is None:
            return False
        return self.low <= port <= self.high


def _entry(urn: str, title: str, raw: dict, number_key: str, action_key: str) -> Entry:
    return Entry(urn=urn, title=title, number=wire.number(raw.get(number_key)) or 0.0,
                 allow=str(raw.get(action_key) or "").lower() == "allow",
                 public=bool({str(raw.get(k)) for k in ("cidrBlock", "ipv6CidrBlock") if raw.get(k)} & OPEN),
                 protocol=str(raw.get("protocol") or "").lower(),
                 low=wire.number(raw.get("fromPort")), high=wire.number(raw.get("toPort")))


def _verdicts(entries: list[Entry]) -> list[tuple[str, str]]:
    out: dict[str, set[int]] = {}
    titles = {}
    for port in ADMIN_PORTS:
        first = next((e for e in sorted(entries, key=lambda e: e.number) if e.public and e.matches(port)), None)
        if first is not None and first.allow:
            out.setdefault(first.urn, set()).add(port)
            titles[first.urn] = first.title
    return [(urn, f"{titles[urn]} allows ingress from 0.0.0.0/0 or ::/0 to administration port(s) "
                  f"{', '.join(map(str, sorted(ports)))}; restrict the entry's cidr_block to your VPN or bastion "
                  "range, or add a lower-numbered deny entry for those ports.") for urn, ports in out.items()]


def check_stack(view: StackView):
    acls = view.of_type(*NETWORK_ACL)
    rules = [r for r in view.of_type(*NETWORK_ACL_RULE) if r.flag("egress") is not True]
    if not acls and not view.of_type(*NETWORK_ACL_RULE):
        return NotApplicable("the stack has no network ACLs")
    out: list[tuple[str, str]] = []
    claimed: set[str] = set()
    for acl in acls:
        entries = [_entry(acl.urn, f"{acl.title} (ingress rule {wire.integer_text(wire.number(e.get('ruleNo')) or 0)})",
                          e, "ruleNo", "action") for e in acl.items("ingress") if isinstance(e, dict)]
        for rule in rules:
            if rule.depends_on(acl.urn, "networkAclId"):
                claimed.add(rule.urn)
                entries.append(_entry(rule.urn, rule.title, dict(rule.props), "ruleNumber", "ruleAction"))
        out.extend(_verdicts(entries))
    for rule in rules:
        if rule.urn not in claimed:
            out.extend(_verdicts([_entry(rule.urn, rule.title, dict(rule.props), "ruleNumber", "ruleAction")]))
    return out


RULE = StackRule(
    name="nacl-no-public-admin-ports",
    description="Network ACLs do not allow ingress from 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389).",
    resource_types=(*NETWORK_ACL, *NETWORK_ACL_RULE),
    controls=("CIS-AWS-3.0 5.1", "FSBP EC2.21"),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
