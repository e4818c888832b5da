"""One team's namespace: quotas, default-deny networking, its workload identity, RBAC and queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.config.model import LandingZoneConfig, Team
from components.names import team_namespace, team_service_account
from components.platform_inputs import GpuPoolHandle, TeamIdentity

from . import gpudirect_policy as gp
from . import kueue as q
from . import manifests as m
from .charts import ClusterKind
from .objects import create
from .volumes import SharedVolume

# The GKE metadata server answers Workload Identity token requests: 169.254.169.252:988 with
# Dataplane V2, 169.254.169.254:80 otherwise.
GKE_METADATA = (("169.254.169.252/32", 988), ("169.254.169.254/32", 80))


@dataclass(frozen=True)
class TeamNamespaceArgs:
    config: LandingZoneConfig
    team: Team
    kind: ClusterKind
    pools: Sequence[GpuPoolHandle]
    identity: TeamIdentity | None
    storage_egress_cidrs: Sequence[str]
    shared_volumes: Sequence[SharedVolume]
    queue_ready: Sequence[pulumi.Resource]   # the Kueue release and the team's ClusterQueue
    # GPUDirect pools in its quota: the ValidatingAdmissionPolicyBinding that guards the namespace
    # (components/k8s/gpudirect.py); the namespace is created after it.
    admission_guard: pulumi.Resource | None = None


def gpudirect_flavours(team: Team, pools: Sequence[GpuPoolHandle]) -> tuple[str, ...]:
    """The GPUDirect flavours of the pools the team has quota in, sorted; () for none."""
    return tuple(sorted({p.gpudirect for p in q.team_pools(team, pools) if p.gpudirect}))


def team_manifests(args: TeamNamespaceArgs) -> list[m.Manifest]:
    """Every namespaced object of the team, in apply order (namespace first)."""
    config, team = args.config, q.with_compute(args.team, args.pools)
    ns = team_namespace(team.name)
    labels = m.team_labels(config, team)
    volumes = args.shared_volumes
    flavours = gpudirect_flavours(team, args.pools)
    # GPUDirect pods mount the NCCL plugin from the host, which only `privileged` admits: Pod Security
    # enforces `privileged` there (audit and warn stay `restricted`) and the namespace carries the label
    # the GPUDirect ValidatingAdmissionPolicyBinding selects, which enforces restricted-but-the-allow-list.
    ns_labels = {**labels, gp.GPUDIRECT_LABEL: gp.label_value(flavours)} if flavours else labels
    objects = [
        m.namespace(ns, ns_labels, pod_security="restricted", k8s_version=config.kubernetes.version,
                    enforce="privileged" if flavours else None),
        m.resource_quota(ns, labels, team, q.namespace_gpus(team, args.pools), shared_claims=len(volumes),
                         shared_storage_gib=sum(max(v.capacity_gib, 1) for v in volumes)),
        m.limit_range(ns, labels, team),
        m.deny_all(ns, labels),
        m.allow_same_namespace(ns, labels),
        m.allow_dns(ns, labels),
    ]
    if args.storage_egress_cidrs:
        objects.append(m.allow_egress_to(ns, "allow-storage-egress", labels, args.storage_egress_cidrs, [443]))
    if config.kubernetes.team_egress:
        objects.append(m.allow_declared_egress(ns, labels, [(r.cidr, r.ports) for r in config.kubernetes.team_egress]))
    if args.kind == "gke" and args.identity is not None:
        for cidr, port in GKE_METADATA:
            objects.append(m.allow_egress_to(ns, f"allow-gke-metadata-{port}", labels, [cidr], [port]))
    annotations = {args.identity.annotation_key: args.identity.annotation_value} if args.identity else None
    objects.append(m.service_account(ns, team_service_account(team.name), labels, annotations))
    objects.append(m.team_role(ns, labels))
    if team.group:
        objects.append(m.team_role_binding(ns, labels, team.group))
    return objects


class TeamNamespace(pulumi.ComponentResource):
    def __init__(self, name: str, args: TeamNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:TeamNamespace", name, None, opts)
        config, team = args.config, args.team
        ns_name = team_namespace(team.name)
        labels = m.team_labels(config, team)
        # Deleting a namespace deletes every claim in it: in prod the namespace is kept.
        stateful = pulumi.ResourceOptions(parent=self, protect=config.protect, retain_on_delete=config.protect)

        manifests = team_manifests(args)
        if gpudirect_flavours(q.with_compute(team, args.pools), args.pools) and args.admission_guard is None:
            raise ValueError(f"team {team.name} runs on GPUDirect pools: its namespace needs the admission guard")
        guard = [args.admission_guard] if args.admission_guard is not None else []
        self.namespace = create(f"{name}-namespace", manifests[0],
                                pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(depends_on=guard)))
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        self.objects = [self.namespace]
        self.service_account: pulumi.Resource | None = None
        for manifest in manifests[1:]:
            suffix = f"{manifest['kind'].lower()}-{manifest['metadata']['name']}"
            self.objects.append(create(f"{name}-{suffix}", manifest, in_ns))
            if manifest["kind"] == "ServiceAccount":
                self.service_account = self.objects[-1]

        self.local_queue = create(
            f"{name}-localqueue", q.local_queue(ns_name, team.name, labels),
            pulumi.ResourceOptions(parent=self, depends_on=[self.namespace, *args.queue_ready]))

        self.claims = []
        for volume in args.shared_volumes:
            pv_name = f"{ns_name}-{volume.key}"
            pv = create(f"{name}-pv-{volume.key}", m.static_volume(
                pv_name, labels, driver=volume.driver, volume_handle=volume.volume_handle,
                attributes=volume.attributes, capacity_gib=volume.capacity_gib, claim_namespace=ns_name,
                claim_name=volume.key, mount_options=list(volume.mount_options)), stateful)
            self.claims.append(create(f"{name}-pvc-{volume.key}", m.static_claim(
                volume.key, ns_name, labels, volume_name=pv_name, capacity_gib=volume.capacity_gib),
                pulumi.ResourceOptions(parent=self, depends_on=[self.namespace, pv],
                                       protect=config.protect, retain_on_delete=config.protect)))

        self.register_outputs({"namespace": ns_name, "localQueue": q.LOCAL_QUEUE,
                               "claims": [v.key for v in args.shared_volumes]})
