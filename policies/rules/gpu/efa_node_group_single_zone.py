"""EKS node groups with EFA launch templates run in a single availability zone.

EFA traffic does not cross availability zones, and a cluster placement group lives in one zone; a
node group spread over several zones' subnets launches nodes that cannot talk over EFA and fails to
place them in the group. A stack rule: the zones come from the subnets the node group's
`subnetIds` were computed from (`availabilityZone` / `availabilityZoneId`). When those subnets are
not in the stack the zones cannot be read, so exactly one subnet is required.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.efa import efa_interfaces, launch_template_of
from lzpolicy.types import NODE_GROUP, SUBNET


def check_stack(view: StackView):
    groups = []
    for ng in view.of_type(*NODE_GROUP):
        lt = launch_template_of(view, ng)
        if lt is not None and efa_interfaces(lt):
            groups.append(ng)
    if not groups:
        return NotApplicable("no node group uses an EFA launch template")
    out = []
    for ng in groups:
        literal = ng.known("subnetIds")
        count = len(literal) if isinstance(literal, list) else None
        subnets = view.referenced(ng, "subnetIds", *SUBNET)
        zones = {s.known("availabilityZone") or s.known("availabilityZoneId") for s in subnets}
        resolved = subnets and None not in zones and (count is None or len(subnets) >= count)
        if resolved and len(zones) == 1:
            continue
        if not resolved and count == 1:
            continue
        where = f"zones {', '.join(sorted(map(str, zones)))}" if resolved else f"{count or 'several'} subnets"
        out.append((ng.urn, f"{ng.title} uses an EFA launch template but spans {where}; give it the subnet(s) of "
                            "one availability zone (the zone of its cluster placement group or capacity reservation)."))
    return out


RULE = StackRule(
    name="efa-node-group-single-zone",
    description="EKS node groups with EFA interfaces run in one availability zone.",
    resource_types=(*NODE_GROUP, *SUBNET, "aws:ec2/launchTemplate:LaunchTemplate"),
    controls=("AWS EFA user guide: EFA traffic cannot cross Availability Zones",),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
