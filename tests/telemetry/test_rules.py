"""The generated GPU rules: every expression parses with a real PromQL parser (promql-parser, the Rust
`promql-parser` crate's Python bindings), thresholds and prices come from config and the catalog, and
each cluster kind uses the labels its collector really produces."""

from __future__ import annotations

import pytest
import yaml

promql_parser = pytest.importorskip("promql_parser")

from components.catalog import aws_instance_type  # noqa: E402
from components.catalog.pricing import instance_rate  # noqa: E402
from components.config import load_stack_file, validate_config  # noqa: E402
from components.config.model import Alerts  # noqa: E402
from components.telemetry.rules import (  # noqa: E402
    LABELS,
    PoolRate,
    Thresholds,
    alert_rules,
    per_gpu_rate,
    recording_rules,
    rule_file,
    rule_groups,
    stack_pool_rates,
    thresholds_of,
)
from lz.testing import ROOT  # noqa: E402

PREFIX = "ai-landing-zone:"
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
KIND = {"aws": "eks", "gcp": "gke", "byo": "byo"}
DEFAULT = thresholds_of(Alerts())


def stack_config(stack: str):
    raw = load_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    return validate_config({k[len(PREFIX):]: v for k, v in raw.items() if k.startswith(PREFIX)}, stack)


def parse(expr: str):
    return promql_parser.parse(expr)


@pytest.mark.parametrize("stack", STACKS)
def test_every_expression_of_every_stack_parses(stack):
    config = stack_config(stack)
    kind = KIND[config.cloud.value]
    groups = rule_groups(kind, stack_pool_rates(config), thresholds_of(config.alerts))
    exprs = [r["expr"] for g in groups for r in g["rules"]]
    assert exprs
    for expr in exprs:
        parse(expr)
    # The rule file round-trips through YAML unchanged.
    assert yaml.safe_load(rule_file(kind, stack_pool_rates(config), thresholds_of(config.alerts))) == {
        "groups": groups}


def test_parser_rejects_a_broken_expression():
    """The parser is real: the check above would catch a malformed generated expression."""
    with pytest.raises(Exception):  # noqa: B017 - the bindings raise their own error type
        parse('count by (pool) (max_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[60m] < 5')


POOL = PoolRate("h100-train", gpus_per_node=8, max_nodes=4, usd_per_gpu_hour=6.88, price_basis="catalog",
                teams=("pretraining", "serving"))


# What each collector really delivers (sources in components/telemetry/rules.py): every collector keeps
# dcgm-exporter's own `namespace` / `pod` (AMP scraper and PodMonitor: honor_labels; GKE: Managed Service
# for Prometheus' ClusterPodMonitoring with empty targetLabels.metadata, prometheus-engine 101ae242c), only
# EKS and brought clusters attach the pool, and GKE's managed DCGM package collects no XID errors.
@pytest.mark.parametrize("kind,namespace,pod,pool,xid", [
    ("eks", "namespace", "pod", True, True),
    ("byo", "namespace", "pod", True, True),
    ("gke", "namespace", "pod", False, False),
])
def test_each_kind_reads_the_labels_its_collector_produces(kind, namespace, pod, pool, xid):
    assert (LABELS[kind].namespace, LABELS[kind].pod, LABELS[kind].pool, LABELS[kind].xid_errors) == (
        namespace, pod, pool, xid)
    rules = {r.record: r.expr for r in recording_rules(kind)}
    team = rules["team:dcgm_gpu_utilization:avg"]
    assert f'{pod}!=""' in team and f'"team", "$1", "{namespace}"' in team
    assert ("pool:dcgm_gpu_utilization:avg" in rules) is pool
    alerts = {a.alert for a in alert_rules(kind, [POOL], DEFAULT)}
    assert ("GpuXidError" in alerts) is xid


@pytest.mark.parametrize("kind", ["eks", "byo", "gke"])
def test_no_rule_reads_a_renamed_label_no_collector_produces(kind):
    """`exported_*` appear only where a scrape does not honour the exporter's labels; none of ours do, so a
    selector on them matches nothing and the alert never fires."""
    exprs = [r.expr for r in [*recording_rules(kind), *alert_rules(kind, [POOL], DEFAULT)]]
    assert exprs and not [e for e in exprs if "exported_" in e]


def test_recording_rules_cover_pool_team_and_job():
    records = {r.record for r in recording_rules("eks")}
    assert {"pool:dcgm_gpu_utilization:avg", "team:dcgm_gpu_utilization:avg",
            "team_pod:dcgm_gpu_utilization:avg", "pool_team:dcgm_gpu_utilization:avg"} <= records
    by = {r.record: r.expr.split(")")[0] for r in recording_rules("eks")}
    assert by["team_pod:dcgm_gpu_utilization:avg"] == "avg by (team, pod"
    assert by["pool_team:dcgm_gpu_utilization:avg"] == "avg by (pool, team"


def test_idle_alert_burns_the_catalog_price_per_gpu_hour():
    [idle, *_] = alert_rules("eks", [POOL], DEFAULT)
    assert idle.alert == "GpuAllocatedIdle"
    assert idle.expr.endswith(" * 6.88")
    assert "max_over_time(DCGM_FI_DEV_GPU_UTIL{pool=\"h100-train\", pod!=\"\"}[60m]) < 5" in idle.expr
    assert dict(idle.labels)["value_unit"] == "usd_per_hour"
    assert "6.88 USD per GPU-hour" in dict(idle.annotations)["description"]


def test_thresholds_come_from_config():
    custom = Thresholds(idle_utilization_percent=12.5, idle_minutes=90, stuck_at_max_minutes=45)
    idle, xid, stuck = alert_rules("eks", [POOL], custom)
    assert "[90m]) < 12.5" in idle.expr
    assert stuck.for_minutes == 45 and stuck.as_dict()["for"] == "45m"
    assert "(count(count by (Hostname) (DCGM_FI_DEV_GPU_UTIL{pool=\"h100-train\"})) >= 4)" in stuck.expr
    assert 'scheduler_pending_pods{queue="unschedulable"}' in stuck.expr
    assert xid.alert == "GpuXidError" and "DCGM_FI_DEV_XID_ERRORS" in xid.expr


def test_p5_pool_of_prod_burns_6_88_dollars_per_idle_gpu_hour():
    """The closing figure: prod's p5.48xlarge pool, priced from the catalog `lz cost` reads."""
    config = stack_config("prod")
    rates = {r.name: r for r in stack_pool_rates(config)}
    hourly, _ = instance_rate("aws", "p5.48xlarge")
    assert hourly == aws_instance_type("p5.48xlarge").on_demand_usd_per_hour == 55.04
    assert rates["h100-train"].usd_per_gpu_hour == pytest.approx(55.04 / 8) == pytest.approx(6.88)
    assert "Capacity Block" in rates["h100-train"].price_basis
    # A whole idle pool at max: 4 nodes x 8 GPUs.
    assert rates["h100-train"].usd_per_gpu_hour * 32 == pytest.approx(220.16)


def test_gke_has_no_pool_label_so_idle_alerts_are_per_team_at_the_dearest_pool():
    config = stack_config("gcp-prod")
    alerts = alert_rules("gke", stack_pool_rates(config), thresholds_of(config.alerts))
    idle = [a for a in alerts if a.alert == "GpuAllocatedIdle"]
    others = [a for a in idle if "team" not in dict(a.labels)]
    idle = [a for a in idle if a not in others]
    assert sorted(dict(a.labels)["team"] for a in idle) == ["applied", "research"]
    # GPUs held outside the teams' namespaces alert too.
    [other] = others
    assert 'namespace!~"applied|research"' in other.expr
    assert all('{pod!="", namespace="' in a.expr for a in idle)
    rates = {r.name: r.usd_per_gpu_hour for r in stack_pool_rates(config)}
    assert all(a.expr.endswith(f" * {max(rates.values()):g}") for a in idle)
    assert "at most" in dict(idle[0].annotations)["description"]
    # No per-pool node count on GKE, so no stuck-at-max alert there.
    assert not [a for a in alerts if a.alert == "GpuPoolAtMaxWithPendingPods"]


def test_brought_hardware_counts_idle_gpus_instead_of_pricing_them():
    config = stack_config("onprem")
    rates = stack_pool_rates(config)
    assert all(r.usd_per_gpu_hour is None for r in rates)
    idle = [a for a in alert_rules("byo", rates, DEFAULT) if a.alert == "GpuAllocatedIdle"]
    assert idle and all(dict(a.labels)["value_unit"] == "gpus" and " * " not in a.expr for a in idle)


def test_per_gpu_rate_keeps_unknown_unknown():
    assert per_gpu_rate(None, 8) is None
    assert per_gpu_rate(55.04, 8) == pytest.approx(6.88)
