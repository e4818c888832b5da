"""Launch templates encrypt every EBS volume they map, the root volume included.

`blockDeviceMappings[].ebs.encrypted` is a string in the provider schema ("true"/"false"). A launch
template that maps no block device leaves the root volume to the AMI's mapping, which is unencrypted
unless the account has EBS encryption by default: map the root device explicitly.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import LAUNCH_TEMPLATE


def check(r: ResourceView):
    mappings = [m for m in r.items("blockDeviceMappings") if isinstance(m, dict)]
    volumes = [m for m in mappings if isinstance(m.get("ebs"), dict)]
    if not volumes:
        return NonCompliant(
            f"{r.title} maps no EBS volume, so the root volume takes the AMI's unencrypted default; map the root "
            "device in block_device_mappings with ebs.encrypted 'true' and a customer-managed kms_key_id.")
    plain = [str(m.get("deviceName") or "?") for m in volumes if wire.truthy(wire.dig(m, "ebs", "encrypted")) is not True]
    if plain:
        return NonCompliant(
            f"{r.title} maps unencrypted EBS volume(s) {', '.join(plain)}; set ebs.encrypted 'true' (with a "
            "customer-managed kms_key_id) on every block device mapping.")
    return Compliant()


RULE = ResourceRule(
    name="launch-template-ebs-encrypted",
    description="Launch templates map the root volume and encrypt every EBS block device.",
    resource_types=LAUNCH_TEMPLATE,
    controls=("pulumi aws-ec2-launchtemplate-disallow-unencrypted-block-device", "CIS-AWS-3.0 2.2.1", "FSBP EC2.7",
              "CKV_AWS_8"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
