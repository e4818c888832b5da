"""Config problems only GCP can judge, reported like the loader's own (file, key path, what is allowed).

`components.config.checks` covers what holds on every cloud; this adds what GKE, GCS and the GCP file
tiers require. `GcpLandingZone` raises `ConfigError` with these before it registers anything.
"""

from __future__ import annotations

import re

from components.catalog import gcp_machine_type
from components.config import ConfigProblem
from components.config.model import CapacityType, LandingZoneConfig

from .layout import overlapping_ranges
from .pool_settings import RESERVED_LABEL_PREFIXES
from .storage_rules import PURPOSES, lifecycle_problems

GCP_FILE_KINDS = ("none", "managedLustre", "filestore", "parallelstore")
GCP_IMAGES = (None, "cos", "ubuntu")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def gcp_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    net = cfg.network

    overlaps = overlapping_ranges({
        "network.cidr": net.cidr, "network.podsCidr": net.pods_cidr, "network.servicesCidr": net.services_cidr,
        "network.privateServicesCidr": net.private_services_cidr,
    })
    for a, b in overlaps:
        problems.append(ConfigProblem(b, f"overlaps {a}; the node, pod, service and private-services ranges "
                                         "must be disjoint"))
    if int(net.private_services_cidr.split("/")[1]) > 20:
        problems.append(ConfigProblem("network.privateServicesCidr",
                                      f"must be /20 or larger for Managed Lustre (got {net.private_services_cidr})"))
    region = cfg.region or ""
    for i, zone in enumerate(net.zones or []):
        if not zone.startswith(f"{region}-"):
            problems.append(ConfigProblem(f"network.zones[{i}]", f"zone {zone!r} is not in region {region!r}"))

    # Google Groups for RBAC: people reach their namespace through the team's Google group, which GKE only
    # sees when the cluster names the gke-security-groups@<domain> group (GKE docs, "Configure Google
    # Groups for RBAC": the group must be named exactly that).
    grouped = [(i, t) for i, t in enumerate(cfg.teams) if t.group and t.managed_by == "platform"]
    for i, team in grouped:
        if not EMAIL.match(team.group or ""):
            problems.append(ConfigProblem(f"teams[{i}].group", "on GCP must be a Google group's email address, "
                                          f"e.g. ml-research@example.com (got {team.group!r})"))
    security_group = cfg.kubernetes.gke_security_group
    if grouped and not security_group:
        problems.append(ConfigProblem("kubernetes.gkeSecurityGroup", "required when a team has a group: the "
                                      "gke-security-groups@<your domain> group that contains the teams' groups"))
    if security_group and not security_group.startswith("gke-security-groups@"):
        problems.append(ConfigProblem("kubernetes.gkeSecurityGroup", "must be gke-security-groups@<your domain> "
                                      f"(GKE requires that name; got {security_group!r})"))
    if cfg.storage.file.kind not in GCP_FILE_KINDS:
        problems.append(ConfigProblem(
            "storage.file.kind", f"must be one of {', '.join(GCP_FILE_KINDS)} when cloud is gcp "
                                 f"(got {cfg.storage.file.kind!r})"))
    if cfg.storage.block.default_class in ("gp3", "io2"):
        problems.append(ConfigProblem(
            "storage.block.defaultClass", f"must be pd-balanced or hyperdisk-balanced when cloud is gcp "
                                          f"(got {cfg.storage.block.default_class!r})"))
    logs = cfg.storage.objects.logs
    if logs.expiration_days and logs.expiration_days < cfg.storage.objects.object_lock_days:
        problems.append(ConfigProblem(
            "storage.objects.logs.expirationDays",
            f"must be at least objectLockDays ({cfg.storage.objects.object_lock_days}): the logs bucket's retention "
            f"policy keeps every object that long (got {logs.expiration_days})"))
    for purpose in PURPOSES:
        for message in lifecycle_problems(purpose, getattr(cfg.storage.objects, purpose)):
            key, text = message.split(": ", 1)
            problems.append(ConfigProblem(key, text))

    for i, pool in enumerate(cfg.gpu_pools):
        where = f"gpuPools[{i}]"
        try:
            machine = gcp_machine_type(pool.instance_type)
        except ValueError:
            continue  # the cloud-neutral checks already report unknown machine types
        if pool.capacity.type is CapacityType.capacity_block:
            problems.append(ConfigProblem(f"{where}.capacity.type",
                                          "capacityBlock is AWS-only; on GCP use reservation, spot or flexStart"))
        if pool.capacity.type is CapacityType.flex_start and pool.min_nodes:
            problems.append(ConfigProblem(f"{where}.minNodes",
                                          f"must be 0 with flexStart: queued provisioning starts nodes only for "
                                          f"accepted ProvisioningRequests (got {pool.min_nodes})"))
        if pool.image not in GCP_IMAGES:
            problems.append(ConfigProblem(f"{where}.image", f"must be cos or ubuntu on GKE (got {pool.image!r})"))
        reserved = sorted(k for k in pool.labels if k.startswith(RESERVED_LABEL_PREFIXES))
        if reserved:
            problems.append(ConfigProblem(f"{where}.labels", f"{', '.join(reserved)}: prefixes "
                                          f"{', '.join(RESERVED_LABEL_PREFIXES)} are reserved by GKE"))
        if machine.gpu_nics.rdma_network is not None and not (pool.zone or pool.capacity.zone or net.zones):
            problems.append(ConfigProblem(f"{where}.zone",
                                          f"{machine.name} needs a zone with an RDMA (RoCE) network profile; set "
                                          "zone or capacity.zone (the zones offering it are listed by "
                                          "`gcloud compute network-profiles list`)"))
    return problems
