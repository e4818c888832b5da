"""Storage classes: encrypted block classes per cloud, EFS access points when EFS is handed over.

A brought cluster keeps its own classes (`kubernetes.storageClasses` names the ones teams may use);
nothing is created there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.config.model import LandingZoneConfig
from components.platform_inputs import FileTierHandle

from . import manifests as m
from .charts import ClusterKind
from .objects import create

BLOCK_CLASSES: dict[str, tuple[str, ...]] = {"eks": ("gp3", "io2"), "gke": ("hyperdisk-balanced", "pd-balanced")}
# hyperdisk-balanced: A3, A3 Ultra and A4 attach Hyperdisk only; set storage.block.defaultClass: pd-balanced
# for A2 and G2 pools.
DEFAULT_BLOCK_CLASS = {"eks": "gp3", "gke": "hyperdisk-balanced"}


def block_class_manifests(config: LandingZoneConfig, kind: ClusterKind, kms_key: Any = None) -> list[m.Manifest]:
    if kind not in BLOCK_CLASSES:
        return []
    block = config.storage.block
    default = block.default_class or DEFAULT_BLOCK_CLASS[kind]
    labels = m.platform_labels(config)
    out = []
    for name in BLOCK_CLASSES[kind]:
        tuned = name == default  # storage.block iops/throughput tune the default class
        params: dict[str, Any]
        if kind == "eks":
            params = {"type": name, "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
            if kms_key is not None:
                params["kmsKeyId"] = kms_key  # the landing zone's EBS key, not the AWS-managed one
            if name == "io2":
                params["iops"] = str(block.iops if tuned and block.iops else 3000)  # io2 needs provisioned IOPS
            elif tuned and block.iops:
                params["iops"] = str(block.iops)
            if name == "gp3" and tuned and block.throughput_mibps:
                params["throughput"] = str(block.throughput_mibps)
            provisioner = "ebs.csi.aws.com"
        else:
            # Persistent Disk and Hyperdisk are always encrypted at rest (Google-managed keys).
            params = {"type": name, "csi.storage.k8s.io/fstype": "ext4"}
            if name == "hyperdisk-balanced" and tuned and block.iops:
                params["provisioned-iops-on-create"] = str(block.iops)
            if name == "hyperdisk-balanced" and tuned and block.throughput_mibps:
                params["provisioned-throughput-on-create"] = f"{block.throughput_mibps}Mi"
            provisioner = "pd.csi.storage.gke.io"
        out.append(m.storage_class(name, labels, provisioner, params, default=name == default, retain=config.protect))
    return out


def efs_class_manifest(config: LandingZoneConfig, file_system_id: Any) -> m.Manifest:
    """Dynamic EFS volumes: each claim gets its own access point and directory (mode 700)."""
    return m.storage_class(
        "efs", m.platform_labels(config), "efs.csi.aws.com",
        {"provisioningMode": "efs-ap", "fileSystemId": file_system_id, "directoryPerms": "700",
         "basePath": "/dynamic"},
        default=False, retain=config.protect, wait_for_consumer=False)


@dataclass(frozen=True)
class PlatformStorageArgs:
    config: LandingZoneConfig
    kind: ClusterKind
    file_tier: FileTierHandle | None
    shared_homes: FileTierHandle | None = None
    block_kms_key: Any = None


class PlatformStorage(pulumi.ComponentResource):
    def __init__(self, name: str, args: PlatformStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:PlatformStorage", name, None, opts)
        manifests = block_class_manifests(args.config, args.kind, args.block_kms_key)
        efs = args.shared_homes or (args.file_tier if args.file_tier and args.file_tier.kind == "efs" else None)
        if args.kind == "eks" and efs is not None:
            manifests.append(efs_class_manifest(args.config, efs.id))
        child = pulumi.ResourceOptions(parent=self)
        self.classes = [create(f"{name}-{sc['metadata']['name']}", sc, child) for sc in manifests]
        names = [sc["metadata"]["name"] for sc in manifests] or list(args.config.kubernetes.storage_classes)
        self.class_names = names
        self.register_outputs({"storageClasses": names})
