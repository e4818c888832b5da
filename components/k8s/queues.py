"""Kueue's cluster-scoped objects: flavors, one ClusterQueue per team, workload priority classes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.config.model import GpuPool, LandingZoneConfig, Team
from components.names import team_namespace
from components.platform_inputs import GpuPoolHandle

from . import kueue as q
from .manifests import platform_labels, team_labels
from .objects import create


@dataclass(frozen=True)
class KueueQueuesArgs:
    config: LandingZoneConfig
    pools: Sequence[GpuPoolHandle]        # what the landing zone built (labels, size)
    pool_config: Sequence[GpuPool]        # what the config asked for (taints)
    kueue: pulumi.Resource                # the Kueue release: its CRDs and webhooks must exist first
    teams: Sequence[Team] = ()            # the teams with their effective CPU/memory (q.with_compute)


class KueueQueues(pulumi.ComponentResource):
    def __init__(self, name: str, args: KueueQueuesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:KueueQueues", name, None, opts)
        config = args.config
        teams = list(args.teams) or [q.with_compute(t, args.pools) for t in config.teams]
        over = q.overcommitted(teams, args.pools)
        if over and not config.kubernetes.allow_quota_overcommit:
            # Config validation catches this from the catalog; this catches a landing zone that
            # built smaller pools than the config says.
            detail = "; ".join(f"{pool}: {n} nominal GPUs > {cap}" for pool, (n, cap) in sorted(over.items()))
            raise ValueError(f"team GPU quotas exceed the pools the landing zone built ({detail})")

        labels = platform_labels(config)
        opts_after_kueue = pulumi.ResourceOptions(parent=self, depends_on=[args.kueue])
        by_name = {p.name: p for p in args.pool_config}

        self.flavors = [create(f"{name}-flavor-{q.CPU_FLAVOR}", q.cpu_flavor(labels), opts_after_kueue)]
        for pool in args.pools:
            tolerations = q.pool_tolerations(by_name.get(pool.name))
            self.flavors.append(create(f"{name}-flavor-{pool.name}", q.resource_flavor(pool, labels, tolerations),
                                       opts_after_kueue))

        # ProvisioningRequest admission checks, one per class the pools use, with their configs.
        self.admission_checks = []
        for cls in q.provisioning_classes(args.pools):
            resources = sorted({p.resource_name for p in args.pools if p.provisioning_class == cls})
            check = q.admission_check_name(cls)
            prc = create(f"{name}-prc-{check}", q.provisioning_request_config(cls, resources, labels), opts_after_kueue)
            self.admission_checks.append(create(f"{name}-ac-{check}", q.admission_check(cls, labels),
                                                pulumi.ResourceOptions(parent=self, depends_on=[args.kueue, prc])))

        # A queue naming a flavor or check that does not exist yet is inactive; create them first.
        opts_after_flavors = pulumi.ResourceOptions(parent=self, depends_on=[
            args.kueue, *self.flavors, *self.admission_checks])
        self.cluster_queues = {
            team.name: create(f"{name}-cq-{team.name}",
                              q.cluster_queue(team, team_namespace(team.name), args.pools, team_labels(config, team)),
                              opts_after_flavors)
            for team in teams
        }
        self.workload_priority_classes = [
            create(f"{name}-wpc-{tier.name}", q.workload_priority_class(tier, labels), opts_after_kueue)
            for tier in q.PRIORITY_TIERS
        ]
        self.register_outputs({
            "clusterQueues": sorted(self.cluster_queues),
            "flavors": [q.CPU_FLAVOR, *(p.name for p in args.pools)],
        })
