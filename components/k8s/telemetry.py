"""The in-cluster half of GPU telemetry, per cluster kind (renderers: components/telemetry/manifests.py).

- EKS: RBAC for the AMP managed scraper's Kubernetes user (the cloud half, workspace, scraper, rules and
  alert manager, is components/aws/managed_prometheus.py).
- GKE: the recording rules as a ClusterRules object for managed rule evaluation (alerts are Cloud
  Monitoring alert policies, components/gcp/gpu_alerts.py).
- Brought cluster: a PodMonitor for dcgm-exporter, a PrometheusRule with the recording and alert rules
  and, when `notifications.emails` is set, an AlertmanagerConfig that emails them. These are Prometheus
  Operator custom resources: the brought cluster must run the operator (e.g. kube-prometheus-stack) with a
  Prometheus that selects objects in the GPU operator's namespace (docs/operate.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from components.config.model import LandingZoneConfig
from components.telemetry import manifests as t
from components.telemetry.rules import ClusterKind, rule_groups, stack_pool_rates, thresholds_of

from . import manifests as m
from .objects import create


@dataclass(frozen=True)
class PlatformTelemetryArgs:
    config: LandingZoneConfig
    kind: ClusterKind
    scraper_user: str | None = None                     # EKS: the AMP scraper's Kubernetes user
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)  # byo: the GPU operator


class PlatformTelemetry(pulumi.ComponentResource):
    """`lz:k8s:Telemetry`."""

    def __init__(self, name: str, args: PlatformTelemetryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:Telemetry", name, None, opts)
        config = args.config
        labels = m.platform_labels(config)
        child = pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on))
        groups = rule_groups(args.kind, stack_pool_rates(config), thresholds_of(config.alerts))
        rendered: list[tuple[str, m.Manifest]] = []
        if args.kind == "eks" and args.scraper_user:
            rendered += [("scraper-role", t.scraper_cluster_role(labels)),
                         ("scraper-binding", t.scraper_cluster_role_binding(labels, args.scraper_user))]
        elif args.kind == "gke":
            recording = [g for g in groups if any("record" in r for r in g["rules"])]
            rendered.append(("rules", t.cluster_rules(labels, recording)))
        elif args.kind == "byo":
            pools = {p.name: dict(p.labels) for p in config.gpu_pools}
            rendered += [("dcgm-monitor", t.dcgm_pod_monitor(labels, pools)),
                         ("rules", t.prometheus_rule(labels, groups))]
            if config.notifications.emails:
                rendered.append(("alertmanager", t.alertmanager_config(labels, config.notifications.emails)))
        self.objects = {suffix: create(f"{name}-{suffix}", manifest, child) for suffix, manifest in rendered}
        self.register_outputs({"objects": sorted(self.objects)})
