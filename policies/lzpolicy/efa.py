"""EFA launch templates and the node groups that use them.

An EKS managed node group gets its EFA interfaces from its launch template (`networkInterfaces[]`
with `interfaceType` "efa" or "efa-only", one per network card) and carries the instance type in
`instanceTypes`; the template references a cluster placement group through `placement.groupName`.
"""

from __future__ import annotations

from . import props as wire
from .rule import ResourceView, StackView
from .types import LAUNCH_TEMPLATE, NODE_GROUP, PLACEMENT_GROUP

EFA_INTERFACE_TYPES = ("efa", "efa-only")


def efa_interfaces(lt: ResourceView) -> list[dict]:
    return [i for i in lt.items("networkInterfaces")
            if isinstance(i, dict) and i.get("interfaceType") in EFA_INTERFACE_TYPES]


def node_groups_using(view: StackView, lt: ResourceView) -> list[ResourceView]:
    name = lt.known("name")
    return [ng for ng in view.of_type(*NODE_GROUP)
            if ng.depends_on(lt.urn, "launchTemplate")
            or (isinstance(name, str) and ng.known("launchTemplate", "name") == name)]


def launch_template_of(view: StackView, ng: ResourceView) -> ResourceView | None:
    for lt in view.referenced(ng, "launchTemplate", *LAUNCH_TEMPLATE):
        return lt
    name = ng.known("launchTemplate", "name")
    for lt in view.of_type(*LAUNCH_TEMPLATE):
        if isinstance(name, str) and lt.known("name") == name:
            return lt
    return None


def node_group_instance_types(view: StackView, ng: ResourceView) -> list[str]:
    """The instance types a node group launches: its own `instanceTypes`, else its launch template's
    `instanceType` (Capacity Block node groups must name the type only in the template: EKS user guide,
    "Create a managed node group with Capacity Blocks for ML")."""
    own = [t for t in wire.known(ng.props, "instanceTypes", default=[]) or [] if isinstance(t, str)]
    if own:
        return own
    lt = launch_template_of(view, ng)
    template_type = lt.known("instanceType") if lt is not None else None
    return [template_type] if isinstance(template_type, str) else []


def instance_types(view: StackView, lt: ResourceView) -> list[str]:
    """The instance types a template launches: its own `instanceType`, else its node groups'."""
    own = lt.known("instanceType")
    if isinstance(own, str):
        return [own]
    found: list[str] = []
    for ng in node_groups_using(view, lt):
        for t in wire.known(ng.props, "instanceTypes", default=[]) or []:
            if isinstance(t, str) and t not in found:
                found.append(t)
    return found


def placement_group_of(view: StackView, lt: ResourceView) -> ResourceView | None:
    for pg in view.referenced(lt, "placement", *PLACEMENT_GROUP):
        return pg
    name = lt.known("placement", "groupName")
    for pg in view.of_type(*PLACEMENT_GROUP):
        if isinstance(name, str) and pg.known("name") == name:
            return pg
    return None
