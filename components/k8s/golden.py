"""Publishes the golden workloads in each team namespace: ConfigMap `golden-workloads`.

The data is the manifests as YAML (one `<workload>.yaml` key each), so teams can `kubectl get cm
golden-workloads -o yaml` and the policy pack's journey checks see exactly what is promised, in a
real `pulumi preview --policy-pack policies` as in `lz plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.config.model import LandingZoneConfig
from components.platform_inputs import GpuPoolHandle
from components.workloads.golden import configmap_data, golden_workloads
from components.workloads.names import CONFIGMAP

from .manifests import team_labels


@dataclass(frozen=True)
class GoldenWorkloadsArgs:
    config: LandingZoneConfig
    pools: Sequence[GpuPoolHandle]
    namespaces: Mapping[str, pulumi.Resource]   # team name -> its Namespace resource
    shared_claims: Sequence[str] = ()            # PVCs of the shared file systems in every team namespace


class GoldenWorkloads(pulumi.ComponentResource):
    def __init__(self, name: str, args: GoldenWorkloadsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:GoldenWorkloads", name, None, opts)
        teams = {t.name: t for t in args.config.teams}
        workloads = golden_workloads(args.config, args.pools, args.shared_claims)
        self.configmaps = {}
        for team_name, namespace in args.namespaces.items():
            mine = [w for w in workloads if w.team == team_name]
            if not mine:
                continue
            self.configmaps[team_name] = k8s.core.v1.ConfigMap(
                f"{name}-{team_name}",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=CONFIGMAP, namespace=namespace.metadata.name,
                    labels=team_labels(args.config, teams[team_name])),
                data=configmap_data(mine),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]))
        self.register_outputs({"workloads": sorted(w.name for w in workloads if w.team in self.configmaps)})
