"""The acceptance namespace: where `lz verify` runs DCGM diagnostics and the NCCL all-reduce test.

Namespace `lz-acceptance` (Pod Security `restricted`; on GPUDirect pools the same guarded exception as a
team namespace on them), its quota, default-deny networking with in-namespace traffic and DNS, a
ServiceAccount without token or cloud identity, a LocalQueue to the acceptance ClusterQueue (which only
borrows idle team quota: components/workloads/acceptance.cluster_queue), and ConfigMap
`acceptance-workloads` with the jobs' manifests (templates: `lz verify --kubeconfig` sets the DCGM job's
node count from the live pool and creates the NCCL job's ssh Secret).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.config.model import LandingZoneConfig
from components.names import ACCEPTANCE_NAMESPACE
from components.platform_inputs import GpuPoolHandle
from components.workloads import acceptance as a
from components.workloads.names import ACCEPTANCE_CONFIGMAP

from . import gpudirect_policy as gp
from . import kueue as q
from . import manifests as m
from .objects import create


def gpudirect_flavours(pools: Sequence[GpuPoolHandle]) -> tuple[str, ...]:
    """The GPUDirect flavours of every pool: the acceptance jobs run on all of them."""
    return tuple(sorted({p.gpudirect for p in pools if p.gpudirect}))


@dataclass(frozen=True)
class AcceptanceArgs:
    config: LandingZoneConfig
    pools: Sequence[GpuPoolHandle]
    # The Kueue release (CRDs, webhooks), the flavors and admission checks the queue names: created first,
    # as for the teams' queues (a queue naming a missing flavor is inactive).
    queue_ready: Sequence[pulumi.Resource]
    admission_guard: pulumi.Resource | None = None   # the GPUDirect binding, when a pool is GPUDirect


def namespace_manifests(config: LandingZoneConfig, pools: Sequence[GpuPoolHandle]) -> list[m.Manifest]:
    """Every namespaced object but the queue and the ConfigMap, namespace first."""
    ns = ACCEPTANCE_NAMESPACE
    labels = m.platform_labels(config)
    tenant = a.acceptance_tenant(config, pools)
    flavours = gpudirect_flavours(pools)
    ns_labels = {**labels, gp.GPUDIRECT_LABEL: gp.label_value(flavours)} if flavours else labels
    return [
        m.namespace(ns, ns_labels, pod_security="restricted", k8s_version=config.kubernetes.version,
                    enforce="privileged" if flavours else None),
        m.resource_quota(ns, labels, tenant, a.namespace_gpus(pools)),
        m.limit_range(ns, labels, tenant),
        m.deny_all(ns, labels),
        m.allow_same_namespace(ns, labels),
        m.allow_dns(ns, labels),
        m.service_account(ns, ACCEPTANCE_NAMESPACE, labels),
    ]


class AcceptanceNamespace(pulumi.ComponentResource):
    def __init__(self, name: str, args: AcceptanceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:AcceptanceNamespace", name, None, opts)
        config, pools = args.config, args.pools
        if gpudirect_flavours(pools) and args.admission_guard is None:
            raise ValueError("the acceptance jobs run on GPUDirect pools: their namespace needs the admission guard")
        manifests = namespace_manifests(config, pools)
        guard = [args.admission_guard] if args.admission_guard is not None else []
        self.namespace = create(f"{name}-namespace", manifests[0], pulumi.ResourceOptions(parent=self, depends_on=guard))
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        self.objects = [self.namespace]
        for manifest in manifests[1:]:
            suffix = f"{manifest['kind'].lower()}-{manifest['metadata']['name']}"
            self.objects.append(create(f"{name}-{suffix}", manifest, in_ns))
        labels = m.platform_labels(config)
        ready = list(args.queue_ready)
        self.cluster_queue = create(f"{name}-cq", a.cluster_queue(config, pools),
                                    pulumi.ResourceOptions(parent=self, depends_on=ready))
        self.local_queue = create(f"{name}-localqueue", q.local_queue(ACCEPTANCE_NAMESPACE, ACCEPTANCE_NAMESPACE, labels),
                                  pulumi.ResourceOptions(parent=self, depends_on=[*ready, self.namespace,
                                                                                  self.cluster_queue]))
        jobs = a.acceptance_jobs(config, pools)
        self.configmap = k8s.core.v1.ConfigMap(
            f"{name}-workloads",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ACCEPTANCE_CONFIGMAP, namespace=ACCEPTANCE_NAMESPACE,
                                                labels=labels),
            data=a.configmap_data(jobs), opts=in_ns)
        self.register_outputs({"namespace": ACCEPTANCE_NAMESPACE, "jobs": [j.name for j in jobs]})
