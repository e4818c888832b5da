"""A stack that manages the region's EBS encryption-by-default setting keeps it on.

`aws.ebs.EncryptionByDefault(enabled=False)` turns off the account-and-region switch that encrypts every new
volume and snapshot copy (Security Hub FSBP EC2.7, CIS AWS Foundations 3.0 2.2.1); pulumi-aws 7.x
`enabled` defaults to true. A stack without the resource leaves the setting to the organisation's baseline
and is not judged: whether it is on cannot be seen in a preview.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EBS_ENCRYPTION_BY_DEFAULT


def check(r: ResourceView):
    if r.flag("enabled") is False:
        return NonCompliant(f"{r.title} turns EBS encryption by default off for the region; set enabled=True "
                            "(or remove the resource and leave the setting to the organisation baseline).")
    return Compliant()


RULE = ResourceRule(
    name="ebs-default-encryption-enabled",
    description="EBS encryption by default is not turned off by a stack that manages it.",
    resource_types=EBS_ENCRYPTION_BY_DEFAULT,
    controls=("FSBP EC2.7", "CIS-AWS-3.0 2.2.1", "CKV_AWS_106"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
