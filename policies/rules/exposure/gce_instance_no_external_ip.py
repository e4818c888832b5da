"""Compute Engine VMs have no external IP: no `accessConfigs` (external IPv4) or `ipv6AccessConfigs`
(external IPv6) on any network interface. Instances reach the internet through Cloud NAT and are
reached through IAP TCP forwarding or a load balancer, so a stray VM does not widen the attack surface.

Judges instances and instance templates (`lzpolicy.gce`). The organisation policy
`constraints/compute.vmExternalIpAccess` enforces the same thing at the API; this rule catches it at
preview, before the API refuses it, and in projects without the constraint.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.gce import external_interfaces
from lzpolicy.types import GCE_INSTANCE


def check(r: ResourceView):
    nics = external_interfaces(r)
    if nics:
        where = ", ".join(f"network_interfaces[{i}]" for i in nics)
        return NonCompliant(f"{r.title} gives the VM an external IP ({where} has access_configs or "
                            "ipv6_access_configs); remove them and use Cloud NAT for egress and IAP for SSH.")
    return Compliant()


RULE = ResourceRule(
    name="gce-instance-no-external-ip",
    description="Compute Engine instances and templates have no external IPv4 or IPv6 address.",
    resource_types=GCE_INSTANCE,
    controls=("CIS-GCP-3.0 4.9", "CKV_GCP_40", "GCP org policy constraints/compute.vmExternalIpAccess"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
