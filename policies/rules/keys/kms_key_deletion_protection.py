"""Deleting a key is slow and recoverable: AWS keys keep the longest deletion window and keep the
key-policy lockout safety check; Cloud KMS keys keep versions scheduled for destruction for at
least `minDeletionWindowDays` before destroying them.

Losing a key loses every checkpoint, dataset and volume encrypted with it. (Pulumi-level protection
of the key resource itself is `stateful-resources-protected`.)
"""

import re

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import GCP_KMS_KEY, KMS_KEY

DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")
AWS_DEFAULT_WINDOW = 30.0   # days; AWS accepts 7-30, so 30 is also the longest
GCP_DEFAULT_WINDOW = 30.0   # days; Cloud KMS default destroy_scheduled_duration


def check(r: ResourceView):
    minimum = int(r.config.get("minDeletionWindowDays") or 30)
    problems = []
    if r.type in KMS_KEY:
        window = r.number("deletionWindowInDays")
        window = AWS_DEFAULT_WINDOW if window is None else window
        aws_minimum = min(minimum, int(AWS_DEFAULT_WINDOW))
        if window < aws_minimum:
            problems.append(f"deletion_window_in_days is {wire.integer_text(window)}; set it to at least {aws_minimum}")
        if r.flag("bypassPolicyLockoutSafetyCheck") is True:
            problems.append("bypass_policy_lockout_safety_check is True; set it to False")
    else:
        raw = r.get("destroyScheduledDuration")
        match = DURATION.match(raw) if isinstance(raw, str) else None
        window = float(match.group(1)) / 86400 if match else GCP_DEFAULT_WINDOW
        if window < minimum:
            problems.append(f"destroy_scheduled_duration is {raw} ({window:g} day{'' if window == 1 else 's'}); set it "
                            f"to at least '{minimum * 86400}s'")
    if problems:
        return NonCompliant(f"{r.title} can be destroyed too quickly: {'; '.join(problems)}.")
    return Compliant()


RULE = ResourceRule(
    name="kms-key-deletion-protection",
    description="KMS keys keep a long deletion window and the AWS key-policy lockout safety check.",
    resource_types=(*KMS_KEY, *GCP_KMS_KEY),
    controls=("FSBP KMS.3", "CKV_GCP_82", "pulumi aws-kms-key-disallow-bypass-policy-lockout-safety-check"),
    enforcement_level="mandatory",
    severity="high",
    config_properties={"minDeletionWindowDays": {
        "type": "integer", "minimum": 7, "maximum": 120, "default": 30,
        "description": "Shortest accepted deletion window (AWS caps it at 30 days)."}},
    check=check,
)
