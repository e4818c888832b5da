"""Persistent FSx for Lustre file systems are encrypted with a customer-managed KMS key.

FSx encrypts every file system at rest; `kmsKeyId` chooses the key and is only accepted for
PERSISTENT deployment types, so SCRATCH file systems (always on an FSx-managed key) are not judged.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import FSX_LUSTRE


def check(r: ResourceView):
    deployment = r.get("deploymentType", default="SCRATCH_1")
    if not str(deployment).startswith("PERSISTENT"):
        return NotApplicable(f"{deployment} file systems are always encrypted with an FSx-managed key")
    if not r.is_set("kmsKeyId"):
        return NonCompliant(f"{r.title} ({deployment}) is encrypted with the AWS-managed FSx key; set kms_key_id "
                            "to a customer-managed KMS key.")
    return Compliant()


RULE = ResourceRule(
    name="fsx-lustre-encrypted-with-cmk",
    description="Persistent FSx for Lustre file systems use a customer-managed KMS key.",
    resource_types=FSX_LUSTRE,
    controls=("CKV_AWS_190",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
