"""Launch templates with EFA attach one EFA interface to every network card the instance type has
for EFA, per the hardware catalog: 32 on p5.48xlarge, 4 on p4d.24xlarge, 16 on p5en.48xlarge,
cards 1-16 on p6-b300.48xlarge (whose card 0 is ENA-only).

A stack rule: the instance type usually sits on the node group (`instanceTypes`) while the
interfaces sit on its launch template. A template with fewer EFA interfaces than cards leaves
bandwidth idle (NCCL rings run over the cards it finds); one naming a card the type lacks fails to
launch. An instance type the catalog does not know cannot be verified and is reported.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy import props as wire
from lzpolicy.efa import efa_interfaces, instance_types
from lzpolicy.gpu import aws_type
from lzpolicy.types import LAUNCH_TEMPLATE


def expected_cards(name: str) -> list[int] | None:
    catalogued = aws_type(name)
    if catalogued is None:
        return None
    net = catalogued.network
    first = 0 if net.efa_on_card0 else 1
    return list(range(first, first + net.max_efa_interfaces))


def _ranges(cards: list[int]) -> str:
    return ", ".join(str(c) for c in cards) if len(cards) <= 4 else f"{cards[0]}-{cards[-1]} ({len(cards)} cards)"


def check_stack(view: StackView):
    templates = [lt for lt in view.of_type(*LAUNCH_TEMPLATE) if efa_interfaces(lt)]
    if not templates:
        return NotApplicable("no launch template attaches EFA interfaces")
    out = []
    for lt in templates:
        present = sorted({int(wire.number(i.get("networkCardIndex")) or 0) for i in efa_interfaces(lt)})
        types = instance_types(view, lt)
        if not types:
            out.append((lt.urn, f"{lt.title} attaches EFA interfaces but neither it nor a node group using it names "
                                "an instance type; set instance_type (or the node group's instance_types) so the EFA "
                                "layout can be checked against the catalog."))
            continue
        for name in types:
            cards = expected_cards(name)
            if cards is None:
                out.append((lt.urn, f"{lt.title} launches {name}, which is not in the hardware catalog, so its EFA "
                                    "layout cannot be verified; use a catalogued instance type or add it to "
                                    "components/catalog/gpu_types.yaml with its network cards."))
                continue
            missing = [c for c in cards if c not in present]
            extra = [c for c in present if c not in cards]
            if missing or extra:
                problems = []
                if missing:
                    problems.append(f"no EFA interface on network card(s) {_ranges(missing)}")
                if extra:
                    problems.append(f"EFA on card(s) {_ranges(extra)} that {name} does not have for EFA")
                out.append((lt.urn, f"{lt.title} ({name}) has {' and '.join(problems)}; {name} takes one EFA "
                                    f"interface on each of network cards {_ranges(cards)} (interface_type 'efa-only' "
                                    "with network_card_index set, the primary ENA interface on card 0 device 0)."))
    return out


RULE = StackRule(
    name="efa-interfaces-on-every-card",
    description="EFA launch templates attach an EFA interface to every EFA-capable network card of the instance type.",
    resource_types=(*LAUNCH_TEMPLATE, "aws:eks/nodeGroup:NodeGroup"),
    controls=("AWS EC2 User Guide: maximize network bandwidth on accelerated instances (one EFA per network card)",),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
