"""Every taggable AWS resource carries the cost-attribution tags in its own inputs.

Provider `default_tags` are invisible to a plan and to this pack, so the tags must be in `tags`.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import AWS_TAGGABLE

DEFAULT_KEYS = ["team", "environment", "cost-center", "managed-by"]


def check(r: ResourceView):
    required = r.config.get("requiredTags") or DEFAULT_KEYS
    tags = r.get("tags", default={}) or {}
    missing = [k for k in required if not tags.get(k)]
    if missing:
        return NonCompliant(
            f"{r.type} '{r.name}' is missing cost-attribution tags {', '.join(missing)}; "
            "set them in the resource's `tags` (provider default_tags are not visible to policies).")
    return Compliant()


RULE = ResourceRule(
    name="cost-attribution-tags",
    description="Taggable AWS resources carry team, environment, cost-center and managed-by tags in their inputs.",
    resource_types=AWS_TAGGABLE,
    controls=("FSBP Tagging", "AWS Well-Architected COST03-BP02"),
    enforcement_level="advisory",
    config_properties={"requiredTags": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_KEYS}},
    check=check,
)
