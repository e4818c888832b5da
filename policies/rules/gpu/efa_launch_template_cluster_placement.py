"""Launch templates with EFA interfaces place instances in a cluster placement group, or target a
capacity reservation (an ODCR or a Capacity Block, whose placement the reservation decides).

Without either, EFA nodes land wherever capacity is and all-reduce latency suffers. A stack rule:
the template names the group in `placement.groupName`, and that group's `strategy` must be "cluster"
(spread and partition groups keep nodes apart on purpose). A group the stack does not hold fails closed:
its strategy cannot be seen in a preview.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.efa import efa_interfaces, placement_group_of
from lzpolicy.types import LAUNCH_TEMPLATE


def check_stack(view: StackView):
    templates = [lt for lt in view.of_type(*LAUNCH_TEMPLATE) if efa_interfaces(lt)]
    if not templates:
        return NotApplicable("no launch template attaches EFA interfaces")
    out = []
    for lt in templates:
        reserved = lt.is_set("capacityReservationSpecification", "capacityReservationTarget") or \
            lt.known("instanceMarketOptions", "marketType") == "capacity-block"
        if not lt.is_set("placement", "groupName") and not lt.is_set("placement", "groupId"):
            if reserved:
                continue
            out.append((lt.urn, f"{lt.title} attaches EFA interfaces but places instances in no placement group; "
                                "create an aws.ec2.PlacementGroup with strategy 'cluster' and set placement.group_name "
                                "(or target a capacity reservation or Capacity Block)."))
            continue
        group = placement_group_of(view, lt)
        if group is None:
            # Fail closed: a group the stack does not hold has a strategy the preview cannot see.
            named = lt.known("placement", "groupName") or lt.known("placement", "groupId") or "(unknown)"
            out.append((lt.urn, f"{lt.title} places EFA instances in placement group {named}, which is not in the stack, "
                                "so its strategy cannot be checked; create the aws.ec2.PlacementGroup with strategy "
                                "'cluster' in this stack and pass its name to placement.group_name."))
            continue
        strategy = group.known("strategy")
        if strategy != "cluster":
            out.append((lt.urn, f"{lt.title} uses placement group {group.name} with strategy {strategy}, which keeps "
                                "EFA nodes apart; set placement.group_name to a placement group with strategy 'cluster'."))
    return out


RULE = StackRule(
    name="efa-launch-template-cluster-placement",
    description="EFA launch templates use a cluster placement group (or a capacity reservation).",
    resource_types=(*LAUNCH_TEMPLATE, "aws:ec2/placementGroup:PlacementGroup"),
    controls=("AWS EFA user guide: launch EFA instances in a cluster placement group",),
    enforcement_level="mandatory",
    severity="medium",
    check_stack=check_stack,
)
