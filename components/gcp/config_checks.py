"""Config problems only GCP can judge, reported like the loader's own (file, key path, what is allowed).

`components.config.checks` covers what holds on every cloud, and the values a key may take on GCP (the
`support.SUPPORT` table); its pipeline runs these too, before anything is registered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from components.catalog import gcp_machine_type
from components.config import ConfigProblem
from components.config.model import CapacityType, LandingZoneConfig

from .layout import NIC_SUBNET_PREFIX, nic_subnet_capacity, overlapping_ranges
from .pool_settings import RESERVED_LABEL_PREFIXES
from .storage_rules import PURPOSES, lifecycle_problems, retained

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def gcp_problems(cfg: LandingZoneConfig, provider: Mapping[str, Any] | None = None) -> list[ConfigProblem]:
    """`provider` (the stack's provider keys) is not judged on GCP: the project and region are our own keys."""
    problems: list[ConfigProblem] = []
    net = cfg.network

    overlaps = overlapping_ranges({
        "network.cidr": net.cidr, "network.podsCidr": net.pods_cidr, "network.servicesCidr": net.services_cidr,
        "network.privateServicesCidr": net.private_services_cidr, "network.gpuNicCidr": net.gpu_nic_cidr,
    })
    for a, b in overlaps:
        problems.append(ConfigProblem(b, f"overlaps {a}; the node, pod, service and private-services ranges "
                                         "and GPU NIC ranges must be disjoint"))
    if int(net.private_services_cidr.split("/")[1]) > 20:
        problems.append(ConfigProblem("network.privateServicesCidr",
                                      f"must be /20 or larger for Managed Lustre (got {net.private_services_cidr})"))
    region = cfg.region
    for i, zone in enumerate(net.zones or []):
        if region and not zone.startswith(f"{region}-"):
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
    lock_days = cfg.storage.objects.object_lock_days
    for purpose in PURPOSES:
        policy = getattr(cfg.storage.objects, purpose)
        if retained(purpose, cfg.object_lock) and policy.expiration_days and policy.expiration_days < lock_days:
            problems.append(ConfigProblem(
                f"storage.objects.{purpose}.expirationDays",
                f"must be at least objectLockDays ({lock_days}): the {purpose} bucket's retention policy keeps "
                f"every object that long, so an earlier deletion could never happen (got {policy.expiration_days})"))
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
        if pool.capacity.type is CapacityType.flex_start and pool.min_nodes:
            problems.append(ConfigProblem(f"{where}.minNodes",
                                          f"must be 0 with flexStart: queued provisioning starts nodes only for "
                                          f"accepted ProvisioningRequests (got {pool.min_nodes})"))
        reserved = sorted(k for k in pool.labels if k.startswith(RESERVED_LABEL_PREFIXES))
        if reserved:
            problems.append(ConfigProblem(f"{where}.labels", f"{', '.join(reserved)}: prefixes "
                                          f"{', '.join(RESERVED_LABEL_PREFIXES)} are reserved by GKE"))
        if machine.gpu_nics.rdma_network is not None and not (pool.zone or pool.capacity.zone or net.zones):
            problems.append(ConfigProblem(f"{where}.zone",
                                          f"{machine.name} needs a zone with an RDMA (RoCE) network profile; set "
                                          "zone or capacity.zone (the zones offering it are listed by "
                                          "`gcloud compute network-profiles list`)"))
    nic_needs = []
    for pool in cfg.gpu_pools:
        try:
            nic_needs.append((pool.name, gcp_machine_type(pool.instance_type).extra_node_networks))
        except ValueError:
            continue
    needed, capacity = sum(n for _, n in nic_needs), nic_subnet_capacity(net.gpu_nic_cidr)
    if needed > capacity:
        per_pool = ", ".join(f"{name} {n}" for name, n in nic_needs if n)
        problems.append(ConfigProblem(
            "network.gpuNicCidr",
            f"must hold one /{NIC_SUBNET_PREFIX} subnet for every GPU NIC of every pool ({needed}: {per_pool}) but "
            f"holds {capacity}; use a /{NIC_SUBNET_PREFIX - (needed - 1).bit_length()} or larger private range "
            f"that overlaps no other range, e.g. 172.16.0.0/12 (got {net.gpu_nic_cidr})"))
    return problems
