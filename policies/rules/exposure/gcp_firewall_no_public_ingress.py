"""GCP ingress firewall rules do not allow traffic from 0.0.0.0/0 or ::/0.

Deny rules and egress rules are not judged: they admit nothing. IAP TCP forwarding
(35.235.240.0/20) and Google health checks use their own ranges and need no open rule.

An ingress rule with no source at all (no `source_ranges`, `source_tags` or `source_service_accounts`, or an
empty `source_ranges` list) is as open as 0.0.0.0/0: the Compute API fills in 0.0.0.0/0 as its source
(hashicorp/terraform-provider-google#6789, "Firewall source_ranges defaults to 0.0.0.0/0 when source_tags
not provided", reproduced with an empty source_ranges list; the gcloud reference for
`compute firewall-rules create --source-ranges` describes the same default). pulumi-gcp 10.x now documents one of
the three as required for INGRESS; the rule does not count on the provider refusing it.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import GCP_FIREWALL

OPEN = {"0.0.0.0/0", "::/0"}


def check(r: ResourceView):
    if r.get("direction", default="INGRESS") != "INGRESS":
        return NotApplicable("an egress rule admits no inbound traffic")
    if not r.items("allows"):
        return NotApplicable("a deny rule admits nothing")
    if r.flag("disabled") is True:
        return NotApplicable("the rule is disabled")
    sourceless = not any(r.is_set(k) for k in ("sourceRanges", "sourceTags", "sourceServiceAccounts"))
    if not sourceless and not set(r.strings("sourceRanges")) & OPEN:
        return Compliant()
    allowed = []
    for allow in r.items("allows"):
        if isinstance(allow, dict):
            ports = wire.strings(allow, "ports")
            allowed.append(f"{allow.get('protocol')}:{','.join(ports)}" if ports else f"{allow.get('protocol')} (all ports)")
    why = " (it names no source, so the API uses 0.0.0.0/0)" if sourceless else ""
    return NonCompliant(f"{r.title} allows {'; '.join(allowed)} from the whole internet{why}; restrict source_ranges to "
                        "known ranges (IAP is 35.235.240.0/20) or use source_tags / service accounts.")


RULE = ResourceRule(
    name="gcp-firewall-no-public-ingress",
    description="GCP ingress allow rules do not admit 0.0.0.0/0 or ::/0.",
    resource_types=GCP_FIREWALL,
    controls=("CKV2_GCP_12", "CKV_GCP_2", "CKV_GCP_3", "CIS-GCP-3.0 3.6", "CIS-GCP-3.0 3.7"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
