"""S3 lifecycle configurations abort incomplete multipart uploads: an interrupted checkpoint upload
otherwise leaves invisible parts that are billed until someone deletes them."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import S3_LIFECYCLE


def check(r: ResourceView):
    rules = [rule for rule in r.items("rules") if isinstance(rule, dict)]
    aborting = [rule for rule in rules if rule.get("status") == "Enabled"
                and wire.number(wire.dig(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation")) is not None]
    if not aborting:
        return NonCompliant(f"{r.title} never aborts incomplete multipart uploads; add an enabled rule with "
                            "abort_incomplete_multipart_upload.days_after_initiation (e.g. 7).")
    return Compliant()


RULE = ResourceRule(
    name="s3-lifecycle-aborts-incomplete-uploads",
    description="S3 lifecycle configurations abort incomplete multipart uploads.",
    resource_types=S3_LIFECYCLE,
    controls=("CKV_AWS_300",),
    enforcement_level="advisory",
    severity="low",
    check=check,
)
