"""The typed stack configuration of the landing zone.

One model tree covers a whole environment. Every key of the `ai-landing-zone:` namespace in a
stack file is one field of `LandingZoneConfig`; components receive these typed objects, never
raw dicts. Every model forbids unknown keys, because a typo is the commonest config bug.

Defaults are the secure, cheap choice; `prod` turns on what costs money but protects data and
availability (NAT per zone, interface endpoints, object lock, protection of stateful resources).
"""

from __future__ import annotations

import ipaddress
import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.names import MANAGED_BY, MANAGED_BY_KEY, NAMING_SCHEMES, PROJECT

DnsLabel = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$"),
    Field(description="lower-case DNS label: a-z, 0-9 and '-', 1-32 characters, starting with a letter"),
]
TagValue = Annotated[str, StringConstraints(min_length=1, max_length=63, pattern=r"^[a-z0-9_-]+$")]

# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy API reference).
CLOUDWATCH_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                             1827, 2192, 2557, 2922, 3288, 3653)


class Strict(BaseModel):
    """Base for every config object: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        use_enum_values=False,
    )


class Environment(str, Enum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


class Cloud(str, Enum):
    aws = "aws"
    gcp = "gcp"
    byo = "byo"  # a Kubernetes cluster the team already runs


def _network(value: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR block with no host bits set, e.g. 10.0.0.0/16 ({exc})") from None


# Log retention a prod stack must keep: a year, as CIS asks of audit logs; the prod policy config's
# `log-retention.minRetentionDays` (policies/config/prod.json) is the same number (a test checks it).
PROD_LOG_RETENTION_DAYS = 365


class FlowLogs(Strict):
    retention_days: int = Field(
        90, description=f"Retention of the flow-log group, in days; default 90, and {PROD_LOG_RETENTION_DAYS} "
                        "when environment is prod.")
    traffic_type: Literal["ALL", "REJECT", "ACCEPT"] = "ALL"

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v not in CLOUDWATCH_RETENTION_DAYS:
            raise ValueError(f"must be one of {', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))}")
        return v


class NetworkConfig(Strict):
    """The cluster VPC. Node subnets are private; public subnets only hold NAT and load balancers."""

    cidr: str = Field("10.0.0.0/16", description="VPC CIDR; /16 leaves room for VPC-CNI on 32-NIC GPU nodes.")
    zones: list[str] | None = Field(
        None, description="Availability zones to use; default: the first `zoneCount` zones of the region."
    )
    zone_count: int = Field(2, ge=1, le=6)
    nat: Literal["single", "perZone"] | None = Field(
        None, description="NAT gateways: one per zone in prod (default), a single one elsewhere."
    )
    interface_endpoints: bool | None = Field(
        None, description="ECR, STS, EKS, logs and SSM interface endpoints; default on in prod only."
    )
    flow_logs: FlowLogs = FlowLogs()
    api_allowed_cidrs: list[str] = Field(
        default_factory=list,
        description="CIDRs allowed to reach a public cluster API endpoint outside prod. Empty: private only.",
    )
    pods_cidr: str = Field("10.64.0.0/14", description="GKE secondary range for pods.")
    services_cidr: str = Field("10.68.0.0/20", description="GKE secondary range for services.")
    private_services_cidr: str = Field(
        "10.100.0.0/20",
        description="GCP: private services access range peered to the VPC for Managed Lustre, Parallelstore "
                    "and Filestore (/20 or larger). Must not overlap the VPC, pod or service ranges.",
    )
    gpu_nic_cidr: str = Field(
        "172.16.0.0/12",
        description="GCP: range the GPU NIC VPC subnets are cut from, one /20 per NIC, every NIC of every pool "
                    "in the cluster its own /20 (pools in config order). Must not overlap the node, pod, "
                    "service or private-services ranges. The default holds 256 NICs (an A3 Mega pool takes 8, "
                    "an A3 Ultra or A4 pool 9); a /16 holds only 16.",
    )

    @field_validator("cidr", "pods_cidr", "services_cidr", "private_services_cidr", "gpu_nic_cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        net = _network(v)
        if not net.is_private:
            raise ValueError(f"must be a private (RFC 1918) range, got public range {v}")
        return v

    @field_validator("api_allowed_cidrs")
    @classmethod
    def _allowed(cls, v: list[str]) -> list[str]:
        for cidr in v:
            net = _network(cidr)
            if net.prefixlen == 0:
                raise ValueError("0.0.0.0/0 opens the cluster API to the internet; list your office or VPN ranges")
        return v

    @field_validator("cidr")
    @classmethod
    def _size(cls, v: str) -> str:
        if not 16 <= _network(v).prefixlen <= 20:
            raise ValueError(f"must be between /16 and /20 to fit GPU node subnets (got /{_network(v).prefixlen})")
        return v

    @model_validator(mode="after")
    def _zones(self) -> NetworkConfig:
        if self.zones is not None:
            if not self.zones:
                raise ValueError("zones: must list at least one zone, or be omitted")
            if len(set(self.zones)) != len(self.zones):
                raise ValueError("zones: must not repeat a zone")
        return self

    @property
    def vpc_network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr)


class Taint(Strict):
    key: str = Field(pattern=r"^([a-z0-9.-]+/)?[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$")
    value: str = Field("", max_length=63)
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class CapacityType(str, Enum):
    on_demand = "onDemand"
    spot = "spot"
    reservation = "reservation"        # an ODCR (AWS) or a specific reservation (GCP)
    capacity_block = "capacityBlock"   # AWS Capacity Blocks for ML
    flex_start = "flexStart"           # GCP flex-start / queued provisioning


class Capacity(Strict):
    type: CapacityType = CapacityType.on_demand
    reservation_id: str | None = Field(
        None, description="cr-... (AWS ODCR or Capacity Block) or the GCP reservation name."
    )
    zone: str | None = Field(None, description="The zone the reservation lives in; the pool is pinned there.")
    reserved_nodes: int | None = Field(
        None, ge=1, le=1000,
        description="reservation / capacityBlock: the instances the reservation holds. They bill whether used or "
                    "not, so `lz cost` counts them as idle cost; default: the pool's maxNodes. maxNodes may not "
                    "exceed it (a pool that targets a reservation cannot launch outside it).")

    @model_validator(mode="after")
    def _reservation(self) -> Capacity:
        needs = self.type in (CapacityType.reservation, CapacityType.capacity_block)
        if needs and not self.reservation_id:
            raise ValueError(f"reservationId: required when type is {self.type.value}")
        if not needs and self.reservation_id:
            raise ValueError(f"reservationId: only allowed with type reservation or capacityBlock, not {self.type.value}")
        if not needs and self.reserved_nodes is not None:
            raise ValueError(f"reservedNodes: only allowed with type reservation or capacityBlock, not {self.type.value}")
        return self


class GpuPool(Strict):
    """One accelerator node pool. The same shape plans on AWS (EKS) and GCP (GKE)."""

    name: DnsLabel
    instance_type: str = Field(description="AWS instance type or GCP machine type, from the catalog.")
    min_nodes: int = Field(0, ge=0, le=1000)
    max_nodes: int = Field(ge=1, le=1000)
    purpose: Literal["training", "inference"] = "inference"
    capacity: Capacity = Capacity()
    placement: Literal["compact", "none"] | None = Field(
        None, description="Default: compact for training pools with high-bandwidth NICs, none otherwise."
    )
    zone: str | None = Field(None, description="Pin the pool to one zone (multi-NIC training pools need one).")
    taints: list[Taint] = Field(default_factory=list, description="Extra taints; the GPU taint is always set.")
    labels: dict[str, str] = Field(default_factory=dict)
    disk_size_gib: int = Field(200, ge=50, le=16384)
    image: Literal["al2023-nvidia", "bottlerocket-nvidia", "cos", "ubuntu"] | None = None
    metadata_hop_limit: int = Field(
        1, ge=1, le=64, description="IMDSv2 hop limit; 2 only if pods that are not hostNetwork need IMDS."
    )
    read_throughput_per_gpu_mbps: float | None = Field(
        None, gt=0, description="Training data read rate per GPU that the file tier must sustain (MB/s)."
    )
    gpus_per_node: int | None = Field(
        None, ge=1, le=64,
        description="byo only: GPUs per node of a brought pool whose instanceType is not in the catalog "
                    "(e.g. on-prem servers); on AWS and GCP the catalog decides.",
    )

    @field_validator("max_nodes")
    @classmethod
    def _max_ge_min(cls, v: int, info) -> int:
        lo = info.data.get("min_nodes")
        if lo is not None and v < lo:
            raise ValueError(f"must be >= minNodes (got {v} < {lo})")
        return v

    @property
    def reserved_nodes(self) -> int | None:
        """Instances the pool's reservation / Capacity Block holds (billed used or not); None when the pool
        has no reservation. Default: maxNodes, the most the pool can launch into it."""
        if self.capacity.type not in (CapacityType.reservation, CapacityType.capacity_block):
            return None
        return self.capacity.reserved_nodes or self.max_nodes


class BucketPolicy(Strict):
    transition_to_infrequent_days: int | None = Field(None, ge=1)
    transition_to_archive_days: int | None = Field(None, ge=1)
    noncurrent_version_expiration_days: int | None = Field(None, ge=1)
    expiration_days: int | None = Field(None, ge=1)


class ObjectTier(Strict):
    datasets: BucketPolicy = BucketPolicy(transition_to_infrequent_days=30, transition_to_archive_days=180,
                                          noncurrent_version_expiration_days=30)
    checkpoints: BucketPolicy = BucketPolicy(noncurrent_version_expiration_days=14)
    artifacts: BucketPolicy = BucketPolicy(noncurrent_version_expiration_days=90)
    logs: BucketPolicy = BucketPolicy(transition_to_infrequent_days=90, expiration_days=730,
                                      noncurrent_version_expiration_days=30)
    object_lock: bool | None = Field(None, description="Object lock on artifacts and logs; default on in prod.")
    object_lock_days: int = Field(365, ge=1, le=36500)


class FileTier(Strict):
    kind: Literal["none", "lustre", "efs", "managedLustre", "filestore", "parallelstore"] = "none"
    capacity_gib: int | None = Field(None, ge=1, description="Default: sized by the storage advisor.")
    throughput_mbps_per_tib: int | None = Field(None, description="Lustre per-unit throughput tier.")
    auto_import: bool = Field(True, description="Link the datasets bucket (import on new/changed objects).")


class BlockTier(Strict):
    default_class: Literal["gp3", "io2", "pd-balanced", "hyperdisk-balanced"] | None = None
    iops: int | None = Field(None, ge=3000, le=256000)
    throughput_mibps: int | None = Field(None, ge=125, le=4000)


class StorageConfig(Strict):
    objects: ObjectTier = ObjectTier()
    file: FileTier = FileTier()
    shared_homes: bool = Field(False, description="EFS (AWS) or Filestore (GCP) for home directories.")
    block: BlockTier = BlockTier()


class Team(Strict):
    name: DnsLabel
    cost_center: TagValue
    group: str | None = Field(None, description="IdP group mapped to the team's Kubernetes role.")
    people: list[str] = Field(
        default_factory=list,
        description="aws only: IAM principal ARNs (ArnLike patterns allowed) of the people who may assume the "
                    "team's human role, which alone has an EKS access entry (Edit, team namespace only), e.g. "
                    "the roles of an IAM Identity Center permission set: arn:aws:iam::<account>:role/"
                    "aws-reserved/sso.amazonaws.com/AWSReservedSSO_<set>_*. Pods use a separate IRSA role.",
    )
    gpu_quota: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict, description="GPUs per pool name.")
    cpu: str | None = Field(
        None, pattern=r"^[0-9]+m?$",
        description="CPU the team's pods may request. Default: 64 for CPU-only work plus the vCPUs of the "
                    "GPU nodes its GPU quota (with borrowing) fills, from the catalog.",
    )
    memory: str | None = Field(
        None, pattern=r"^[0-9]+(Ki|Mi|Gi|Ti)$",
        description="Memory the team's pods may request. Default: 256Gi plus the memory of the GPU nodes its "
                    "GPU quota (with borrowing) fills, from the catalog.",
    )
    storage: str = Field("2Ti", pattern=r"^[0-9]+(Ki|Mi|Gi|Ti)$")
    pvc_count: int = Field(20, ge=0, le=10000)
    managed_by: Literal["platform", "workspace"] = Field(
        "platform",
        description="workspace: the team's own team-workspace project owns its namespace, identity and "
                    "LocalQueue; the landing zone keeps only its ClusterQueue and quota figures.",
    )
    borrowing_limit: int | None = Field(
        None, ge=0,
        description="GPUs the team may borrow from the cohort on top of its quota, in each pool it has quota in.",
    )
    monthly_budget_usd: float | None = Field(
        None, gt=0,
        description="The team's monthly budget (a cloud budget filtered by its `team` tag / label). Default: its "
                    "share of budget.maxMonthlyUsd - the share of the GPU pools' cost at max scale that its GPU "
                    "quota takes (the same split `lz cost --by team` uses).",
    )
    ci_principals: list[str] = Field(
        default_factory=list,
        description="Identities of the team's CI that may push images to the team's registry repository: IAM role "
                    "ARNs on aws (they also need ecr:GetAuthorizationToken from their own account), IAM members "
                    "such as serviceAccount:ci@<project>.iam.gserviceaccount.com on gcp.",
    )


class LoggingConfig(Strict):
    retention_days: int = Field(365, description="Audit and cluster log retention.")
    audit_trail: bool = Field(True, description="CloudTrail / project audit config and sink.")
    audit_replica_region: str | None = Field(
        None, pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$",
        description="aws: a second region CloudTrail's bucket is replicated to (S3 Cross-Region Replication), "
                    "so the audit trail survives the loss of the home region. Required in prod when "
                    "auditTrail is on; optional elsewhere. Must differ from aws:region, e.g. us-west-2.")

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v not in CLOUDWATCH_RETENTION_DAYS:
            raise ValueError(f"must be one of {', '.join(map(str, CLOUDWATCH_RETENTION_DAYS))}")
        return v


class Tags(Strict):
    """Cost-attribution tags, set on every taggable resource (and visible in its inputs)."""

    cost_center: TagValue
    team: TagValue = "platform"
    owner: str | None = Field(None, max_length=128)
    extra: dict[str, str] = Field(default_factory=dict)


NamingScheme = Enum("NamingScheme", [(s, s) for s in NAMING_SCHEMES], type=str)  # components/names.py


class Naming(Strict):
    scheme: NamingScheme = Field(  # type: ignore[valid-type]
        NamingScheme("stack"),
        description="How the stack names what it names itself (cluster, buckets, keys, service accounts). "
                    "stack: `ai-lz-<stack>` on every cloud, so stacks of one environment can share an account "
                    "or project. legacy: the names stacks got before (AWS `ai-lz-<stack>` as written, GCP "
                    "`lz-<environment>` and `<project>-<environment>-<purpose>` buckets); set it on a stack "
                    "deployed before, or its cluster, buckets and file system are replaced.")
_BILLING_ACCOUNT = r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$"


class BudgetThreshold(Strict):
    """One notification point of a budget: a percentage of its amount, of actual or forecasted spend."""

    percent: float = Field(gt=0, le=1000, description="Percent of the budget amount, e.g. 80.")
    spend: Literal["actual", "forecasted"] = "actual"


class Budget(Strict):
    max_monthly_usd: float | None = Field(
        None, gt=0,
        description="The environment's monthly budget (USD). Set: the plan's cost at max scale must fit under it "
                    "(policy stack-within-budget), and a cloud budget (AWS Budgets / GCP billing budget) alerts "
                    "at `thresholds`, with one budget per team.")
    billing_account: str | None = Field(
        None, pattern=_BILLING_ACCOUNT,
        description="gcp only: the Cloud Billing account (XXXXXX-XXXXXX-XXXXXX) the project bills to; GCP budgets "
                    "live on it. Required on GCP when maxMonthlyUsd is set.")
    thresholds: list[BudgetThreshold] = Field(
        default_factory=lambda: [BudgetThreshold(percent=80), BudgetThreshold(percent=100),
                                 BudgetThreshold(percent=100, spend="forecasted")],
        min_length=1,
        description="When budget notifications go out: default 80% and 100% of actual spend, 100% forecasted.")

    @field_validator("thresholds")
    @classmethod
    def _distinct(cls, v: list[BudgetThreshold]) -> list[BudgetThreshold]:
        if len({(t.percent, t.spend) for t in v}) != len(v):
            raise ValueError("lists the same percent and spend twice")
        return v


class Notifications(Strict):
    """Where alerts and budget notifications go."""
    # The addresses are judged by the validation pipeline (components/config/checks.py: `notifications`), which
    # names each one by its index.
    emails: list[str] = Field(default_factory=list,
                              description="Email addresses that get alerts and budget notifications.")


class Alerts(Strict):
    """Thresholds of the GPU alerts the landing zone installs (components/telemetry/rules.py)."""

    idle_utilization_percent: float = Field(
        5, ge=0, lt=100,
        description="A GPU allocated to a pod is idle while its DCGM_FI_DEV_GPU_UTIL stays below this (percent).")
    idle_minutes: int = Field(
        60, ge=5, le=1440,
        description="Minutes a GPU must stay idle (no sample at or above the threshold) before the idle alert fires.")
    stuck_at_max_minutes: int = Field(
        30, ge=5, le=1440,
        description="Minutes a pool must sit at maxNodes with workloads pending before the capacity alert fires.")


_CHART_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")


class ChartPin(Strict):
    """One Helm chart, pinned: an exact version from an https repository or an OCI registry."""

    chart: str = Field(description="Chart name in `repo`, or a full oci:// reference (then no repo).")
    repo: str | None = Field(None, description="https:// chart repository; omit for oci:// charts.")
    version: str = Field(description="Exact chart version, e.g. 0.15.3 or v25.10.1 (no ranges).")

    @field_validator("version")
    @classmethod
    def _exact(cls, v: str) -> str:
        if not _CHART_VERSION.match(v):
            raise ValueError("must be an exact chart version such as 0.15.3 or v25.10.1, not a range or tag")
        return v

    @model_validator(mode="after")
    def _source(self) -> ChartPin:
        oci = self.chart.startswith("oci://")
        if oci and self.repo:
            raise ValueError("repo: must be omitted when chart is an oci:// reference")
        if not oci and not (self.repo or "").startswith("https://"):
            raise ValueError("repo: an https:// chart repository is required unless chart is an oci:// reference")
        return self


class Charts(Strict):
    """The cluster services' charts. Defaults were checked against the publishers' registries."""

    kueue: ChartPin = ChartPin(chart="oci://registry.k8s.io/kueue/charts/kueue", version="0.15.3")
    gpu_operator: ChartPin = ChartPin(chart="gpu-operator", repo="https://helm.ngc.nvidia.com/nvidia",
                                      version="v25.10.1")
    efa_device_plugin: ChartPin = ChartPin(chart="aws-efa-k8s-device-plugin", repo="https://aws.github.io/eks-charts",
                                           version="v0.5.20")
    # EKS only. Chart 9.51.0 (git tag cluster-autoscaler-chart-9.51.0 of kubernetes/autoscaler) is the
    # last with appVersion 1.33.0, the minor of `kubernetes.version`'s default; the autoscaler's minor
    # must match the cluster's (cluster-autoscaler README, "Releases").
    cluster_autoscaler: ChartPin = ChartPin(chart="cluster-autoscaler", repo="https://kubernetes.github.io/autoscaler",
                                            version="9.51.0")
    # External Secrets Operator (git tag helm-chart-2.9.0 of external-secrets/external-secrets, appVersion
    # v2.9.0): its CRDs serve SecretStore as external-secrets.io/v1 only (v1beta1 is not served).
    external_secrets: ChartPin = ChartPin(chart="external-secrets", repo="https://charts.external-secrets.io",
                                          version="2.9.0")


# GKE GPUDirect node installers (components/k8s/gpudirect_installers.py). Defaults are exactly the
# references in Google's manifests (GoogleCloudPlatform/container-engine-accelerators at
# 992db81257553607f1477945f1b3219632991829): the pause and NRI images are pinned there by digest; the
# installers by tag only (no digest is published beside them; none is invented here), and the TCPXO
# host-setup step uses the unpinned `ubuntu` image. Set digests here to pin them.
_IMAGE_REF = re.compile(r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$")


class GpuDirectImages(Strict):
    tcpxo_installer: str = Field(
        "us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/nccl-plugin-gpudirecttcpx-dev:v1.0.15",
        description="gpudirect-tcpxo/nccl-tcpxo-installer.yaml, container nccl-tcpxo-installer.")
    tcpxo_host_setup: str = Field(
        "ubuntu:24.04",
        description="gpudirect-tcpxo/nccl-tcpxo-installer.yaml, init container pre-installation: it only runs "
                    "`nsenter` into the host. Google's file leaves it unpinned (`ubuntu`, i.e. latest); the "
                    "landing zone pins a release tag. Set a digest for a reproducible image.")
    nri_device_injector: str = Field(
        "gcr.io/gke-release/nri-device-injector@sha256:6e79483d52abdc28454bf186320b10a56b0f117a10e8d65d5c74dbb821a76970",
        description="nri_device_injector/nri-device-injector.yaml.")
    rdma_installer: str = Field(
        "us-docker.pkg.dev/gce-ai-infra/gpudirect-gib/nccl-plugin-gib:v1.1.1",
        description="gpudirect-rdma/nccl-rdma-installer.yaml, init container nccl-rdma-installer.")
    tcpxo_daemon: str = Field(
        "us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev:v1.0.21",
        description="gpudirect-tcpxo/nccl-test-latest.yaml, container tcpxo-daemon (RxDM): the sidecar the "
                    "golden TCPXO workloads run (pinned by tag in Google's file: set a digest).")
    pause: str = Field(
        "gke.gcr.io/pause:3.8@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830",
        description="The installers' pause container (both files).")

    @field_validator("*")
    @classmethod
    def _reference(cls, v: str) -> str:
        if not _IMAGE_REF.match(v):
            raise ValueError("must be an image reference such as registry/repo:tag or registry/repo@sha256:<64 hex>")
        return v


class GpuDirect(Strict):
    """gcp only: the NCCL plugin installers for GPUDirect-TCPXO and GPUDirect RDMA pools."""

    images: GpuDirectImages = GpuDirectImages()


class EgressRule(Strict):
    """One address block team pods may open TCP connections to, on the listed ports."""

    cidr: str = Field(description="IPv4 CIDR, e.g. 10.8.0.0/24 (not 0.0.0.0/0).")
    ports: list[int] = Field(min_length=1, description="TCP ports, 1-65535.")

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        if _network(v).prefixlen == 0:
            raise ValueError("0.0.0.0/0 would let team pods reach anything; list the ranges they need")
        return v

    @field_validator("ports")
    @classmethod
    def _ports(cls, v: list[int]) -> list[int]:
        bad = [p for p in v if not 1 <= p <= 65535]
        if bad:
            raise ValueError(f"ports must be 1-65535, got {bad}")
        if len(set(v)) != len(v):
            raise ValueError("ports must not repeat")
        return v


# IAM role ARN (partition aws, aws-cn or aws-us-gov; path allowed): IAM User Guide, "IAM identifiers".
_IAM_ROLE_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")


_DIGEST_PINNED = r"^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$"


class GoldenImages(Strict):
    """Container images of the golden workloads (components/workloads/golden.py), pinned by digest.

    No default: the platform does not pick (or make up) an image digest for you. Unset, the golden
    manifests carry no image and `lz workloads` says so."""

    training: str | None = Field(None, pattern=_DIGEST_PINNED,
                                 description="registry/repo[:tag]@sha256:<64 hex> for the training job")
    inference: str | None = Field(None, pattern=_DIGEST_PINNED,
                                  description="registry/repo[:tag]@sha256:<64 hex> for the inference Deployment")
    nccl_tests: str | None = Field(
        None, pattern=_DIGEST_PINNED,
        description="registry/repo[:tag]@sha256:<64 hex> of an image with NVIDIA nccl-tests built with MPI "
                    "(all_reduce_perf), Open MPI and OpenSSH, for the acceptance NCCL test (`lz verify`); on EFA "
                    "pools also the EFA installer and aws-ofi-nccl")
    dcgm: str | None = Field(
        None, pattern=_DIGEST_PINNED,
        description="registry/repo[:tag]@sha256:<64 hex> of an NVIDIA DCGM image (nv-hostengine, dcgmi) for the "
                    "acceptance GPU diagnostics (`lz verify`)")


# Upstream registries the landing zone can cache (components/registry_upstreams.py holds their hosts).
CacheUpstream = Literal["ecr-public", "k8s", "quay", "docker-hub", "github"]


class RegistriesConfig(Strict):
    """Private registries per team, caches of public registries, and image start-up options."""

    caches: list[CacheUpstream] = Field(
        default_factory=lambda: ["ecr-public", "k8s", "quay"],
        description="Public registries to cache (ECR pull-through cache rules on aws, Artifact Registry remote "
                    "repositories on gcp). docker-hub and github need credentials on aws (`credentials`).",
    )
    credentials: dict[CacheUpstream, str] = Field(
        default_factory=dict,
        description="aws: per upstream, the name of the Secrets Manager secret holding its credentials; ECR requires "
                    "the name to start with ecr-pullthroughcache/. The team or platform puts the value, not the stack.",
    )
    untagged_expiry_days: int = Field(14, ge=1, le=3650,
                                      description="Untagged images older than this are deleted (lifecycle / cleanup).")
    scan_on_push: bool = Field(True, description="Scan images on push (ECR basic scanning; Artifact Analysis on gcp, "
                                                 "charged per scanned image).")
    enhanced_scanning: bool = Field(
        False, description="aws: Amazon Inspector enhanced scanning for the whole account registry (charged per "
                           "image; one registry-wide setting, so only one stack per account may turn it on).")
    image_streaming: bool = Field(
        False, description="gcp: GKE image streaming (gcfs_config) on GPU pools with the cos image; it streams only "
                           "images stored in Artifact Registry.")

    @model_validator(mode="after")
    def _credentials(self) -> RegistriesConfig:
        for upstream, name in self.credentials.items():
            if upstream not in self.caches:
                raise ValueError(f"credentials.{upstream}: {upstream} is not in caches")
            if not name.startswith("ecr-pullthroughcache/"):
                raise ValueError(f"credentials.{upstream}: {name!r} must start with ecr-pullthroughcache/ "
                                 "(ECR pull-through cache requirement)")
        return self


class KubernetesConfig(Strict):
    version: str = Field("1.33", pattern=r"^1\.[0-9]{2}$")
    kubeconfig_secret: str | None = Field(
        None,
        description="byo only: the namespaced config key holding the kubeconfig, e.g. kubernetes:kubeconfig "
                    "(set with `pulumi config set --secret kubernetes:kubeconfig < kubeconfig.yaml`).",
    )
    context: str | None = None
    gpu_node_selector: dict[str, str] = Field(
        default_factory=dict, description="byo only: the label that marks existing GPU nodes."
    )
    storage_classes: list[str] = Field(default_factory=list, description="byo only: classes to offer teams.")
    charts: Charts = Charts()
    gpudirect: GpuDirect = GpuDirect()
    gpu_driver_preinstalled: bool = Field(
        False, description="byo only: the GPU nodes already run the NVIDIA driver, so the GPU operator must not."
    )
    allow_quota_overcommit: bool = Field(
        False,
        description="Let the teams' nominal GPU quotas in a pool add up to more than its GPUs at maxNodes "
                    "(admitted jobs may then wait for capacity). Off: overcommitting is a config error.",
    )
    gcs_fuse_buckets: list[str] = Field(
        default_factory=list,
        description="gcp only: buckets every team namespace gets as a Cloud Storage FUSE volume (PV + PVC).",
    )
    admin_principals: list[str] = Field(
        default_factory=list,
        description="aws only: IAM role ARNs given cluster-admin on EKS (an access entry with "
                    "AmazonEKSClusterAdminPolicy, cluster scope), e.g. the CI deploy role, which must reach the "
                    "cluster to apply the Kubernetes layer. The identity that creates the cluster already has "
                    "it; do not list that one (EKS refuses a second entry for a principal).",
    )
    gke_security_group: str | None = Field(
        None,
        description="gcp only: the gke-security-groups@<your domain> Google group that contains the teams' "
                    "`group`s (Google Groups for RBAC), so a team's RoleBinding to its group applies to its people.",
    )
    team_egress: list[EgressRule] = Field(
        default_factory=list,
        description="Address blocks and TCP ports every team namespace may reach besides DNS and its own "
                    "namespace (on a brought cluster: the object store, registry, identity provider...). "
                    "On AWS and GCP the landing zone adds what its own endpoints need.",
    )
    golden_images: GoldenImages = GoldenImages()

    @field_validator("kubeconfig_secret")
    @classmethod
    def _secret_key(cls, v: str | None) -> str | None:
        if v is None:
            return v
        namespace, _, key = v.rpartition(":")
        if not namespace or not key:
            raise ValueError("must be a namespaced config key such as kubernetes:kubeconfig")
        if namespace == PROJECT:
            raise ValueError(f"must not be in the {PROJECT} namespace, whose keys are all typed settings; "
                             "use e.g. kubernetes:kubeconfig")
        return v

    @field_validator("admin_principals")
    @classmethod
    def _admin_principals(cls, v: list[str]) -> list[str]:
        for arn in v:
            if not _IAM_ROLE_ARN.fullmatch(arn):
                raise ValueError(f"{arn!r} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>); "
                                 "EKS access entries take role or user ARNs, and CI assumes a role")
        if len(set(v)) != len(v):
            raise ValueError("lists a role twice")
        return v

    @field_validator("gcs_fuse_buckets")
    @classmethod
    def _buckets(cls, v: list[str]) -> list[str]:
        for bucket in v:
            if not re.match(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$", bucket):
                raise ValueError(f"{bucket!r} is not a Cloud Storage bucket name (3-222 chars: a-z 0-9 . _ -)")
        return v


class LandingZoneConfig(Strict):
    """Everything under the `ai-landing-zone:` namespace of a stack file."""

    environment: Environment
    cloud: Cloud
    region: str | None = Field(None, description="GCP region; on AWS use the provider key aws:region.")
    gcp_project: str | None = Field(None, description="GCP project id; on GCP, also set gcp:project.")
    gcp_organization_id: str | None = Field(
        None,
        description="GCP organization number (digits). Needed for the custom org-policy constraint that "
                    "limits node pools to this stack's GPU machine types; without it that constraint is skipped.",
    )
    network: NetworkConfig = NetworkConfig()
    gpu_pools: list[GpuPool] = Field(default_factory=list)
    storage: StorageConfig = StorageConfig()
    teams: list[Team] = Field(default_factory=list)
    logging: LoggingConfig = LoggingConfig()
    tags: Tags
    budget: Budget = Budget()
    notifications: Notifications = Notifications()
    alerts: Alerts = Alerts()
    max_gpus: int | None = Field(None, ge=0, description="Cap on GPUs at max scale across all pools.")
    gpu_quota_requests: bool = Field(
        True,
        description="aws/gcp: request the GPU quota the pools need at maxNodes (AWS Service Quotas, GCP Cloud "
                    "Quotas preferences). Turn off on an AWS account whose quota already exceeds the need: AWS "
                    "provider refuses to create a request below the current value.")
    kubernetes: KubernetesConfig = KubernetesConfig()
    registries: RegistriesConfig = RegistriesConfig()
    protect_stateful: bool | None = Field(
        None, description="protect + retainOnDelete on stateful resources; default on in prod."
    )
    naming: Naming = Naming()

    @model_validator(mode="before")
    @classmethod
    def _prod_flow_log_retention(cls, data: object) -> object:
        """Prod keeps flow logs PROD_LOG_RETENTION_DAYS unless the stack file says otherwise."""
        if not isinstance(data, dict) or data.get("environment") not in ("prod", Environment.prod):
            return data
        network = data.get("network")
        if network is not None and not isinstance(network, dict):
            return data  # not a mapping: the field validation reports it
        network = dict(network or {})
        flow_key = "flow_logs" if "flow_logs" in network else "flowLogs"
        flow = network.get(flow_key)
        if flow is not None and not isinstance(flow, dict):
            return data
        flow = dict(flow or {})
        if "retentionDays" not in flow and "retention_days" not in flow:
            flow["retentionDays"] = PROD_LOG_RETENTION_DAYS
        network[flow_key] = flow
        return {**data, "network": network}

    @field_validator("gcp_organization_id", mode="before")
    @classmethod
    def _org_id(cls, v: object) -> object:
        text = str(v) if isinstance(v, int) else v
        if isinstance(text, str) and not re.fullmatch(r"[0-9]{1,20}", text):
            raise ValueError("must be the organization number (digits only, e.g. 123456789012), "
                             "not 'organizations/...' or a domain")
        return text

    # Derived settings: one place decides what an environment kind implies.
    @property
    def is_prod(self) -> bool:
        return self.environment is Environment.prod

    @property
    def protect(self) -> bool:
        return self.is_prod if self.protect_stateful is None else self.protect_stateful

    @property
    def nat_mode(self) -> str:
        return self.network.nat or ("perZone" if self.is_prod else "single")

    @property
    def interface_endpoints(self) -> bool:
        return self.is_prod if self.network.interface_endpoints is None else self.network.interface_endpoints

    @property
    def object_lock(self) -> bool:
        return self.is_prod if self.storage.objects.object_lock is None else self.storage.objects.object_lock

    def cost_tags(self) -> dict[str, str]:
        tags = {
            "team": self.tags.team,
            "environment": self.environment.value,
            "cost-center": self.tags.cost_center,
            MANAGED_BY_KEY: MANAGED_BY,
        }
        if self.tags.owner:
            tags["owner"] = self.tags.owner
        tags.update(self.tags.extra)
        return tags


_LABEL_RE = re.compile(r"[^a-z0-9_-]")


def gcp_labels(tags: dict[str, str]) -> dict[str, str]:
    """GCP labels allow only lower-case letters, digits, '_' and '-' in keys and values."""
    return {_LABEL_RE.sub("_", k.lower())[:63]: _LABEL_RE.sub("_", v.lower())[:63] for k, v in tags.items()}
