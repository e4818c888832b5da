"""CloudTrail trails record every region and global service events (IAM, STS, CloudFront)."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import TRAIL


def check(r: ResourceView):
    problems = []
    if r.flag("isMultiRegionTrail") is not True:
        problems.append("records one region only (is_multi_region_trail)")
    if r.flag("includeGlobalServiceEvents") is False:
        problems.append("leaves out global service events such as IAM (include_global_service_events)")
    if r.flag("enableLogging") is False:
        problems.append("has logging turned off (enable_logging)")
    if problems:
        return NonCompliant(f"{r.title} {' and '.join(problems)}; set is_multi_region_trail=True, "
                            "include_global_service_events=True and enable_logging=True.")
    return Compliant()


RULE = ResourceRule(
    name="cloudtrail-multi-region",
    description="CloudTrail trails are multi-region, include global service events and are logging.",
    resource_types=TRAIL,
    controls=("FSBP CloudTrail.1", "CIS-AWS-3.0 3.1", "CKV_AWS_67"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
