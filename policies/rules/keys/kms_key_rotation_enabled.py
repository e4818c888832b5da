"""Customer-managed symmetric keys rotate: AWS KMS keys enable rotation (at most every
`maxAwsRotationDays`, AWS's default being 365), Cloud KMS keys set a rotation period of at most
`maxGcpRotationDays` (90 by CIS).

Asymmetric and HMAC keys cannot rotate automatically and are not judged; neither are AWS keys in a
custom key store.
"""

import re

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import GCP_KMS_KEY, KMS_KEY

DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _check_aws(r: ResourceView):
    spec = r.get("customerMasterKeySpec") or r.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT" or r.get("keyUsage", default="ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return NotApplicable(f"{spec} keys cannot rotate automatically")
    if r.is_set("customKeyStoreId"):
        return NotApplicable("keys in a custom key store cannot rotate automatically")
    if r.flag("enableKeyRotation") is not True:
        return NonCompliant(f"{r.title} does not rotate its key material; set enable_key_rotation=True.")
    limit = int(r.config.get("maxAwsRotationDays") or 365)
    period = r.number("rotationPeriodInDays")
    if period is not None and period > limit:
        return NonCompliant(f"{r.title} rotates every {wire.integer_text(period)} days; set "
                            f"rotation_period_in_days to at most {limit}.")
    return Compliant()


def _check_gcp(r: ResourceView):
    purpose = r.get("purpose", default="ENCRYPT_DECRYPT")
    if purpose != "ENCRYPT_DECRYPT":
        return NotApplicable(f"{purpose} keys cannot rotate automatically")
    limit = int(r.config.get("maxGcpRotationDays") or 90)
    period = r.get("rotationPeriod")
    match = DURATION.match(period) if isinstance(period, str) else None
    if match is None:
        return NonCompliant(f"{r.title} has no rotation period; set rotation_period to at most "
                            f"'{limit * 86400}s' ({limit} days).")
    days = float(match.group(1)) / 86400
    if days > limit:
        return NonCompliant(f"{r.title} rotates every {days:g} days; set rotation_period to at most "
                            f"'{limit * 86400}s' ({limit} days).")
    return Compliant()


def check(r: ResourceView):
    return _check_aws(r) if r.type in KMS_KEY else _check_gcp(r)


RULE = ResourceRule(
    name="kms-key-rotation-enabled",
    description="Symmetric customer-managed keys rotate automatically (AWS KMS and Cloud KMS).",
    resource_types=(*KMS_KEY, *GCP_KMS_KEY),
    controls=("FSBP KMS.4", "CIS-AWS-3.0 3.6", "CKV_AWS_7", "CKV_GCP_43", "CIS-GCP-3.0 1.10",
              "pulumi aws-kms-key-enable-key-rotation"),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={
        "maxAwsRotationDays": {"type": "integer", "minimum": 90, "maximum": 2560, "default": 365,
                               "description": "Longest accepted AWS KMS rotation period, in days."},
        "maxGcpRotationDays": {"type": "integer", "minimum": 1, "default": 90,
                               "description": "Longest accepted Cloud KMS rotation period, in days."}},
    check=check,
)
