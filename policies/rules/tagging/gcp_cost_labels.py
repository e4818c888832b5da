"""GCP resources that reach the billing export carry the cost-attribution labels in their inputs.

The label carrier differs per type: GKE clusters take `resourceLabels`, node pools label their VMs
(where the GPU spend is) through `nodeConfig.resourceLabels`; buckets, keys and Filestore instances
take `labels`. Keys are the tag keys after `gcp_labels()` normalisation (lower case; `-` and `_` kept).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GCP_LABELABLE, GKE_CLUSTER, GKE_NODE_POOL

from components.names import COST_TAG_KEYS

DEFAULT_KEYS = list(COST_TAG_KEYS)


def label_path(type_: str) -> tuple[str, ...]:
    if type_ in GKE_CLUSTER:
        return ("resourceLabels",)
    if type_ in GKE_NODE_POOL:
        return ("nodeConfig", "resourceLabels")
    return ("labels",)


def check(r: ResourceView):
    required = r.config.get("requiredLabels") or DEFAULT_KEYS
    path = label_path(r.type)
    missing = [k for k in required if not r.is_set(*path, k)]
    if missing:
        return NonCompliant(
            f"{r.title} is missing the cost-attribution label(s) {', '.join(missing)}; set them in "
            f"`{'.'.join(path)}` so the spend shows up per team in the billing export.")
    return Compliant()


RULE = ResourceRule(
    name="gcp-cost-labels",
    description="GKE clusters and node pools, buckets, KMS keys and Filestore instances carry cost-attribution labels.",
    resource_types=GCP_LABELABLE,
    controls=("Google Cloud Architecture Framework: cost optimization (labels for cost allocation)",),
    enforcement_level="advisory",
    severity="low",
    config_properties={"requiredLabels": {"type": "array", "items": {"type": "string", "minLength": 1},
                                          "default": DEFAULT_KEYS,
                                          "description": "Label keys every labelled GCP resource must carry."}},
    check=check,
)
