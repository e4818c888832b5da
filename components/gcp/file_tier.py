"""File tier: Managed Lustre, Filestore or Parallelstore on the private-services range, by config.

Managed Lustre is the training tier: CMEK, GKE client support, sized for the training pools' read rate
(`storage_rules.lustre_size`), in the zone of the first pinned training pool. It is filled from the
datasets bucket: the Lustre service agent may read that bucket, and `import_command` is the
`gcloud lustre instances import-data` call that copies it (imports are operations on an instance,
not a setting - pulumi-gcp has no resource for them).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.names import PROJECT
from components.options import child
from components.platform_inputs import FileTierHandle

from .common import GcpContext
from .storage_rules import FileTierSize

DATASETS_MOUNT = "/datasets"


@dataclass(frozen=True)
class FileTierArgs:
    ctx: GcpContext
    size: FileTierSize
    zone: str
    network: pulumi.Input[str]              # VPC id: projects/<p>/global/networks/<name>
    network_name: pulumi.Input[str]
    psa_connection: pulumi.Resource
    kms_key: pulumi.Input[str] | None
    key_grants: list[pulumi.Resource]
    datasets_bucket: gcp.storage.Bucket


def lustre_filesystem_name(environment: str) -> str:
    """Lustre fsname: at most 8 letters or digits."""
    return f"lz{environment}"[:8]


class FileTier(pulumi.ComponentResource):
    """`lz:gcp:FileTier`: `.handle` is the `FileTierHandle` the Kubernetes layer mounts."""

    def __init__(self, name: str, args: FileTierArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:FileTier", name, None, opts)
        ctx = args.ctx
        project = ctx.project
        labels = ctx.labelled(tier="file")
        depends = [args.psa_connection, *args.key_grants]
        keep = ctx.stateful(self, opts, depends_on=depends)
        instance_id = ctx.physical_name(args.size.kind.lower())
        self.import_command: pulumi.Output[str] | None = None

        if args.size.kind == "managedLustre":
            fs = lustre_filesystem_name(ctx.environment)
            self.instance = gcp.lustre.Instance(
                f"{name}-lustre", instance_id=instance_id, project=project, location=args.zone,
                network=args.network, filesystem=fs, capacity_gib=str(args.size.capacity_gib),
                per_unit_storage_throughput=str(args.size.throughput_mbps_per_tib),
                gke_support_enabled=True, kms_key=args.kms_key, labels=labels,
                description=f"{PROJECT} training file system", opts=keep)
            self.datasets_reader = gcp.storage.BucketIAMMember(
                f"{name}-lustre-reads-datasets", bucket=args.datasets_bucket.name, role="roles/storage.objectViewer",
                member=ctx.service_agent_member("managedLustre"),
                opts=child(self, opts, depends_on=[self.instance]))
            self.import_command = pulumi.Output.concat(
                "gcloud lustre instances import-data ", instance_id, " --location=", args.zone,
                " --project=", project, " --gcs-path=", args.datasets_bucket.url, "/ --lustre-path=", DATASETS_MOUNT)
            ip = self.instance.mount_point.apply(lambda m: m.split("@", 1)[0] if m else m)
            self.handle = FileTierHandle(kind="managedLustre", id=f"{project}/{args.zone}/{instance_id}",
                                         dns_name=ip, mount_name=fs, capacity_gib=args.size.capacity_gib)
        elif args.size.kind == "filestore":
            share = "shared"
            self.instance = gcp.filestore.Instance(
                f"{name}-filestore", name=instance_id, project=project, location=args.zone, tier="ZONAL",
                file_shares=gcp.filestore.InstanceFileSharesArgs(name=share, capacity_gb=args.size.capacity_gib),
                networks=[gcp.filestore.InstanceNetworkArgs(
                    network=args.network_name, modes=["MODE_IPV4"], connect_mode="PRIVATE_SERVICE_ACCESS")],
                kms_key_name=args.kms_key, deletion_protection_enabled=ctx.is_prod, labels=labels, opts=keep)
            ip = self.instance.networks.apply(lambda n: n[0].ip_addresses[0] if n and n[0].ip_addresses else None)
            self.handle = FileTierHandle(kind="filestore", id=self.instance.id, dns_name=ip, mount_name=share,
                                         capacity_gib=args.size.capacity_gib)
        elif args.size.kind == "parallelstore":
            self.instance = gcp.parallelstore.Instance(
                f"{name}-parallelstore", instance_id=instance_id, project=project, location=args.zone,
                capacity_gib=str(args.size.capacity_gib), network=args.network_name,
                deployment_type="PERSISTENT" if ctx.is_prod else "SCRATCH", labels=labels, opts=keep)
            self.handle = FileTierHandle(kind="parallelstore", id=f"{project}/{args.zone}/{instance_id}",
                                         dns_name=self.instance.access_points.apply(
                                             lambda a: ",".join(a) if a else None),
                                         capacity_gib=args.size.capacity_gib)
        else:
            raise ValueError(f"storage.file.kind {args.size.kind!r} has no GCP file tier")
        self.register_outputs({"id": self.instance.id, "capacity_gib": args.size.capacity_gib,
                               "import_command": self.import_command})
