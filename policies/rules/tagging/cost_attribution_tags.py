"""Every taggable AWS resource carries the cost-attribution tags in its own inputs.

Provider `default_tags` are invisible to a plan and to this pack, so the tags must be in `tags`.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import AWS_TAGGABLE

from components.names import COST_TAG_KEYS

DEFAULT_KEYS = list(COST_TAG_KEYS)


def check(r: ResourceView):
    required = r.config.get("requiredTags") or DEFAULT_KEYS
    missing = [k for k in required if not r.is_set("tags", k)]
    if missing:
        return NonCompliant(
            f"{r.title} is missing the cost-attribution tag(s) {', '.join(missing)}; set them in the resource's "
            "`tags` (provider default_tags are not visible to policies).")
    return Compliant()


RULE = ResourceRule(
    name="cost-attribution-tags",
    description="Taggable AWS resources carry team, environment, cost-center and managed-by tags in their inputs.",
    resource_types=AWS_TAGGABLE,
    controls=("AWS Well-Architected COST03-BP02", "AWS Tagging Best Practices: cost allocation tags"),
    enforcement_level="advisory",
    severity="low",
    config_properties={"requiredTags": {"type": "array", "items": {"type": "string", "minLength": 1},
                                        "default": DEFAULT_KEYS,
                                        "description": "Tag keys every taggable AWS resource must carry."}},
    check=check,
)
