"""`lz cost` on the landing zone itself: inline AWS / GCP configs through the real program and policy
pack, and every example stack under stacks/."""

from __future__ import annotations

import json

import pytest

from components.catalog import aws_instance_type, gcp_machine_type, price
from components.catalog.pricing import HOURS_PER_MONTH
from lz.cost import price_plan, storage_summary, summarize
from lz.cost.render import render_markdown
from lz.testing import ROOT, committed_plan, plan_config

P5 = aws_instance_type("p5.48xlarge").on_demand_usd_per_hour
A3 = gcp_machine_type("a3-highgpu-8g").on_demand_usd_per_hour


def config(cloud: str, *, max_nodes: int = 2, budget: float | None = None) -> dict:
    gpu = "p5.48xlarge" if cloud == "aws" else "a3-highgpu-8g"
    doc = {"ai-landing-zone:cloud": cloud, "ai-landing-zone:environment": "dev",
           "ai-landing-zone:tags": {"costCenter": "cc-1", "team": "ml"},
           "ai-landing-zone:gpuPools": [{"name": "train", "instanceType": gpu, "minNodes": 0, "maxNodes": max_nodes,
                                         "purpose": "training"}],
           "ai-landing-zone:storage": {"file": {"kind": "lustre" if cloud == "aws" else "managedLustre"}}}
    if cloud == "aws":
        doc["aws:region"] = "us-east-1"
    else:
        doc.update({"gcp:project": "proj-1", "gcp:region": "us-central1", "ai-landing-zone:region": "us-central1",
                    "ai-landing-zone:gcpProject": "proj-1"})
    if budget is not None:
        doc["ai-landing-zone:budget"] = {"maxMonthlyUsd": budget}
    return doc


@pytest.fixture(scope="module", params=["aws", "gcp"])
def planned(request):
    plan = plan_config(config(request.param), policy=False)
    assert plan.run.error is None, plan.run.error
    return request.param, plan


def test_gpu_pool_priced_from_its_recorded_inputs(planned):
    cloud, plan = planned
    report = price_plan(plan)
    pools = [i for i in report.items if i.charge.pool is not None and i.charge.instance_type in ("p5.48xlarge",
                                                                                                  "a3-highgpu-8g")]
    assert len(pools) == 1
    unit = P5 if cloud == "aws" else A3
    charge = pools[0].charge
    assert (charge.nodes, charge.hourly_min, charge.hourly_max) == ((0, 2), 0.0, pytest.approx(2 * unit))
    assert pools[0].team == "ml" and pools[0].component != "(stack)"


def test_fixed_charges_a_dev_zone_always_pays(planned):
    cloud, plan = planned
    items = price_plan(plan).items
    types = {i.type for i in items}
    if cloud == "aws":
        nat = [i for i in items if i.type == "aws:ec2/natGateway:NatGateway"]
        assert len(nat) == 1 and nat[0].charge.hourly_min == price("aws.nat_gateway.hour").usd   # dev: one NAT
        assert {"aws:eks/cluster:Cluster", "aws:s3/bucket:Bucket", "aws:kms/key:Key"} <= types
        buckets = [i for i in items if i.type == "aws:s3/bucket:Bucket"]
        assert all(b.charge.hourly_max == 0.0 and "size unknown" in b.charge.basis for b in buckets)
    else:
        assert {"gcp:container/cluster:Cluster", "gcp:compute/routerNat:RouterNat", "gcp:storage/bucket:Bucket"} <= types


def test_dev_idle_gpu_cost_is_zero(planned):
    _, plan = planned
    gpu_pools = [i for i in price_plan(plan).items if i.charge.instance_type in ("p5.48xlarge", "a3-highgpu-8g")]
    assert gpu_pools and all(i.charge.hourly_min == 0.0 for i in gpu_pools)


def test_summary_and_markdown(planned):
    _, plan = planned
    report = price_plan(plan)
    summary = summarize(plan, report)
    assert summary["monthly"]["max"] == pytest.approx(round(report.totals.monthly_max, 2))
    assert summary["monthly"]["max"] - summary["monthly"]["min"] >= 2 * min(P5, A3) * HOURS_PER_MONTH - 1
    text = render_markdown(report, group_by=["component", "team"])
    assert "| component |" in text and "| ml |" in text


def test_storage_demand_against_the_recorded_file_tier(planned):
    cloud, plan = planned
    summary = storage_summary(plan)
    gpus = (aws_instance_type("p5.48xlarge") if cloud == "aws" else gcp_machine_type("a3-highgpu-8g")).accelerator.count
    assert summary["pools"][0]["gpus"] == 2 * gpus
    assert summary["demandMbps"] == pytest.approx(summary["pools"][0]["mbps"])
    assert summary["supplyMbps"] is not None
    codes = {a["code"] for a in summary["advisories"]}
    assert ("file-tier-starves-gpus" in codes) == (summary["supplyMbps"] < summary["demandMbps"])
    if summary["choice"] is not None:  # the priced alternatives, cheapest first (`lz cost --json`)
        monthly = [c["monthlyUsd"] for c in summary["choice"]["priced"]]
        assert None not in monthly and monthly == sorted(monthly)
        assert summary["choice"]["rankedByCost"] or summary["choice"]["monthlyUsd"] in (None, *monthly)


@pytest.mark.parametrize(("max_nodes", "fires"), [(1, False), (3, True)])
def test_budget_rule_through_the_pack(max_nodes, fires):
    # 1 x p5.48xlarge at max is ~40k USD/month, 3 x ~121k; the budget sits between.
    plan = plan_config(config("aws", max_nodes=max_nodes, budget=60000), policy=True)
    assert plan.run.error is None, plan.run.error
    found = [v for v in plan.violations if v.policy_name == "stack-within-monthly-budget"]
    assert bool(found) is fires
    assert summarize(plan)["budget"]["withinBudget"] is not fires


STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@pytest.mark.parametrize("stack", STACKS)
def test_every_example_stack_prices(stack):
    plan = committed_plan(stack)  # pricing reads registrations only; the pack's verdicts do not matter here
    report = price_plan(plan)
    doc = json.loads(json.dumps(report.as_json()))
    assert doc["stack"] == stack and doc["currency"] == "USD"
    if plan.config.get("ai-landing-zone:environment") != "prod":
        gpu = [i for i in report.items if i.charge.pool is not None and i.charge.instance_type
               and i.charge.instance_type not in ("m7i.large", "e2-standard-4")]
        assert all(i.charge.hourly_min == 0.0 for i in gpu), [(i.name, i.charge.hourly_min) for i in gpu]
