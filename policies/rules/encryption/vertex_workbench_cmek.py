"""Vertex AI Workbench instances encrypt their boot and data disks with a customer-managed key:
`gce_setup.boot_disk` and `gce_setup.data_disks` set `disk_encryption: CMEK` and `kms_key`.

pulumi-gcp 10.x `workbench.Instance`: `disk_encryption` "defaults to GMEK" (Google-managed) and
`kms_key` is "only applicable if disk_encryption is CMEK". Notebook disks hold copies of datasets,
credentials in shell history and model checkpoints. A disk block that is absent uses GMEK.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import WORKBENCH_INSTANCE


def check(r: ResourceView):
    plain = [disk for disk in ("bootDisk", "dataDisks")
             if r.get("gceSetup", disk, "diskEncryption") != "CMEK" or not r.is_set("gceSetup", disk, "kmsKey")]
    if plain:
        names = " and ".join("gce_setup." + ("boot_disk" if d == "bootDisk" else "data_disks") for d in plain)
        return NonCompliant(f"{r.title} encrypts {names} with a Google-managed key; set disk_encryption='CMEK' and "
                            "kms_key to a Cloud KMS key on each.")
    return Compliant()


RULE = ResourceRule(
    name="vertex-workbench-cmek",
    description="Vertex AI Workbench boot and data disks use a customer-managed encryption key.",
    resource_types=WORKBENCH_INSTANCE,
    controls=("GCP org policy constraints/gcp.restrictNonCmekServices",),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
