"""The IMDSv2 response hop limit keeps node credentials on the node (`maxHopLimit`, default 1).

With a hop limit above 1 a token request from a pod's network namespace reaches the metadata
service, so any pod can act with the node's IAM role. Raise `maxHopLimit` to 2 only for pools whose
non-hostNetwork pods must read instance metadata. Templates that disable the endpoint are not judged.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import EC2_INSTANCE, LAUNCH_TEMPLATE


def check(r: ResourceView):
    if r.get("metadataOptions", "httpEndpoint") == "disabled":
        return NotApplicable("the metadata endpoint is disabled")
    limit = int(r.config.get("maxHopLimit") or 1)
    hops = r.number("metadataOptions", "httpPutResponseHopLimit")
    if hops is None:
        return NonCompliant(f"{r.title} leaves http_put_response_hop_limit to the AMI default; set "
                            f"metadata_options.http_put_response_hop_limit={limit}.")
    if hops > limit:
        return NonCompliant(f"{r.title} lets metadata tokens travel {wire.integer_text(hops)} hops, so pods can use "
                            f"the node's IAM role; set metadata_options.http_put_response_hop_limit={limit}.")
    return Compliant()


RULE = ResourceRule(
    name="imds-hop-limit",
    description="The IMDSv2 PUT response hop limit is at most maxHopLimit (1 by default).",
    resource_types=(*LAUNCH_TEMPLATE, *EC2_INSTANCE),
    controls=("CKV_AWS_341", "EKS Best Practices: restrict access to the instance profile"),
    enforcement_level="advisory",
    severity="medium",
    config_properties={"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1,
                                       "description": "Largest accepted http_put_response_hop_limit."}},
    check=check,
)
