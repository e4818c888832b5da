"""GPU recording and alert rules, generated from the stack config and the price catalog. Pure: no Pulumi.

One generator feeds every cluster kind: the Amazon Managed Service for Prometheus rule group namespace
(EKS), the PrometheusRule of a brought cluster, and the Cloud Monitoring alert policies and ClusterRules
of GKE. Thresholds come from `alerts:` in the stack file (defaults in components/config/model.py Alerts);
prices come from the same catalog `lz cost` reads (components.catalog.pricing.instance_rate), so an
alert's dollars per hour and the cost report never disagree.

Metrics (what the exporters really emit):
- `DCGM_FI_DEV_GPU_UTIL` (gauge, percent) and `DCGM_FI_DEV_XID_ERRORS` (gauge, value of the last XID error)
  are in dcgm-exporter's default counters (NVIDIA/dcgm-exporter etc/default-counters.csv). In Kubernetes
  mode dcgm-exporter labels a GPU that a pod holds with the pod's `namespace`, `pod` and `container`
  (kubelet pod-resources mapping), and every series with `Hostname` and `gpu`. A GPU no pod holds has
  no `pod` label: "allocated" below means the series has one.
- A scraper that does not honour the exporter's labels renames those that clash with its own target labels
  (`namespace` / `pod` become `exported_namespace` / `exported_pod`; Prometheus `honor_labels: false`).
  None of our collectors do that: our own scrapes (AMP scraper, brought-cluster PodMonitor) set
  `honor_labels`, and Managed Service for Prometheus scrapes dcgm-exporter with a ClusterPodMonitoring
  whose `targetLabels.metadata` is empty, so it adds no `namespace` / `pod` of its own and the exporter's
  reach Cloud Monitoring unchanged. Sources: GoogleCloudPlatform/prometheus-engine
  examples/nvidia-dcgm/pod-monitoring.yaml and commit 101ae242c ("NVIDIA dcgm-exporter captures and records
  the "pod", "namespace", and "container" labels. We should honor those ... a ClusterPodMonitoring with an
  empty .targetLabels.metadata ... to preserve them"); pkg/operator/apis/monitoring/v1/pod_config.go (the
  operator adds target labels only for the keys listed in targetLabels.metadata, and never sets
  honor_labels). GKE's managed package (ClusterPodMonitoring `gke-managed-dcgm-exporter` in
  gke-managed-system) is Google's own; its spec is not published, but a live capture of its series shows
  them keyed by `gpu`, `Hostname` and the workload's `namespace` / `pod` / `container` (unverified against
  a Google document: see docs/operate.md).
- `DCGM_FI_DEV_XID_ERRORS` is not among the fields GKE's managed DCGM package collects: Google's DCGM
  counters list (prometheus-engine examples/nvidia-dcgm/exporter.yaml, ConfigMap
  nvidia-dcgm-exporter-metrics) has no XID field, and a live capture of the managed exporter found 21
  fields (10 DCGM_FI_DEV_*, 11 DCGM_FI_PROF_*) and "no XID or ECC field". So there is no XID alert on GKE
  (`LabelNames.xid_errors`); `DCGM_FI_DEV_GPU_UTIL` is in both lists.
- `scheduler_pending_pods{queue="unschedulable"}` is kube-scheduler's gauge of pods it cannot place
  (Kubernetes metrics reference, "scheduler_pending_pods", label `queue`: active|backoff|unschedulable|gated).
- `pool`: the landing zone's pool name, attached at collection time from the node's pool labels
  (EKS: the `ai-landing-zone/pool` node label; brought cluster: each pool's own labels). GKE's managed
  DCGM collection attaches no node labels, so on GKE there is no per-pool series: rules group by team,
  node and pod, and the idle alert prices a GPU at the dearest pool the team can use ("at most").

Every rule carries the labels `team` (the namespace: team namespaces are named after the team) and,
where known, `pool`, so the cloud alert router and people see the same names as `lz cost`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from components.catalog.pricing import instance_rate
from components.config.checks import pool_gpus_per_node
from components.config.model import Alerts, Cloud, GpuPool, LandingZoneConfig, Team

UTIL = "DCGM_FI_DEV_GPU_UTIL"
XID = "DCGM_FI_DEV_XID_ERRORS"
SCHEDULER_PENDING = 'scheduler_pending_pods{queue="unschedulable"}'
# XID errors are latched by DCGM (the gauge keeps the last code); a change, or a new non-zero series,
# within this window is what the alert reports.
XID_WINDOW_MINUTES = 15
RECORDING_GROUP = "lz-gpu-utilization"
ALERT_GROUP = "lz-gpu-alerts"
RULE_INTERVAL = "1m"

ClusterKind = Literal["eks", "gke", "byo"]


@dataclass(frozen=True)
class LabelNames:
    """What a cluster kind's collector delivers: which labels carry the workload's namespace and pod,
    whether a `pool` label exists, and whether `DCGM_FI_DEV_XID_ERRORS` is collected at all."""

    namespace: str
    pod: str
    pool: bool
    xid_errors: bool = True
    node: str = "Hostname"


# One row per cluster kind (see the module docstring for why).
LABELS: Mapping[str, LabelNames] = {
    "eks": LabelNames(namespace="namespace", pod="pod", pool=True),
    "byo": LabelNames(namespace="namespace", pod="pod", pool=True),
    "gke": LabelNames(namespace="namespace", pod="pod", pool=False, xid_errors=False),
}


@dataclass(frozen=True)
class PoolRate:
    """What the rules need to know about one GPU pool."""

    name: str
    gpus_per_node: int
    max_nodes: int
    usd_per_gpu_hour: float | None   # instance on-demand USD/h / GPUs per node; None: no catalog price
    price_basis: str                 # where the figure comes from, for the alert text
    teams: tuple[str, ...] = ()      # teams with GPU quota in the pool


@dataclass(frozen=True)
class Thresholds:
    idle_utilization_percent: float
    idle_minutes: int
    stuck_at_max_minutes: int


@dataclass(frozen=True)
class Rule:
    """One Prometheus rule (recording when `record` is set, alerting when `alert` is)."""

    expr: str
    record: str | None = None
    alert: str | None = None
    for_minutes: int = 0
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record": self.record} if self.record else {"alert": self.alert}
        out["expr"] = self.expr
        if self.alert and self.for_minutes:
            out["for"] = f"{self.for_minutes}m"
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


def per_gpu_rate(instance_usd_per_hour: float | None, gpus_per_node: int) -> float | None:
    """USD per GPU-hour: the instance's hourly price shared by its GPUs (None stays unknown)."""
    if instance_usd_per_hour is None or gpus_per_node <= 0:
        return None
    return instance_usd_per_hour / gpus_per_node


def _fmt(value: float) -> str:
    """A number as PromQL and people read it: no exponent, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _regex_alternatives(values: Sequence[str]) -> str:
    return "|".join(sorted(values))


def _normalized(expr: str, labels: LabelNames) -> str:
    """`expr` with the workload's namespace copied to `team` and its pod to `pod`."""
    out = f'label_replace({expr}, "team", "$1", "{labels.namespace}", "(.+)")'
    if labels.pod != "pod":
        out = f'label_replace({out}, "pod", "$1", "{labels.pod}", "(.+)")'
    return out


def _util(labels: LabelNames, *, pool: str | None = None, allocated: bool = False,
          namespace: str | None = None, other_than: Sequence[str] = ()) -> str:
    matchers = []
    if pool is not None:
        matchers.append(f'pool="{pool}"')
    if allocated:
        matchers.append(f'{labels.pod}!=""')
    if namespace is not None:
        matchers.append(f'{labels.namespace}="{namespace}"')
    if other_than:
        matchers.append(f'{labels.namespace}!~"{_regex_alternatives(other_than)}"')
    return f"{UTIL}{{{', '.join(matchers)}}}" if matchers else UTIL


def recording_rules(kind: ClusterKind) -> list[Rule]:
    """GPU utilisation per pool, team (namespace) and job (pod), and allocated GPUs and nodes per pool."""
    labels = LABELS[kind]
    allocated = _normalized(_util(labels, allocated=True), labels)
    rules = [
        Rule(record="team:dcgm_gpu_utilization:avg", expr=f"avg by (team) ({allocated})"),
        Rule(record="team_pod:dcgm_gpu_utilization:avg", expr=f"avg by (team, pod) ({allocated})"),
        Rule(record="team:dcgm_gpus_allocated:count", expr=f"count by (team) ({allocated})"),
        Rule(record="node:dcgm_gpu_utilization:avg", expr=f"avg by ({labels.node}) ({UTIL})"),
    ]
    if labels.pool:
        rules += [
            Rule(record="pool:dcgm_gpu_utilization:avg", expr=f'avg by (pool) ({UTIL}{{pool!=""}})'),
            Rule(record="pool_team:dcgm_gpu_utilization:avg", expr=f"avg by (pool, team) ({allocated})"),
            Rule(record="pool:dcgm_gpus_allocated:count", expr=f"count by (pool) ({allocated})"),
            Rule(record="pool:dcgm_nodes:count",
                 expr=f'count by (pool) (count by (pool, {labels.node}) ({UTIL}{{pool!=""}}))'),
        ]
    return rules


def _idle(labels: LabelNames, thresholds: Thresholds, *, pool: str | None = None,
          namespace: str | None = None, other_than: Sequence[str] = ()) -> str:
    """One sample per allocated GPU that stayed below the threshold for the whole window."""
    window = f"{thresholds.idle_minutes}m"
    selector = _util(labels, pool=pool, allocated=True, namespace=namespace, other_than=other_than)
    below = (f"max_over_time({selector}[{window}]) "
             f"< {_fmt(thresholds.idle_utilization_percent)}")
    return _normalized(below, labels)


def _idle_text(thresholds: Thresholds) -> str:
    return (f"below {_fmt(thresholds.idle_utilization_percent)}% utilisation (DCGM_FI_DEV_GPU_UTIL) "
            f"for {thresholds.idle_minutes} minutes")


def idle_alerts(kind: ClusterKind, pools: Sequence[PoolRate], thresholds: Thresholds) -> list[Rule]:
    """GPUs a pod holds but does not use. The value is USD per hour the idle GPUs burn (GPUs when the price
    is unknown), one series per team and pod."""
    labels = LABELS[kind]
    if labels.pool:
        return [_pool_idle_alert(labels, pool, thresholds) for pool in pools]
    teams = sorted({t for p in pools for t in p.teams})
    # GPUs held outside the team namespaces (or every GPU, when no team has quota) are priced at the
    # dearest pool, like a team's.
    others = [_team_idle_alert(labels, None, pools, thresholds, other_than=teams)] if pools else []
    return [*(_team_idle_alert(labels, team, pools, thresholds) for team in teams), *others]


def _pool_idle_alert(labels: LabelNames, pool: PoolRate, thresholds: Thresholds) -> Rule:
    idle = f"count by (pool, team, pod) ({_idle(labels, thresholds, pool=pool.name)})"
    if pool.usd_per_gpu_hour is None:
        expr, value = idle, "{{ $value }} idle GPUs (no catalog price for this pool)"
        unit = "gpus"
    else:
        expr = f"{idle} * {_fmt(pool.usd_per_gpu_hour)}"
        value = ('{{ printf "%.2f" $value }} USD per hour '
                 f"({_fmt(pool.usd_per_gpu_hour)} USD per GPU-hour: {pool.price_basis})")
        unit = "usd_per_hour"
    return Rule(
        alert="GpuAllocatedIdle", expr=expr,
        labels=(("severity", "warning"), ("pool", pool.name), ("value_unit", unit)),
        annotations=(
            ("summary", f"Idle GPUs in pool {pool.name}: {{{{ $labels.pod }}}} (team {{{{ $labels.team }}}})"),
            ("description", f"Pod {{{{ $labels.pod }}}} of team {{{{ $labels.team }}}} holds GPUs of pool "
                            f"{pool.name} that stayed {_idle_text(thresholds)}; they burn {value}. "
                            "Stop the pod or release its GPUs."),
        ))


def _team_idle_alert(labels: LabelNames, team: str | None, pools: Sequence[PoolRate], thresholds: Thresholds,
                     other_than: Sequence[str] = ()) -> Rule:
    """`team` None: GPUs held in namespaces other than `other_than` (every pool may serve them)."""
    team_pools = [p for p in pools if team in p.teams] if team else list(pools)
    rates = [p.usd_per_gpu_hour for p in team_pools]
    idle = f"count by (team, pod) ({_idle(labels, thresholds, namespace=team, other_than=other_than)})"
    names = ", ".join(p.name for p in team_pools)
    who = f"team {team}" if team else "team {{ $labels.team }} (no GPU quota of its own)"
    if not rates or any(r is None for r in rates):
        expr, value, unit = idle, "{{ $value }} idle GPUs (no catalog price for every pool it can use)", "gpus"
    else:
        top = max(r for r in rates if r is not None)
        expr = f"{idle} * {_fmt(top)}"
        exact = len({round(r, 6) for r in rates if r is not None}) == 1
        value = ('{{ printf "%.2f" $value }} USD per hour' + ("" if exact else " at most")
                 + f" ({_fmt(top)} USD per GPU-hour, the dearest of pools {names})")
        unit = "usd_per_hour"
    scope = (("team", team),) if team else (("scope", "other-namespaces"),)
    return Rule(
        alert="GpuAllocatedIdle", expr=expr,
        labels=(("severity", "warning"), *scope, ("value_unit", unit)),
        annotations=(
            ("summary", f"Idle GPUs of {who}: {{{{ $labels.pod }}}}"),
            ("description", f"Pod {{{{ $labels.pod }}}} of {who} holds GPUs that stayed "
                            f"{_idle_text(thresholds)}; they burn {value}. Stop the pod or release its GPUs."),
        ))


def xid_alert(kind: ClusterKind) -> Rule:
    """A GPU reported an XID error: a new code within the window, or a series that appeared non-zero."""
    labels = LABELS[kind]
    window = f"{XID_WINDOW_MINUTES}m"
    expr = (f"(changes({XID}[{window}]) > 0) or ({XID} > 0 unless {XID} offset {window})")
    return Rule(
        alert="GpuXidError", expr=expr,
        labels=(("severity", "critical"),),
        annotations=(
            ("summary", f"XID error on GPU {{{{ $labels.gpu }}}} of node {{{{ $labels.{labels.node} }}}}"),
            ("description", f"DCGM reported XID errors ({XID}) on GPU {{{{ $labels.gpu }}}} of node "
                            f"{{{{ $labels.{labels.node} }}}} in the last {XID_WINDOW_MINUTES} minutes. Look the "
                            "code up in NVIDIA's XID catalog; cordon and drain the node if it repeats."),
        ))


def stuck_alerts(kind: ClusterKind, pools: Sequence[PoolRate], thresholds: Thresholds) -> list[Rule]:
    """Pools at maxNodes (nodes with a DCGM exporter) while kube-scheduler holds unschedulable pods.
    Needs the per-pool node count, so only where series carry `pool`."""
    labels = LABELS[kind]
    if not labels.pool:
        return []
    rules = []
    for pool in pools:
        nodes = f'count(count by ({labels.node}) ({UTIL}{{pool="{pool.name}"}}))'
        expr = f"({nodes} >= {pool.max_nodes}) and on() (sum({SCHEDULER_PENDING}) > 0)"
        rules.append(Rule(
            alert="GpuPoolAtMaxWithPendingPods", expr=expr, for_minutes=thresholds.stuck_at_max_minutes,
            labels=(("severity", "warning"), ("pool", pool.name)),
            annotations=(
                ("summary", f"Pool {pool.name} is at maxNodes ({pool.max_nodes}) with pods pending"),
                ("description", f"Pool {pool.name} has run {pool.max_nodes} of {pool.max_nodes} nodes "
                                f"({pool.max_nodes * pool.gpus_per_node} GPUs) for "
                                f"{thresholds.stuck_at_max_minutes} minutes while kube-scheduler holds "
                                "unschedulable pods. Raise maxNodes (and quota), or move work to another pool."),
            )))
    return rules


def alert_rules(kind: ClusterKind, pools: Sequence[PoolRate], thresholds: Thresholds) -> list[Rule]:
    """Every alert the kind's collected series can fire (no XID alert where XID errors are not collected)."""
    xid = [xid_alert(kind)] if LABELS[kind].xid_errors else []
    return [*idle_alerts(kind, pools, thresholds), *xid, *stuck_alerts(kind, pools, thresholds)]


def rule_groups(kind: ClusterKind, pools: Sequence[PoolRate], thresholds: Thresholds) -> list[dict[str, Any]]:
    """Prometheus rule groups (the `groups:` list of a rule file, the `spec.groups` of a PrometheusRule)."""
    return [
        {"name": RECORDING_GROUP, "interval": RULE_INTERVAL,
         "rules": [r.as_dict() for r in recording_rules(kind)]},
        {"name": ALERT_GROUP, "interval": RULE_INTERVAL,
         "rules": [r.as_dict() for r in alert_rules(kind, pools, thresholds)]},
    ]


def rule_file(kind: ClusterKind, pools: Sequence[PoolRate], thresholds: Thresholds) -> str:
    """A Prometheus rule file (YAML), as Amazon Managed Service for Prometheus rule group namespaces take it."""
    return yaml.safe_dump({"groups": rule_groups(kind, pools, thresholds)}, sort_keys=False, width=1000)


# ------------------------------------------------------------------------------------- from config
_CAPACITY_NOTES = {
    "onDemand": "",
    "spot": "; spot bills below on-demand, so this is an upper bound",
    "reservation": "; the reservation bills this whether the GPUs work or not",
    "capacityBlock": "; the Capacity Block's own price is fixed when it is bought: on-demand shown for scale",
    "flexStart": "; flex-start is discounted, so this is an upper bound",
}


def pool_rate(pool: GpuPool, cloud: Cloud, gpus_per_node: int, teams: Sequence[Team] = ()) -> PoolRate:
    """A pool's price per GPU-hour from the catalog `lz cost` reads. Brought (byo) hardware has no hourly
    price: its GPUs are counted, not priced."""
    quota_teams = tuple(sorted(t.name for t in teams if t.gpu_quota.get(pool.name)))
    if cloud is Cloud.byo:
        return PoolRate(pool.name, gpus_per_node, pool.max_nodes, None, "brought hardware has no hourly price",
                        quota_teams)
    known = instance_rate(cloud.value, pool.instance_type)
    hourly, key = known if known is not None else (None, pool.instance_type)
    rate = per_gpu_rate(hourly, gpus_per_node)
    basis = ("no public on-demand price in the catalog" if hourly is None else
             f"{pool.instance_type} on-demand {_fmt(hourly)} USD/h / {gpus_per_node} GPUs, catalog {key}"
             f"{_CAPACITY_NOTES.get(pool.capacity.type.value, '')}")
    return PoolRate(pool.name, gpus_per_node, pool.max_nodes, rate, basis, quota_teams)


def thresholds_of(alerts: Alerts) -> Thresholds:
    return Thresholds(idle_utilization_percent=alerts.idle_utilization_percent,
                      idle_minutes=alerts.idle_minutes, stuck_at_max_minutes=alerts.stuck_at_max_minutes)


def stack_pool_rates(config: LandingZoneConfig) -> list[PoolRate]:
    return [pool_rate(p, config.cloud, pool_gpus_per_node_of(config.cloud, p), config.teams)
            for p in config.gpu_pools]


def pool_gpus_per_node_of(cloud: Cloud, pool: GpuPool) -> int:
    return pool.gpus_per_node or pool_gpus_per_node(cloud, pool.instance_type)
