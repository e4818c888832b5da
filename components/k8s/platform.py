"""The Kubernetes platform layer: one explicit provider, cluster services, queues, storage, teams.

Built the same way on EKS, GKE and a brought cluster, from `PlatformInputs` only; every Kubernetes
resource goes through the provider created here (there is no default provider to fall back on).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.config.model import LandingZoneConfig
from components.platform_inputs import PlatformInputs

from .acceptance import AcceptanceArgs, AcceptanceNamespace
from .acceptance import gpudirect_flavours as acceptance_flavours
from .charts import gpu_stack
from .cluster_services import ClusterServices, ClusterServicesArgs
from .external_secrets import ExternalSecrets, ExternalSecretsArgs
from .golden import GoldenWorkloads, GoldenWorkloadsArgs
from .gpudirect import GpuDirect, GpuDirectArgs
from .kubeconfig import kubeconfig_for
from .kueue import daemonset_tolerations, with_compute
from .queues import KueueQueues, KueueQueuesArgs
from .storage import PlatformStorage, PlatformStorageArgs
from .team_namespace import TeamNamespace, TeamNamespaceArgs, gpudirect_flavours
from .telemetry import PlatformTelemetry, PlatformTelemetryArgs
from .volumes import shared_volumes


class KubernetesPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, config: LandingZoneConfig, inputs: PlatformInputs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:Platform", name, None, opts)
        access = inputs.cluster
        kind = access.kind

        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig_for(access),
            context=access.context if kind == "byo" else None,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(inputs.depends_on)),
        )
        child = pulumi.ResourceOptions(parent=self, providers={"kubernetes": self.provider})

        pools_by_name = {p.name: p for p in config.gpu_pools}
        stack = gpu_stack(kind, config.gpu_pools, inputs.gpu_pools,
                          driver_preinstalled=config.kubernetes.gpu_driver_preinstalled)
        tolerations = daemonset_tolerations([pools_by_name.get(h.name) for h in inputs.gpu_pools])
        efa_types = sorted({pools_by_name[h.name].instance_type for h in inputs.gpu_pools
                            if h.efa and h.name in pools_by_name})

        self.services = ClusterServices(f"{name}-services", ClusterServicesArgs(
            config=config, kind=kind, stack=stack, gpu_tolerations=tolerations, efa_instance_types=efa_types,
            node_autoscaler=inputs.node_autoscaler, pools=inputs.gpu_pools),
            child)
        # GPU telemetry, the in-cluster half (scraper RBAC on EKS, recording rules on GKE, Prometheus
        # Operator objects on a brought cluster).
        self.telemetry = PlatformTelemetry(f"{name}-telemetry", PlatformTelemetryArgs(
            config=config, kind=kind, scraper_user=inputs.metrics_scraper_user,
            depends_on=[self.services.gpu_operator] if self.services.gpu_operator else ()), child)
        # Each team with its effective CPU and memory quota (config, or derived from its GPUs): the
        # ClusterQueue and the namespace ResourceQuota read the same figures.
        teams = [with_compute(team, inputs.gpu_pools) for team in config.teams]
        self.queues = KueueQueues(f"{name}-queues", KueueQueuesArgs(
            config=config, pools=inputs.gpu_pools, pool_config=config.gpu_pools, kueue=self.services.kueue,
            teams=teams), child)
        self.storage = PlatformStorage(f"{name}-storage", PlatformStorageArgs(
            config=config, kind=kind, file_tier=inputs.file_tier, shared_homes=inputs.shared_homes,
            block_kms_key=inputs.block_kms_key), child)

        if inputs.file_tier is not None and inputs.file_tier.kind == "parallelstore":
            pulumi.log.warn("the Parallelstore file tier is not offered to team namespaces: its CSI volume needs "
                            "the VPC network, which PlatformInputs.file_tier does not carry", self)
        # GKE GPUDirect (TCPXO / RDMA pools): NCCL plugin installers on those pools, and an admission
        # policy per set of flavours the managed teams' namespaces need.
        managed = [team for team in teams if team.managed_by == "platform"]
        flavours = {team.name: gpudirect_flavours(team, inputs.gpu_pools) for team in managed}
        on_all_pools = acceptance_flavours(inputs.gpu_pools)   # the acceptance namespace's
        self.gpudirect = None
        if any(h.gpudirect for h in inputs.gpu_pools):
            self.gpudirect = GpuDirect(f"{name}-gpudirect", GpuDirectArgs(
                config=config, pools=inputs.gpu_pools,
                namespace_flavours=[f for f in [*flavours.values(), on_all_pools] if f]),
                child)
        volumes = shared_volumes(inputs.file_tier, config.kubernetes.gcs_fuse_buckets if kind == "gke" else ())
        self.teams = {
            team.name: TeamNamespace(f"{name}-{team.name}", TeamNamespaceArgs(
                config=config, team=team, kind=kind, pools=inputs.gpu_pools,
                identity=inputs.team_identities.get(team.name),
                storage_egress_cidrs=inputs.storage_egress_cidrs, shared_volumes=volumes,
                queue_ready=[self.services.kueue, self.queues.cluster_queues[team.name]],
                admission_guard=self.gpudirect.bindings.get(flavours[team.name]) if self.gpudirect else None), child)
            for team in managed
        }
        self.external_secrets: ExternalSecrets | None = None
        if kind in ("eks", "gke"):   # team workspaces add their own stores, so the operator is there for them too
            self.external_secrets = ExternalSecrets(f"{name}-external-secrets", ExternalSecretsArgs(
                config=config, providers=inputs.secret_stores,
                namespaces={team: ns.namespace for team, ns in self.teams.items()},
                service_accounts={team: ns.service_account for team, ns in self.teams.items()}), child)
        self.golden = GoldenWorkloads(f"{name}-golden", GoldenWorkloadsArgs(
            config=config, pools=inputs.gpu_pools,
            namespaces={team: ns.namespace for team, ns in self.teams.items()},
            shared_claims=[v.key for v in volumes]), child)
        # Acceptance tests (`lz verify`): DCGM on every GPU node, NCCL all-reduce on 2 nodes of each training pool.
        self.acceptance = None
        if inputs.gpu_pools:
            self.acceptance = AcceptanceNamespace(f"{name}-acceptance", AcceptanceArgs(
                config=config, pools=inputs.gpu_pools,
                queue_ready=[self.services.kueue, *self.queues.flavors, *self.queues.admission_checks],
                admission_guard=self.gpudirect.bindings.get(on_all_pools) if self.gpudirect and on_all_pools else None),
                child)
        self.register_outputs({
            "namespaces": sorted(self.teams),
            "storageClasses": self.storage.class_names,
            "gpuOperator": stack.operator,
        })
