"""What the EKS landing zone tells the platform's cluster-autoscaler: priorities of its node groups.

The priority expander picks, among node groups that can fit the pending pods, those whose Auto Scaling
group name matches the highest-priority regex (kubernetes/autoscaler
cluster-autoscaler/expander/priority/readme.md); `least-waste` then decides among equals. Capacity the
account already pays for (an On-Demand Capacity Reservation or a Capacity Block) comes first, Spot next,
On-Demand last. Every other group (the system nodes) matches the catch-all at the lowest priority, as
the readme recommends, so no group is left out of the expander.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi

from components.config.model import CapacityType

CAPACITY_PRIORITY: dict[CapacityType, int] = {
    CapacityType.reservation: 50,
    CapacityType.capacity_block: 50,
    CapacityType.spot: 20,
    CapacityType.on_demand: 10,
}
CATCH_ALL_PRIORITY = 1


def exact(name: str) -> str:
    """A regex matching exactly one Auto Scaling group name."""
    return f"^{re.escape(name)}$"


def expander_priorities(groups: Sequence[tuple[CapacityType, pulumi.Input[str]]]) -> dict[int, list]:
    """{priority: [ASG-name regexes]} from (capacity type, ASG-name regex) pairs, plus the catch-all."""
    priorities: dict[int, list] = {CATCH_ALL_PRIORITY: [".*"]}
    for capacity, pattern in groups:
        if capacity not in CAPACITY_PRIORITY:
            raise ValueError(f"capacity type {capacity.value} has no autoscaler priority on AWS")
        priorities.setdefault(CAPACITY_PRIORITY[capacity], []).append(pattern)
    return dict(sorted(priorities.items(), reverse=True))
