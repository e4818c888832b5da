"""S3 bucket versioning configurations keep versioning on (`Enabled`): an overwritten checkpoint or
a deleted dataset object stays recoverable (lifecycle rules expire old versions to bound the cost).
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import S3_VERSIONING


def check(r: ResourceView):
    status = r.get("versioningConfiguration", "status")
    if status != "Enabled":
        return NonCompliant(f"{r.title} sets versioning status {status or 'unset'}; set "
                            "versioning_configuration.status='Enabled' and expire noncurrent versions with a lifecycle "
                            "rule.")
    return Compliant()


RULE = ResourceRule(
    name="s3-bucket-versioning-enabled",
    description="S3 bucket versioning configurations enable versioning.",
    resource_types=S3_VERSIONING,
    controls=("CKV_AWS_21", "FSBP S3.14"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
