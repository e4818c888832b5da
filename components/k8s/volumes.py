"""The shared file systems and buckets every team namespace gets as a static PV + PVC.

The landing zone hands over one `FileTierHandle`; its fields map to the CSI drivers as follows:

| kind          | driver                          | volumeHandle                          | volumeAttributes            |
|---------------|---------------------------------|---------------------------------------|-----------------------------|
| lustre (FSx)  | fsx.csi.aws.com                 | `id` (fs-...)                         | dnsname=`dns_name`, mountname=`mount_name` |
| managedLustre | lustre.csi.storage.gke.io       | PROJECT/ZONE/INSTANCE from `id`       | ip=`dns_name`, filesystem=`mount_name` |
| filestore     | filestore.csi.storage.gke.io    | modeInstance/LOCATION/INSTANCE/SHARE  | ip=`dns_name`, volume=`mount_name` (the share) |

`id` may be the provider's resource id (`projects/P/locations/L/instances/I`) or already the short form.
EFS is offered through a StorageClass with access points instead (a directory per claim), and
Parallelstore is not wired: its CSI volume also needs the VPC network, which the handle lacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.platform_inputs import FileTierHandle

GCS_FUSE_CAPACITY_GIB = 1  # advisory: a bucket has no size, but a PV must state one


@dataclass(frozen=True)
class SharedVolume:
    key: str                       # the PVC name in each team namespace
    driver: str
    volume_handle: Any             # pulumi.Input[str]
    attributes: Mapping[str, Any] = field(default_factory=dict)
    capacity_gib: int = 1
    mount_options: tuple[str, ...] = ()


_INSTANCE_ID = re.compile(r"^projects/([^/]+)/locations/([^/]+)/instances/([^/]+)$")


def managed_lustre_handle(resource_id: str) -> str:
    match = _INSTANCE_ID.match(resource_id)
    return "/".join(match.groups()) if match else resource_id


def filestore_handle(resource_id: str, share: str) -> str:
    if resource_id.startswith("modeInstance/"):
        return resource_id
    match = _INSTANCE_ID.match(resource_id)
    if not match:
        raise ValueError(f"expected a Filestore instance id projects/P/locations/L/instances/I, got {resource_id!r}")
    _, location, instance = match.groups()
    return f"modeInstance/{location}/{instance}/{share}"


def _dns_safe(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def shared_volumes(file_tier: FileTierHandle | None, gcs_buckets: Sequence[str] = ()) -> list[SharedVolume]:
    volumes: list[SharedVolume] = []
    tier = file_tier
    if tier is not None and tier.kind == "lustre":
        volumes.append(SharedVolume(
            "lustre", "fsx.csi.aws.com", tier.id, {"dnsname": tier.dns_name, "mountname": tier.mount_name},
            tier.capacity_gib, ("flock",)))
    elif tier is not None and tier.kind == "managedLustre":
        volumes.append(SharedVolume(
            "lustre", "lustre.csi.storage.gke.io", pulumi.Output.from_input(tier.id).apply(managed_lustre_handle),
            {"ip": tier.dns_name, "filesystem": tier.mount_name}, tier.capacity_gib))
    elif tier is not None and tier.kind == "filestore":
        handle = pulumi.Output.all(tier.id, tier.mount_name).apply(lambda v: filestore_handle(v[0], v[1]))
        volumes.append(SharedVolume(
            "filestore", "filestore.csi.storage.gke.io", handle, {"ip": tier.dns_name, "volume": tier.mount_name},
            tier.capacity_gib))
    for bucket in gcs_buckets:
        # implicit-dirs: show prefixes written by other tools as directories.
        volumes.append(SharedVolume(f"gcs-{_dns_safe(bucket)}"[:63].rstrip("-"), "gcsfuse.csi.storage.gke.io",
                                    bucket, {}, GCS_FUSE_CAPACITY_GIB, ("implicit-dirs",)))
    return volumes
