"""Checks that need more than one key, or the hardware catalog, to decide."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .model import Cloud, LandingZoneConfig

if TYPE_CHECKING:
    from . import ConfigProblem


def pool_gpus_per_node(cloud: Cloud, instance_type: str) -> int:
    from components.catalog import UnknownTypeError, aws_instance_type, gcp_machine_type

    if cloud is Cloud.gcp:
        return gcp_machine_type(instance_type).accelerator.count
    if cloud is Cloud.byo:  # a brought node may be either cloud's type
        try:
            return aws_instance_type(instance_type).accelerator.count
        except UnknownTypeError:
            return gcp_machine_type(instance_type).accelerator.count
    return aws_instance_type(instance_type).accelerator.count


# Names the Kubernetes platform layer (components/k8s) gives its own objects; config must not reuse them.
KUEUE_NAMESPACE = "kueue-system"
GPU_OPERATOR_NAMESPACE = "gpu-operator"
KUEUE_CPU_FLAVOR = "default-flavor"  # GPU pools name the other Kueue flavors
# Team namespaces are named after the team; these belong to Kubernetes or to the platform's services.
RESERVED_NAMESPACES = ("default", KUEUE_NAMESPACE, GPU_OPERATOR_NAMESPACE)


def _lookup_problem(cloud: Cloud, instance_type: str) -> str | None:
    from components.catalog import UnknownTypeError, aws_instance_type, gcp_machine_type

    lookups = {Cloud.aws: [aws_instance_type], Cloud.gcp: [gcp_machine_type],
               Cloud.byo: [aws_instance_type, gcp_machine_type]}[cloud]
    errors = []
    for lookup in lookups:
        try:
            lookup(instance_type)
            return None
        except UnknownTypeError as exc:
            errors.append(str(exc))
    return "; ".join(errors)


# What the AWS landing zone can build; other values of these keys belong to GCP or to brought clusters.
AWS_FILE_KINDS = ("none", "lustre", "efs")
AWS_IMAGES = ("al2023-nvidia", "bottlerocket-nvidia")
AWS_BLOCK_CLASSES = ("gp3", "io2")
LUSTRE_THROUGHPUT_TIERS = (125, 250, 500, 1000)  # FSx for Lustre PERSISTENT_2, MB/s per TiB
# An IAM role or user ARN; `*` and `?` are allowed in the name (the trust policy matches with ArnLike).
AWS_PRINCIPAL_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/*?-]+$")


def _s3_lifecycle_problems(policy) -> list[tuple[str, str]]:
    """S3 rejects lifecycle rules that break its minimum storage durations; say so at plan time."""
    ia, archive, expire = (policy.transition_to_infrequent_days, policy.transition_to_archive_days,
                           policy.expiration_days)
    out = []
    if ia is not None and ia < 30:
        out.append(("transitionToInfrequentDays", f"must be >= 30 on AWS: S3 keeps objects 30 days before "
                                                  f"Standard-IA (got {ia})"))
    if ia is not None and archive is not None and archive < ia + 30:
        out.append(("transitionToArchiveDays", f"must be at least 30 days after transitionToInfrequentDays "
                                               f"({ia}) on AWS (got {archive})"))
    last = max((d for d in (ia, archive) if d is not None), default=None)
    if expire is not None and last is not None and expire <= last:
        out.append(("expirationDays", f"must be later than the last transition (day {last}) (got {expire})"))
    return out


def _autoscaler_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    """EKS: the pinned cluster-autoscaler chart must run the cluster's Kubernetes minor."""
    from components.k8s.charts import CLUSTER_AUTOSCALER_APP_VERSIONS

    from . import ConfigProblem

    where = "kubernetes.charts.clusterAutoscaler.version"
    version = cfg.kubernetes.charts.cluster_autoscaler.version
    app = CLUSTER_AUTOSCALER_APP_VERSIONS.get(version)
    if app is None:
        known = ", ".join(f"{v} (cluster-autoscaler {a})" for v, a in CLUSTER_AUTOSCALER_APP_VERSIONS.items())
        return [ConfigProblem(where, f"chart {version}: its cluster-autoscaler version is not recorded, so neither "
                              f"its Kubernetes minor nor its ProvisioningRequest CRD can be checked; known: {known}")]
    if not app.startswith(f"{cfg.kubernetes.version}."):
        return [ConfigProblem(where, f"chart {version} runs cluster-autoscaler {app}, but kubernetes.version is "
                              f"{cfg.kubernetes.version}: the autoscaler's minor must match the cluster's")]
    return []


def _aws_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    from . import ConfigProblem
    from .model import CapacityType

    problems: list[ConfigProblem] = []
    reserved = (CapacityType.reservation, CapacityType.capacity_block)
    for i, pool in enumerate(cfg.gpu_pools):
        where = f"gpuPools[{i}]"
        kind = pool.capacity.type
        if kind is CapacityType.flex_start:
            problems.append(ConfigProblem(
                f"{where}.capacity.type", "flexStart is a GCP capacity type; on AWS use onDemand, spot, "
                "reservation or capacityBlock"))
        if kind in reserved and not pool.capacity.zone:
            problems.append(ConfigProblem(
                f"{where}.capacity.zone", f"required with capacity type {kind.value} on AWS: the zone the "
                "reservation is in (the pool is pinned there)"))
        if kind in reserved and pool.placement == "compact":
            problems.append(ConfigProblem(
                f"{where}.placement", f"compact conflicts with capacity type {kind.value}: the reservation decides "
                "placement, and a placement group it was not made in makes launches fail; omit placement"))
        if pool.image and pool.image not in AWS_IMAGES:
            problems.append(ConfigProblem(
                f"{where}.image", f"must be one of {', '.join(AWS_IMAGES)} on AWS (got {pool.image!r})"))
    for i, team in enumerate(cfg.teams):
        for j, principal in enumerate(team.people):
            if not AWS_PRINCIPAL_ARN.match(principal):
                problems.append(ConfigProblem(
                    f"teams[{i}].people[{j}]", "must be an IAM role or user ARN such as arn:aws:iam::123456789012:"
                    f"role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MLResearch_* (got {principal!r})"))
    problems += _autoscaler_problems(cfg)
    file_tier = cfg.storage.file
    if file_tier.kind not in AWS_FILE_KINDS:
        problems.append(ConfigProblem(
            "storage.file.kind", f"must be one of {', '.join(AWS_FILE_KINDS)} on AWS (got {file_tier.kind!r})"))
    if file_tier.kind == "lustre" and file_tier.throughput_mbps_per_tib is not None \
            and file_tier.throughput_mbps_per_tib not in LUSTRE_THROUGHPUT_TIERS:
        problems.append(ConfigProblem(
            "storage.file.throughputMbpsPerTib", "must be one of "
            f"{', '.join(map(str, LUSTRE_THROUGHPUT_TIERS))} for FSx for Lustre PERSISTENT_2 "
            f"(got {file_tier.throughput_mbps_per_tib})"))
    for purpose in ("datasets", "checkpoints", "artifacts", "logs"):
        problems += [ConfigProblem(f"storage.objects.{purpose}.{key}", message)
                     for key, message in _s3_lifecycle_problems(getattr(cfg.storage.objects, purpose))]
    block_class = cfg.storage.block.default_class
    if block_class and block_class not in AWS_BLOCK_CLASSES:
        problems.append(ConfigProblem(
            "storage.block.defaultClass", f"must be one of {', '.join(AWS_BLOCK_CLASSES)} on AWS (got {block_class!r})"))
    return problems


def semantic_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    from . import ConfigProblem

    problems: list[ConfigProblem] = []
    if cfg.cloud is Cloud.aws:
        problems += _aws_problems(cfg)
    else:
        problems += [ConfigProblem(f"teams[{i}].people", "is AWS only (IAM principals of the team's human role); "
                                   "on GCP and brought clusters people get the namespace through `group`")
                     for i, team in enumerate(cfg.teams) if team.people]
    if cfg.cloud is not Cloud.gcp and cfg.kubernetes.gke_security_group:
        problems.append(ConfigProblem("kubernetes.gkeSecurityGroup", "is GCP only (Google Groups for RBAC on GKE)"))

    if cfg.cloud is Cloud.gcp:
        if not cfg.region:
            problems.append(ConfigProblem("region", "required when cloud is gcp (e.g. us-central1)"))
        if not cfg.gcp_project:
            problems.append(ConfigProblem("gcpProject", "required when cloud is gcp"))
    if cfg.cloud is Cloud.byo:
        if not cfg.kubernetes.kubeconfig_secret:
            problems.append(ConfigProblem(
                "kubernetes.kubeconfigSecret",
                "required when cloud is byo: the config key of the kubeconfig, set with `pulumi config set --secret`",
            ))
        if cfg.storage.file.kind not in ("none",):
            problems.append(ConfigProblem("storage.file.kind", "must be none when cloud is byo (bring your own file tier)"))

    names = Counter(p.name for p in cfg.gpu_pools)
    capacity: dict[str, int] = {}
    for i, pool in enumerate(cfg.gpu_pools):
        where = f"gpuPools[{i}]"
        if names[pool.name] > 1:
            problems.append(ConfigProblem(f"{where}.name", f"duplicate pool name {pool.name!r}; names must be unique"))
        if pool.gpus_per_node is not None and cfg.cloud is not Cloud.byo:
            problems.append(ConfigProblem(
                f"{where}.gpusPerNode", f"only for cloud byo; on {cfg.cloud.value} the catalog gives the GPUs of "
                f"{pool.instance_type}"))
        # A brought pool may be hardware no catalog lists: then gpusPerNode says what it holds.
        brought_off_catalog = cfg.cloud is Cloud.byo and pool.gpus_per_node is not None
        problem = None if brought_off_catalog else _lookup_problem(cfg.cloud, pool.instance_type)
        if problem:
            if cfg.cloud is Cloud.byo:
                problem += "; or set gpusPerNode for hardware outside the catalog"
            problems.append(ConfigProblem(f"{where}.instanceType", problem))
            continue
        capacity[pool.name] = pool.max_nodes * (
            pool.gpus_per_node or pool_gpus_per_node(cfg.cloud, pool.instance_type))
        zones = cfg.network.zones
        for key, zone in (("zone", pool.zone), ("capacity.zone", pool.capacity.zone)):
            if zone and zones and zone not in zones:
                problems.append(ConfigProblem(
                    f"{where}.{key}", f"zone {zone!r} is not one of network.zones ({', '.join(zones)})"))
        if pool.zone and pool.capacity.zone and pool.zone != pool.capacity.zone:
            problems.append(ConfigProblem(
                f"{where}.zone", f"must equal capacity.zone {pool.capacity.zone!r}: the reservation decides the zone"))

    if cfg.max_gpus is not None and capacity:
        total = sum(capacity.values())
        if total > cfg.max_gpus:
            problems.append(ConfigProblem(
                "maxGpus", f"pools can scale to {total} GPUs, more than maxGpus {cfg.max_gpus}; lower maxNodes or raise maxGpus"))

    if cfg.cloud is Cloud.byo and len(cfg.gpu_pools) > 1:
        # Kueue tells brought pools apart only by node labels; equal selectors would mix their quotas.
        seen: dict[tuple[tuple[str, str], ...], str] = {}
        for i, pool in enumerate(cfg.gpu_pools):
            selector = tuple(sorted({**cfg.kubernetes.gpu_node_selector, **pool.labels}.items()))
            if selector in seen:
                problems.append(ConfigProblem(
                    f"gpuPools[{i}].labels", f"pool {pool.name!r} selects the same nodes as pool {seen[selector]!r}; "
                    "give each brought pool a node label that only its nodes carry"))
            seen.setdefault(selector, pool.name)

    block_classes = {Cloud.aws: ("gp3", "io2"), Cloud.gcp: ("hyperdisk-balanced", "pd-balanced"), Cloud.byo: ()}
    default_class = cfg.storage.block.default_class
    if default_class and default_class not in block_classes[cfg.cloud]:
        allowed = ", ".join(block_classes[cfg.cloud]) or "none (a brought cluster keeps its own classes)"
        problems.append(ConfigProblem(
            "storage.block.defaultClass", f"{default_class} is not a {cfg.cloud.value} class; allowed: {allowed}"))
    for i, pool in enumerate(cfg.gpu_pools):
        if pool.name == KUEUE_CPU_FLAVOR:
            problems.append(ConfigProblem(
                f"gpuPools[{i}].name", f"{pool.name!r} is the name of the platform's CPU/memory flavor; rename the pool"))

    if cfg.kubernetes.gcs_fuse_buckets and cfg.cloud is not Cloud.gcp:
        problems.append(ConfigProblem("kubernetes.gcsFuseBuckets", f"only for cloud gcp (got cloud {cfg.cloud.value})"))

    team_names = Counter(t.name for t in cfg.teams)
    nominal: Counter[str] = Counter()
    for i, team in enumerate(cfg.teams):
        if team_names[team.name] > 1:
            problems.append(ConfigProblem(f"teams[{i}].name", f"duplicate team name {team.name!r}; names must be unique"))
        if team.name in RESERVED_NAMESPACES or team.name.startswith("kube-"):
            problems.append(ConfigProblem(
                f"teams[{i}].name", f"{team.name!r} is the team's namespace name and is reserved "
                f"({', '.join(RESERVED_NAMESPACES)} and kube-*); choose another name"))
        for pool_name, gpus in team.gpu_quota.items():
            if pool_name not in names:
                known = ", ".join(sorted(names)) or "none defined"
                problems.append(ConfigProblem(
                    f"teams[{i}].gpuQuota.{pool_name}", f"unknown pool {pool_name!r}; pools: {known}"))
            else:
                nominal[pool_name] += gpus
    for pool_name, total in nominal.items():
        if pool_name in capacity and total > capacity[pool_name] and not cfg.kubernetes.allow_quota_overcommit:
            problems.append(ConfigProblem(
                "teams",
                f"nominal GPU quota for pool {pool_name!r} is {total}, more than its {capacity[pool_name]} GPUs at "
                "maxNodes; lower the quotas (borrowing between teams is set with borrowingLimit), or set "
                "kubernetes.allowQuotaOvercommit: true if overcommitting is intended",
            ))
    return problems
