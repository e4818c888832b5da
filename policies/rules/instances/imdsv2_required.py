"""Instances require IMDSv2 session tokens (`metadataOptions.httpTokens` "required") or turn the
metadata endpoint off. IMDSv1 answers any GET, which is how SSRF bugs in a notebook or inference
server turn into stolen node credentials.

Launch templates and EC2 instances that set nothing get IMDSv1 unless the AMI or account default
says otherwise, which a plan cannot see: the setting must be explicit.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EC2_INSTANCE, LAUNCH_TEMPLATE


def check(r: ResourceView):
    if r.get("metadataOptions", "httpEndpoint") == "disabled":
        return Compliant()
    tokens = r.get("metadataOptions", "httpTokens")
    if tokens != "required":
        return NonCompliant(f"{r.title} allows IMDSv1 (http_tokens {tokens or 'unset'}); set "
                            "metadata_options.http_tokens='required'.")
    return Compliant()


RULE = ResourceRule(
    name="imdsv2-required",
    description="Launch templates and EC2 instances require IMDSv2 (httpTokens 'required').",
    resource_types=(*LAUNCH_TEMPLATE, *EC2_INSTANCE),
    controls=("FSBP EC2.8", "FSBP EC2.170", "CIS-AWS-3.0 5.6", "CKV_AWS_79"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
