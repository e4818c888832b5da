"""An AWS stack records its API calls: it defines a CloudTrail trail, unless the account is covered
by an organisation trail defined elsewhere (`organizationTrail: true`).

A stack rule: no single resource can show that a trail is missing. It reports against the stack.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import TRAIL


def check_stack(view: StackView):
    if "aws" not in view.packages():
        return NotApplicable("the stack has no AWS resources")
    if view.config.get("organizationTrail") is True:
        return NotApplicable("the account is covered by an organisation trail defined outside this stack")
    if view.of_type(*TRAIL):
        return []
    return [(view.stack_urn, f"{view.stack_title} creates AWS resources but no CloudTrail trail; add an "
                             "aws.cloudtrail.Trail (multi-region, log file validation, KMS-encrypted) or set "
                             "organizationTrail: true in the policy config if an organisation trail covers the account.")]


RULE = StackRule(
    name="cloudtrail-trail-present",
    description="An AWS stack defines a CloudTrail trail (or declares an organisation trail).",
    resource_types=TRAIL,
    controls=("FSBP CloudTrail.1", "CIS-AWS-3.0 3.1"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"organizationTrail": {
        "type": "boolean", "default": False,
        "description": "True when an organisation trail outside this stack records the account."}},
    check_stack=check_stack,
)
