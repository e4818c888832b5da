"""What a cloud landing zone hands to the Kubernetes platform layer.

The AWS and GCP landing zones each build one `PlatformInputs`; a brought cluster builds it from
config. The platform layer (components/k8s) depends only on this, never on a cloud module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from components.names import NVIDIA_GPU_RESOURCE


@dataclass(frozen=True)
class ClusterAccess:
    kind: Literal["eks", "gke", "byo"]
    name: pulumi.Input[str]
    endpoint: pulumi.Input[str] | None = None
    ca_data: pulumi.Input[str] | None = None        # base64 PEM
    region: str | None = None
    project: str | None = None                      # GCP project
    kubeconfig: pulumi.Input[str] | None = None     # byo: secret kubeconfig
    context: str | None = None                      # byo: kubeconfig context


@dataclass(frozen=True)
class TeamIdentity:
    """The cloud identity a team's Kubernetes ServiceAccount assumes (IRSA / Workload Identity)."""

    team: str
    annotation_key: str                 # eks.amazonaws.com/role-arn | iam.gke.io/gcp-service-account
    annotation_value: pulumi.Input[str]


@dataclass(frozen=True)
class FileTierHandle:
    """The shared file system the platform exposes to teams as a static PV/PVC."""

    kind: Literal["lustre", "managedLustre", "filestore", "parallelstore", "efs"]
    id: pulumi.Input[str]
    dns_name: pulumi.Input[str] | None = None
    mount_name: pulumi.Input[str] | None = None
    capacity_gib: int = 0


@dataclass(frozen=True)
class GpuPoolHandle:
    name: str
    node_labels: dict[str, str]
    gpus_per_node: int
    max_nodes: int
    efa: bool = False
    resource_name: str = NVIDIA_GPU_RESOURCE
    # Extended resources its nodes advertise besides the accelerator (EFA devices, GKE pod-network
    # resources), as name prefixes: Kueue is told not to account them (ClusterQueues cover accelerators).
    extra_resource_prefixes: tuple[str, ...] = ()
    node_cpu: int | None = None                 # vCPUs of one node (catalog); None: unknown (brought pools)
    node_memory_gib: float | None = None        # memory of one node in GiB (catalog)
    # ProvisioningRequest class Kueue asks for capacity with before admitting a workload to this pool
    # (GKE flex-start: queued-provisioning.gke.io; EKS multi-node pools: cluster-autoscaler's
    # best-effort-atomic-scale-up.autoscaling.x-k8s.io); None: no admission check.
    provisioning_class: str | None = None
    # GKE GPUDirect flavour of its GPU NICs (catalog gpu_nics.flavour): the platform installs the NCCL
    # plugin on the pool and lets the namespaces of teams with quota in it mount the plugin from the host
    # (components/k8s/gpudirect_policy.py). None: no GPUDirect path (also TCPX, which is not built).
    gpudirect: Literal["tcpxo", "rdma"] | None = None


@dataclass(frozen=True)
class NodeAutoscaler:
    """A cluster-autoscaler the platform installs (EKS): what it discovers and the identity it scales with.

    `group_priorities` feeds the priority expander: {priority: [node-group (ASG) name regexes]}, higher first.
    """

    cluster_name: pulumi.Input[str]
    region: str
    role_arn: pulumi.Input[str]
    group_priorities: dict[int, list[str]] = field(default_factory=dict)
    node_selector: dict[str, str] = field(default_factory=dict)   # where it runs (the system nodes)


@dataclass(frozen=True)
class PlatformInputs:
    cluster: ClusterAccess
    gpu_pools: list[GpuPoolHandle] = field(default_factory=list)
    team_identities: dict[str, TeamIdentity] = field(default_factory=dict)
    file_tier: FileTierHandle | None = None
    shared_homes: FileTierHandle | None = None                      # EFS for home directories (AWS)
    block_kms_key: pulumi.Input[str] | None = None                  # CMK for EBS volumes (AWS)
    storage_egress_cidrs: list[str] = field(default_factory=list)  # e.g. the VPC CIDR for endpoints
    node_autoscaler: NodeAutoscaler | None = None                   # EKS: cluster-autoscaler
    # EKS: the Kubernetes user an agentless metrics scraper (AMP managed collector) authenticates as; the
    # platform binds it to read-only discovery RBAC (components/k8s/telemetry.py). None: no such scraper.
    metrics_scraper_user: str | None = None
    # Per team: the External Secrets Operator `spec.provider` of its SecretStore (the team's secret store,
    # authenticated as the team's ServiceAccount). Empty: no External Secrets Operator (brought clusters).
    secret_stores: dict[str, dict[str, Any]] = field(default_factory=dict)
    depends_on: list[pulumi.Resource] = field(default_factory=list)
