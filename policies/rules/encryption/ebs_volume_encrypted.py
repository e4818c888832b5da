"""EBS volumes are encrypted: standalone volumes and the root / EBS block devices of EC2 instances.

An instance launched from a launch template is judged through the template
(`launch-template-ebs-encrypted`); here only the block devices the instance declares itself count.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import EBS_VOLUME, EC2_INSTANCE


def check(r: ResourceView):
    if r.type in EBS_VOLUME:
        if r.flag("encrypted") is not True:
            return NonCompliant(f"{r.title} is not encrypted; set encrypted=True with a customer-managed kms_key_id.")
        return Compliant()
    plain = []
    root = r.get("rootBlockDevice")
    if isinstance(root, dict) and wire.truthy(root.get("encrypted")) is not True:
        plain.append("the root block device")
    elif root is None and not r.is_set("launchTemplate"):
        plain.append("the root block device (not declared, so the AMI's unencrypted default applies)")
    for device in r.items("ebsBlockDevices"):
        if isinstance(device, dict) and wire.truthy(device.get("encrypted")) is not True:
            plain.append(f"EBS device {device.get('deviceName') or '?'}")
    if plain:
        return NonCompliant(f"{r.title} has unencrypted storage: {'; '.join(plain)}; set encrypted=True on "
                            "root_block_device and every ebs_block_devices entry.")
    return Compliant()


RULE = ResourceRule(
    name="ebs-volume-encrypted",
    description="EBS volumes and EC2 instance block devices are encrypted.",
    resource_types=(*EBS_VOLUME, *EC2_INSTANCE),
    controls=("CIS-AWS-3.0 2.2.1", "FSBP EC2.3", "CKV_AWS_3", "CKV_AWS_8", "CKV_AWS_189", "awsguard encrypted-volumes"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
