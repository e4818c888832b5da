"""Log groups and log buckets keep logs for a set period of at least `minRetentionDays`.

CloudWatch log groups without `retentionInDays` keep logs forever (and bill for them forever);
GCP log buckets default to 30 days. The minimum comes from the environment's policy config
(a year in prod, as CIS asks of audit logs; less in dev).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import GCP_LOG_BUCKET, LOG_GROUP

DEFAULT_MIN_DAYS = 365


def check(r: ResourceView):
    minimum = int(r.config.get("minRetentionDays") or DEFAULT_MIN_DAYS)
    key = "retentionInDays" if r.type in LOG_GROUP else "retentionDays"
    days = r.number(key)
    if days is None and r.type in GCP_LOG_BUCKET:
        days = 30.0  # Cloud Logging's default bucket retention
    fix = "retention_in_days" if r.type in LOG_GROUP else "retention_days"
    if days is None or days == 0:
        return NonCompliant(f"{r.title} keeps logs forever (no {fix}); set {fix} to at least {minimum} days.")
    if days < minimum:
        return NonCompliant(f"{r.title} keeps logs for {wire.integer_text(days)} days, less than the "
                            f"{minimum} this environment requires; set {fix} to at least {minimum}.")
    return Compliant()


RULE = ResourceRule(
    name="log-retention",
    description="CloudWatch log groups and GCP log buckets set a retention of at least minRetentionDays.",
    resource_types=(*LOG_GROUP, *GCP_LOG_BUCKET),
    controls=("CKV_AWS_338", "CKV_AWS_66", "CKV2_GCP_4"),
    enforcement_level="advisory",
    severity="low",
    config_properties={"minRetentionDays": {"type": "integer", "minimum": 1, "default": DEFAULT_MIN_DAYS,
                                            "description": "Shortest acceptable log retention, in days."}},
    check=check,
)
