"""CloudTrail trails write digest files (log file validation), so tampering with delivered logs shows."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import TRAIL


def check(r: ResourceView):
    if r.flag("enableLogFileValidation") is not True:
        return NonCompliant(f"{r.title} does not validate its log files; set enable_log_file_validation=True so "
                            "that deleted or altered log files can be detected.")
    return Compliant()


RULE = ResourceRule(
    name="cloudtrail-log-file-validation",
    description="CloudTrail trails enable log file validation.",
    resource_types=TRAIL,
    controls=("FSBP CloudTrail.4", "CIS-AWS-3.0 3.2", "CKV_AWS_36"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
