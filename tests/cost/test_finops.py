"""Table tests for the money and quota helpers: team shares and budgets (components.finops), GPU quota needs
(components.catalog.quotas), reserved capacity as idle cost (components.catalog.pricing), the budget and quota
arguments the components build, and the config checks that guard them."""

from __future__ import annotations

from typing import Any

import pytest

from components.catalog import aws_instance_type, gcp_machine_type, price
from components.catalog.pricing import price_resource
from components.catalog.quotas import (
    GCP_FAMILY_QUOTA,
    QuotaKey,
    QuotaUnknownError,
    aws_family,
    aws_pool_quota,
    gcp_pool_quota,
    pools_quota,
    total_needs,
    with_gcp_global,
)
from components.config import ConfigError, validate_config
from components.config.model import BudgetThreshold
from components.finops import pool_quota_shares, team_budget_shares, team_budgets

SOURCE = "stacks/Pulumi.t.yaml"
P5 = aws_instance_type("p5.48xlarge").on_demand_usd_per_hour
G6E = aws_instance_type("g6e.12xlarge").on_demand_usd_per_hour
A3MEGA = gcp_machine_type("a3-megagpu-8g").on_demand_usd_per_hour
CB_P5 = price("aws.ec2_capacity_block.p5.48xlarge.hour").usd


def _doc(cloud: str = "aws", **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"environment": "staging", "cloud": cloud, "tags": {"costCenter": "ml"}}
    if cloud == "gcp":
        doc.update(region="us-central1", gcpProject="p-1")
    doc.update(overrides)
    return doc


def _pool(name: str = "train", instance: str = "p5.48xlarge", max_nodes: int = 4, **kw: Any) -> dict[str, Any]:
    return {"name": name, "instanceType": instance, "maxNodes": max_nodes, "purpose": "training", **kw}


def _team(name: str, **quota: int) -> dict[str, Any]:
    return {"name": name, "costCenter": name, "gpuQuota": {k.replace("_", "-"): v for k, v in quota.items()}}


def _lines(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(doc, SOURCE)
    return err.value.lines


# --- shares and budgets ---------------------------------------------------------------------------

@pytest.mark.parametrize(("quotas", "expected"), [
    ({"a": {"p": 24}, "b": {"p": 8}}, {"p": {"a": 0.75, "b": 0.25}}),
    ({"a": {"p": 8, "q": 0}, "b": {"q": 4}}, {"p": {"a": 1.0}, "q": {"b": 1.0}}),  # 0 GPUs is no share
    ({"a": {}}, {}),
])
def test_pool_quota_shares(quotas, expected):
    assert pool_quota_shares(quotas) == expected


def test_team_budgets_follow_quota_share_weighted_by_pool_cost():
    cfg = validate_config(_doc(
        gpuPools=[_pool(), _pool("serve", "g6e.12xlarge", 6, purpose="inference")],
        teams=[_team("pre", train=24, serve=4), _team("serving", train=8, serve=20)],
        budget={"maxMonthlyUsd": 200000}), SOURCE)
    pools = {"train": 4 * P5, "serve": 6 * G6E}
    total = sum(pools.values())
    shares = team_budget_shares(cfg)
    assert shares["pre"] == pytest.approx((0.75 * pools["train"] + 4 / 24 * pools["serve"]) / total)
    assert shares["serving"] == pytest.approx((0.25 * pools["train"] + 20 / 24 * pools["serve"]) / total)
    budgets = team_budgets(cfg)
    assert budgets == {"pre": round(200000 * shares["pre"], 2), "serving": round(200000 * shares["serving"], 2)}
    assert sum(budgets.values()) == pytest.approx(200000, abs=0.02)


def test_a_stated_team_budget_wins():
    cfg = validate_config(_doc(gpuPools=[_pool()], teams=[
        {**_team("a", train=16), "monthlyBudgetUsd": 1000}, _team("b", train=16)],
        budget={"maxMonthlyUsd": 10000}), SOURCE)
    assert team_budgets(cfg) == {"a": 1000, "b": 5000.0}


# --- GPU quota needs ------------------------------------------------------------------------------

@pytest.mark.parametrize(("instance", "capacity", "expected"), [
    ("p5.48xlarge", "onDemand", (QuotaKey("ec2", "L-417A185B", (("region", "us-east-1"),)), 4 * 192)),
    ("p5.48xlarge", "spot", (QuotaKey("ec2", "L-7212CCBC", (("region", "us-east-1"),)), 4 * 192)),
    ("g6e.12xlarge", "onDemand", (QuotaKey("ec2", "L-DB2E81BA", (("region", "us-east-1"),)), 4 * 48)),
    ("g6e.xlarge", "spot", (QuotaKey("ec2", "L-3819A6DF", (("region", "us-east-1"),)), 4 * 4)),
    ("p5.48xlarge", "capacityBlock", None),   # the block holds the capacity
    ("p5.48xlarge", "reservation", None),
])
def test_aws_pool_quota(instance, capacity, expected):
    assert aws_pool_quota(instance, capacity, "us-east-1", 4) == expected


def test_aws_family_and_unknown_quota():
    assert [aws_family(t) for t in ("p4d.24xlarge", "g6e.xlarge", "vt1.3xlarge", "trn1.32xlarge")] == \
        ["P", "G", "G", "TRN"]
    with pytest.raises(QuotaUnknownError, match="trn1.32xlarge"):
        aws_pool_quota("trn1.32xlarge", "onDemand", "us-east-1", 1)


@pytest.mark.parametrize(("machine", "capacity", "expected"), [
    ("g2-standard-48", "onDemand",
     (QuotaKey("compute.googleapis.com", "NVIDIA-L4-GPUS-per-project-region", (("region", "r1"),)), 8)),
    ("g2-standard-48", "spot",
     (QuotaKey("compute.googleapis.com", "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region", (("region", "r1"),)), 8)),
    ("a3-megagpu-8g", "onDemand",
     (QuotaKey("compute.googleapis.com", GCP_FAMILY_QUOTA, (("gpu_family", "NVIDIA_H100_MEGA"), ("region", "r1"))),
      16)),
    ("a3-ultragpu-8g", "spot",
     (QuotaKey("compute.googleapis.com", "PREEMPTIBLE-NVIDIA-H200-GPUS-per-project-region", (("region", "r1"),)),
      16)),
    ("a3-megagpu-8g", "reservation", None),
])
def test_gcp_pool_quota(machine, capacity, expected):
    assert gcp_pool_quota(machine, capacity, "r1", 2) == expected


def test_flex_start_quota_is_not_guessed():
    with pytest.raises(QuotaUnknownError, match="flex-start"):
        gcp_pool_quota("a3-megagpu-8g", "flexStart", "r1", 2)


def test_needs_of_one_quota_add_up():
    a = aws_pool_quota("g6e.xlarge", "onDemand", "us-east-1", 2)
    b = aws_pool_quota("g6e.12xlarge", "onDemand", "us-east-1", 1)
    assert total_needs([a, b, None]) == {a[0]: 2 * 4 + 48}


_G_ON_DEMAND = QuotaKey("ec2", "L-DB2E81BA", (("region", "us-east-1"),))
_L4_SPOT = QuotaKey("compute.googleapis.com", "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region", (("region", "us-east-1"),))


@pytest.mark.parametrize(("pools", "pool_quota", "needs", "unknown"), [
    # both landing zones: pools of one quota add up; a reserved pool needs none
    ([("a", "g6e.xlarge", "onDemand", 2), ("b", "g6e.12xlarge", "onDemand", 1),
      ("c", "p5.48xlarge", "capacityBlock", 4)], aws_pool_quota, {_G_ON_DEMAND: 2 * 4 + 48}, []),
    # a pool whose quota the catalog does not know is named, not guessed, and the others still count
    ([("trn", "trn1.32xlarge", "onDemand", 1), ("a", "g6e.xlarge", "onDemand", 1)], aws_pool_quota,
     {_G_ON_DEMAND: 4}, ["trn"]),
    ([("l4", "g2-standard-48", "spot", 3), ("flex", "a3-megagpu-8g", "flexStart", 2)], gcp_pool_quota,
     {_L4_SPOT: 3 * 4}, ["flex"]),  # g2-standard-48: 4 L4s per VM
    ([], gcp_pool_quota, {}, []),   # gpuQuotaRequests off: nothing asked
])
def test_pools_quota(pools, pool_quota, needs, unknown):
    got, lines = pools_quota(pools, "us-east-1", pool_quota)
    assert got == needs
    assert [line.split()[1].rstrip(":") for line in lines] == unknown
    assert all("GPU quota not requested" in line for line in lines)


_ALL_REGIONS = QuotaKey("compute.googleapis.com", "GPUS-ALL-REGIONS-per-project")
_H100 = QuotaKey("compute.googleapis.com", "GPUS-PER-GPU-FAMILY-per-project-region",
                 (("gpu_family", "NVIDIA_H100"), ("region", "us-east-1")))


@pytest.mark.parametrize(("needs", "expected"), [
    # GCP: the project-wide ceiling is the sum of every regional GPU need (it is 0 on new projects)
    ({_L4_SPOT: 12, _H100: 16}, {_L4_SPOT: 12, _H100: 16, _ALL_REGIONS: 28}),
    # AWS vCPU quotas have no such ceiling; nothing needed, nothing asked
    ({_G_ON_DEMAND: 56}, {_G_ON_DEMAND: 56}),
    ({}, {}),
])
def test_with_gcp_global(needs, expected):
    assert with_gcp_global(needs) == expected


# --- reserved capacity is idle cost ----------------------------------------------------------------

NG = "aws:eks/nodeGroup:NodeGroup"
NP = "gcp:container/nodePool:NodePool"


@pytest.mark.parametrize(("type_", "inputs", "expected"), [
    # a Capacity Block of 4 bills 4 x its block rate at any scale
    (NG, {"scalingConfig": {"minSize": 0, "maxSize": 4}, "instanceTypes": ["p5.48xlarge"],
          "capacityType": "CAPACITY_BLOCK", "tags": {"reserved-nodes": "4"}}, (4 * CB_P5, 4 * CB_P5)),
    # without the recorded size the block is unknown, never 0
    (NG, {"scalingConfig": {"minSize": 0, "maxSize": 4}, "instanceTypes": ["p5.48xlarge"],
          "capacityType": "CAPACITY_BLOCK"}, (None, None)),
    # a GKE specific reservation of 8 bills 8 VMs at the on-demand rate even at 0 nodes
    (NP, {"autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 8},
          "nodeConfig": {"machineType": "a3-megagpu-8g", "resourceLabels": {"reserved-nodes": "8"},
                         "reservationAffinity": {"consumeReservationType": "SPECIFIC_RESERVATION"}}},
     (8 * A3MEGA, 8 * A3MEGA)),
    # a reservation smaller than maxNodes: idle is the reservation, max the pool
    (NP, {"autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": 8},
          "nodeConfig": {"machineType": "a3-megagpu-8g", "resourceLabels": {"reserved-nodes": "2"},
                         "reservationAffinity": {"consumeReservationType": "SPECIFIC_RESERVATION"}}},
     (2 * A3MEGA, 8 * A3MEGA)),
])
def test_reserved_capacity_is_idle_cost(type_, inputs, expected):
    charge = price_resource(type_, inputs)
    got = (charge.hourly_min, charge.hourly_max)
    if expected[0] is None:
        assert got == expected
    else:
        assert got == pytest.approx(expected)


def test_budgets_and_quota_requests_are_priced():
    assert price_resource("aws:budgets/budget:Budget", {}).hourly_max == pytest.approx(0.02 / 24)
    for free in ("aws:servicequotas/serviceQuota:ServiceQuota", "gcp:cloudquota/sQuotaPreference:SQuotaPreference",
                 "gcp:billing/budget:Budget"):
        assert price_resource(free, {}) is None


# --- what the components send ----------------------------------------------------------------------

def test_budget_arguments():
    from components.aws.budgets import limit_amount, notification_specs, tag_filter
    from components.gcp.budgets import money, threshold_rules
    from components.gcp.gpu_quota import preference_name

    thresholds = [BudgetThreshold(percent=80), BudgetThreshold(percent=100, spend="forecasted")]
    assert tag_filter("team", "research") == "user:team$research"
    assert notification_specs(thresholds) == [("ACTUAL", 80), ("FORECASTED", 100)]
    assert limit_amount(1234.5) == "1234.50"
    assert threshold_rules(thresholds) == [(0.8, "CURRENT_SPEND"), (1.0, "FORECASTED_SPEND")]
    assert money(1234.56) == ("1234", 560_000_000)
    key = QuotaKey("compute.googleapis.com", GCP_FAMILY_QUOTA, (("gpu_family", "NVIDIA_H100_MEGA"),
                                                                ("region", "us-central1")))
    assert preference_name(key) == "gpus-per-gpu-family-nvidia-h100-mega-us-central1"
    with pytest.raises(ValueError, match="at most 10"):
        notification_specs([BudgetThreshold(percent=p) for p in range(10, 120, 10)])


# --- config checks ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("doc", "line"), [
    (_doc(gpuPools=[_pool(capacity={"type": "capacityBlock", "reservationId": "cr-1", "zone": "us-east-1a",
                                    "reservedNodes": 2})]),
     f"{SOURCE}: ai-landing-zone:gpuPools[0].maxNodes: 4 is more than capacity.reservedNodes 2: a pool on a "
     "capacityBlock launches only into it; lower maxNodes or state the reservation's real size"),
    (_doc(gpuPools=[_pool(capacity={"type": "onDemand", "reservedNodes": 2})]),
     f"{SOURCE}: ai-landing-zone:gpuPools[0].capacity.reservedNodes: only allowed with type reservation or "
     "capacityBlock, not onDemand"),
    (_doc(notifications={"emails": ["oncall-at-example.com"]}),
     f"{SOURCE}: ai-landing-zone:notifications.emails[0]: must be an email address such as "
     "platform-oncall@example.com (got 'oncall-at-example.com')"),
    (_doc("gcp", budget={"maxMonthlyUsd": 100}),
     f"{SOURCE}: ai-landing-zone:budget.billingAccount: required on gcp when budget.maxMonthlyUsd or a team's "
     "monthlyBudgetUsd is set: the billing account (XXXXXX-XXXXXX-XXXXXX) the budgets are created on"),
    (_doc(budget={"maxMonthlyUsd": 100, "billingAccount": "000000-AAAAAA-000000"}),
     f"{SOURCE}: ai-landing-zone:budget.billingAccount: gcp only (the Cloud Billing account GCP budgets live "
     "on); on aws leave it unset (got 000000-AAAAAA-000000)"),
    (_doc(gpuPools=[_pool()], teams=[_team("a", train=8), _team("cpu-only")], budget={"maxMonthlyUsd": 100}),
     f"{SOURCE}: ai-landing-zone:teams[1].monthlyBudgetUsd: required for team 'cpu-only': it has no GPU quota, "
     "so it has no share of budget.maxMonthlyUsd to derive a budget from (or budget.maxMonthlyUsd is unset)"),
    (_doc(teams=[{**_team("a"), "monthlyBudgetUsd": 80}, {**_team("b"), "monthlyBudgetUsd": 40}],
          budget={"maxMonthlyUsd": 100}),
     f"{SOURCE}: ai-landing-zone:teams: the teams' monthlyBudgetUsd add up to 120 USD, more than "
     "budget.maxMonthlyUsd 100; lower them or raise the environment's budget"),
])
def test_refused_with_a_clear_line(doc, line):
    assert line in _lines(doc)


def test_billing_account_format_is_checked():
    lines = _lines(_doc("gcp", budget={"maxMonthlyUsd": 100, "billingAccount": "billingAccounts/123"}))
    assert any("budget.billingAccount" in line and "billingAccounts/123" in line for line in lines), lines


# --- cost by team: shared pools split by queue quota -------------------------------------------------

def test_cost_by_team_splits_a_shared_pool_by_queue_quota():
    from lz.cost.report import Row, price_rows, queue_quotas

    def queue(team: str, gpus: int) -> Row:
        return Row(urn=f"urn:cq-{team}", type="kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue", name=team,
                   custom=True, parent="", id="", inputs={"metadata": {"name": team}, "spec": {"resourceGroups": [
                       {"coveredResources": ["cpu", "memory"], "flavors": [{"name": "default-flavor", "resources": [
                           {"name": "cpu", "nominalQuota": "64"}, {"name": "memory", "nominalQuota": "256Gi"}]}]},
                       {"coveredResources": ["nvidia.com/gpu"], "flavors": [{"name": "train", "resources": [
                           {"name": "nvidia.com/gpu", "nominalQuota": gpus}]}]}]}})

    pool = Row(urn="urn:ng", type=NG, name="lz-pool-train-nodes", custom=True, parent="", id="", inputs={
        "scalingConfig": {"minSize": 1, "maxSize": 4}, "instanceTypes": ["p5.48xlarge"],
        "labels": {"ai-landing-zone/pool": "train"}, "tags": {"team": "platform"}})
    rows = [queue("pre", 24), queue("serving", 8), pool]
    assert queue_quotas(rows) == {"pre": {"train": 24}, "serving": {"train": 8}}
    report = price_rows("t", rows)
    by_team = report.groups("team")
    assert by_team["pre"].hourly_max == pytest.approx(0.75 * 4 * P5)
    assert by_team["serving"].hourly_min == pytest.approx(0.25 * 1 * P5)
    assert "platform" not in by_team                       # the pool's tag no longer takes it all
    assert report.totals.hourly_max == pytest.approx(4 * P5)  # the split moves money, it adds none
    assert report.as_json()["poolShares"] == {"train": {"pre": 0.75, "serving": 0.25}}


# --- the example stacks: reserved pools are idle cost ------------------------------------------------

@pytest.mark.parametrize(("stack", "pool", "idle_usd_per_hour"), [
    ("prod", "h100-train", 4 * CB_P5),      # a Capacity Block of 4 p5.48xlarge
    ("gcp-prod", "h100-train", 8 * A3MEGA),  # a specific reservation of 8 a3-megagpu-8g
])
def test_reserved_pools_of_the_example_stacks_cost_money_idle(stack, pool, idle_usd_per_hour):
    from lz.cost import price_plan
    from lz.testing import committed_plan

    report = price_plan(committed_plan(stack))
    charge = next(i.charge for i in report.items if i.pool == pool)
    assert charge.hourly_min == pytest.approx(idle_usd_per_hour)
    assert report.totals.hourly_min > idle_usd_per_hour
