"""`lz cost` end to end on recorded plans: hand-computed figures for an AWS and a GCP plan, the cost delta
against a saved base plan, the CLI's table / JSON / Markdown, and the cost rules through the real pack.

The plans come from tests/cost/fixture, a small program that registers one of each billed resource
type (real pulumi_aws / pulumi_gcp resources) sized from its stack config, so every figure below can
be computed by hand from the catalog's unit prices.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from rich.console import Console

from components.catalog import aws_instance_type, gcp_machine_type, price
from components.catalog.pricing import HOURS_PER_MONTH
from lz.cost import diff, load_plan_json, price_plan, price_rows, summarize
from lz.cost_cmd import add_parser
from lz.report import plan_json
from lz.testing import ROOT, plan_config, plan_stack

FIXTURE = Path(__file__).resolve().parent / "fixture"
PACK = ROOT / "policies"

P5 = aws_instance_type("p5.48xlarge").on_demand_usd_per_hour
A3 = gcp_machine_type("a3-highgpu-8g").on_demand_usd_per_hour


def usd(key: str) -> float:
    value = price(key).usd
    assert value is not None, key
    return value


FIXTURE_KEYS = ("pool", "natCount", "lustreGib", "team")  # the fixture program's own keys (cost-fixture:*)
SETTINGS = {"ai-landing-zone:environment": "dev", "ai-landing-zone:tags": {"costCenter": "cc-1"}}


def aws_config(**overrides) -> dict:
    cfg = {"aws:region": "us-east-1", "ai-landing-zone:cloud": "aws", **SETTINGS,
           "cost-fixture:pool": {"instanceType": "p5.48xlarge", "min": 0, "max": 2}}
    cfg.update({f"{'cost-fixture' if k in FIXTURE_KEYS else 'ai-landing-zone'}:{k}": v for k, v in overrides.items()})
    return cfg


@pytest.fixture(scope="module")
def aws_plan():
    plan = plan_config(aws_config(), project_dir=FIXTURE, policy=False)
    assert plan.run.error is None, plan.run.error
    return plan


@pytest.fixture(scope="module")
def gcp_plan():
    plan = plan_config({"gcp:project": "p", "gcp:region": "us-central1", "ai-landing-zone:cloud": "gcp",
                        "ai-landing-zone:region": "us-central1", "ai-landing-zone:gcpProject": "p", **SETTINGS,
                        "cost-fixture:pool": {"instanceType": "a3-highgpu-8g", "min": 0, "max": 4, "spot": True}},
                       project_dir=FIXTURE, policy=False)
    assert plan.run.error is None, plan.run.error
    return plan


def test_aws_plan_hand_computed(aws_plan):
    report = price_plan(aws_plan)
    by_name = {i.name: i for i in report.items}
    # Gateway endpoint, IAM role, launch template and the component carry no charge of their own.
    assert set(by_name) == {"train-ng", "cluster", "nat-ip-0", "nat-0", "ecr", "lustre", "datasets", "key"}
    fixed_hourly = (usd("aws.eks.cluster_hour") + usd("aws.public_ipv4.hour") + usd("aws.nat_gateway.hour")
                    + 2 * usd("aws.vpc_interface_endpoint.hour_per_az"))            # 0.10 + 0.005 + 0.045 + 0.02
    fixed_monthly = 2400 * usd("aws.fsx_lustre.persistent_2.125.gb_month") + usd("aws.kms.key_month")  # 348 + 1
    idle = fixed_hourly * HOURS_PER_MONTH + fixed_monthly
    t = report.totals
    assert t.unknown == 0
    assert t.monthly_min == pytest.approx(idle)                                     # 473.10
    assert t.monthly_max == pytest.approx(idle + 2 * P5 * HOURS_PER_MONTH)          # + 2 x 55.04 x 730
    pool = by_name["train-ng"]
    assert (pool.charge.hourly_min, pool.charge.hourly_max) == (0.0, pytest.approx(2 * P5))
    assert (pool.component, pool.team, pool.charge.capacity_type) == ("train", "research", "onDemand")
    assert by_name["cluster"].team == "platform"
    bucket = by_name["datasets"].charge
    assert bucket.hourly_max == 0.0 and "0.023 USD per GB-month" in bucket.basis and "size unknown" in bucket.basis


def test_gcp_plan_hand_computed(gcp_plan):
    report = price_plan(gcp_plan)
    by_name = {i.name: i for i in report.items}
    assert set(by_name) == {"train-np", "cluster", "nat", "datasets", "lustre", "key"}
    per_vm = usd("gcp.cloud_nat.gateway_hour_per_vm")
    idle_hourly = usd("gcp.gke.cluster_hour") + 0 * per_vm + usd("gcp.kms.key_version_month") / HOURS_PER_MONTH
    t = report.totals
    assert t.unknown == 1                          # Managed Lustre: no sourced price, reported as unknown
    assert by_name["lustre"].charge.monthly_max is None
    assert t.hourly_min == pytest.approx(idle_hourly)
    assert t.hourly_max == pytest.approx(idle_hourly + 4 * A3 + 4 * per_vm)
    pool = by_name["train-np"].charge
    assert pool.capacity_type == "spot" and "upper bound" in pool.basis
    assert by_name["datasets"].charge.price_keys == ("gcp.gcs.nearline.gb_month",)


def test_dev_pools_cost_nothing_idle(aws_plan, gcp_plan):
    for plan in (aws_plan, gcp_plan):
        pools = [i for i in price_plan(plan).items if i.charge.pool is not None]
        assert pools and all(i.charge.hourly_min == 0.0 for i in pools)
        assert all(i.charge.hourly_max > 0 for i in pools)


def test_summarize_for_lz_plan(aws_plan):
    summary = summarize(aws_plan)
    t = price_plan(aws_plan).totals
    assert summary["currency"] == "USD" and summary["unknown"] == 0
    assert summary["monthly"] == {"min": round(t.monthly_min, 2), "max": round(t.monthly_max, 2)}
    assert "budget" not in summary


def test_group_by_team_and_tag(aws_plan):
    report = price_plan(aws_plan)
    teams = report.groups("team")
    assert set(teams) == {"research", "platform"}
    assert teams["platform"].hourly_max == pytest.approx(usd("aws.eks.cluster_hour"))
    cost_centres = report.groups("tag:cost-center")
    assert set(cost_centres) == {"cc-1"}
    assert report.groups("pool")["train"].hourly_max == pytest.approx(2 * P5)


def test_json_shape_and_sources(aws_plan):
    doc = price_plan(aws_plan).as_json()
    assert {"stack", "currency", "hourly", "monthly", "items", "priceSources"} <= set(doc)
    item = next(i for i in doc["items"] if i["urn"].endswith("::train-ng"))
    assert {"urn", "type", "component", "team", "capacityType", "hourly", "monthly", "basis"} <= set(item)
    assert item["monthly"]["max"] == round(2 * P5 * HOURS_PER_MONTH, 2)
    src = doc["priceSources"]["aws:p5.48xlarge"]
    assert src["usd"] == P5 and src["region"] == "us-east-1" and src["sources"]
    assert doc["priceSources"]["aws.nat_gateway.hour"]["sources"]


# --------------------------------------------------------------------------------------------- delta
def saved_plan(stack: str, directory: Path) -> Path:
    """`stack`'s plan as `lz plan STACK --json FILE` (or --json-dir) writes it."""
    plan = plan_stack(stack, project_dir=FIXTURE, policy=False)
    assert plan.run.error is None, plan.run.error
    path = directory / f"{stack}.json"
    path.write_text(json.dumps(plan_json(plan)))
    return path


@pytest.fixture(scope="module")
def base_file(tmp_path_factory):
    """The base branch's plan."""
    return saved_plan("aws-base", tmp_path_factory.mktemp("base"))


def test_cost_delta_against_saved_plan(base_file):
    stack, rows = load_plan_json(str(base_file))
    assert stack == "aws-base"
    head = plan_stack("aws-head", project_dir=FIXTURE, policy=False)
    delta = diff(price_rows(stack, rows), price_plan(head))
    changes = {(c.status, c.urn.rsplit("::", 1)[-1]): c for c in delta.changes}
    assert set(changes) == {("removed", "nat-1"), ("removed", "nat-ip-1"), ("added", "lustre"),
                            ("changed", "train-ng")}
    lustre = 2400 * usd("aws.fsx_lustre.persistent_2.125.gb_month")
    assert changes[("added", "lustre")].monthly_delta == (pytest.approx(lustre), pytest.approx(lustre))
    assert changes[("removed", "nat-1")].monthly_delta == (pytest.approx(-usd("aws.nat_gateway.hour") * 730),) * 2
    assert changes[("changed", "train-ng")].monthly_delta == (0.0, pytest.approx(2 * P5 * HOURS_PER_MONTH))
    total = delta.as_json()["monthlyDelta"]
    nat_pair = (usd("aws.nat_gateway.hour") + usd("aws.public_ipv4.hour")) * HOURS_PER_MONTH
    assert total["min"] == pytest.approx(round(lustre - nat_pair, 2))
    assert total["max"] == pytest.approx(round(lustre - nat_pair + 2 * P5 * HOURS_PER_MONTH, 2))


def test_delta_reads_old_files_without_cost_block(base_file, tmp_path):
    """A plan file is re-priced from its steps; a `cost` block in it (from `lz plan`) is not trusted."""
    doc = json.loads(base_file.read_text())
    doc["cost"] = {"monthly": {"min": 1, "max": 1}}
    path = tmp_path / "with-cost.json"
    path.write_text(json.dumps(doc))
    stack, rows = load_plan_json(str(path))
    assert price_rows(stack, rows).totals == price_rows(*load_plan_json(str(base_file))).totals


@pytest.mark.parametrize("text", ["{}", "[1, 2]", '{"steps": [{"op": "create"}]}', "not json"])
def test_bad_plan_file_is_a_clear_error(tmp_path, text):
    from lz.cost import PlanFileError

    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(PlanFileError, match="bad.json"):
        load_plan_json(str(path))


# --------------------------------------------------------------------------------------------- CLI
def run_cli(*argv: str, capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="lz")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["cost", *argv, "-C", str(FIXTURE)])
    code = args.func(args, Console(width=200, force_terminal=False))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_with_budget_and_delta(capsys, base_file):
    code, out, _ = run_cli("aws-head", "--json", "-", "--base", str(base_file), "--by", "tag:cost-center", capsys=capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["stack"] == "aws-head"
    assert doc["budget"] == {"maxMonthlyUsd": 30000.0, "withinBudget": False}   # 4 x p5 at max is ~160k
    assert set(doc["groups"]) == {"tag:cost-center"}
    assert {c["status"] for c in doc["delta"]["changes"]} == {"added", "removed", "changed"}


def test_cli_markdown_delta_for_a_pull_request(capsys, base_file):
    code, out, _ = run_cli("aws-head", "--markdown", "--base", str(base_file), capsys=capsys)
    assert code == 0
    assert out.startswith("### Cost change for `aws-head`")
    assert "| ➕ | `lustre` |" in out and "| ➖ | `nat-1` |" in out and "| ✏️ | `train-ng` |" in out


def test_cli_markdown_and_table(capsys):
    code, out, _ = run_cli("aws-base", "--markdown", capsys=capsys)
    assert code == 0 and out.startswith("### Cost of `aws-base`") and "| train |" in out
    code, out, _ = run_cli("aws-base", capsys=capsys)
    assert code == 0 and "train-ng" in out and "Total:" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["aws-base", "--by", "colour"], "--by 'colour'"),
    (["no-such-stack"], "no-such-stack"),
    (["aws-base", "--base", "/nonexistent.json"], "cannot read plan file"),
])
def test_cli_bad_input_exits_2(capsys, argv, message):
    code, _, err = run_cli(*argv, capsys=capsys)
    assert code == 2
    assert message in err


# --------------------------------------------------------------------------------------------- rules
@pytest.mark.parametrize(("max_nodes", "fires"), [(1, False), (2, True)])
def test_budget_rule_fires_when_a_pool_max_passes_the_budget(max_nodes, fires):
    # 1 x p5 at max is ~40.6k USD/month with the fixed charges, 2 x p5 ~80.8k: the budget sits between.
    plan = plan_config(aws_config(budget={"maxMonthlyUsd": 60000},
                                  pool={"instanceType": "p5.48xlarge", "min": 0, "max": max_nodes}),
                       project_dir=FIXTURE, policy=True, policy_packs=[PACK])
    found = [v for v in plan.violations if v.policy_name == "stack-within-monthly-budget"]
    assert bool(found) is fires
    if fires:
        assert found[0].enforcement_level == "mandatory"
        assert "over its budget of 60,000 USD/month" in found[0].message and "train-ng 2 x p5.48xlarge" in found[0].message


@pytest.mark.parametrize(("environment", "minimum", "fires"), [("dev", 0, False), ("dev", 1, True), ("prod", 1, False)])
def test_idle_gpu_rule(environment, minimum, fires):
    plan = plan_config(aws_config(environment=environment,
                                  pool={"instanceType": "p5.48xlarge", "min": minimum, "max": 2}),
                       project_dir=FIXTURE, policy=True, policy_packs=[PACK])
    found = [v for v in plan.violations if v.policy_name == "gpu-pools-idle-cost-zero-outside-prod"]
    assert bool(found) is fires
    if fires:
        assert found[0].urn.endswith("::train-ng") and "minSize is 1" in found[0].message


# --------------------------------------------------------------------------------------------- --plan
@pytest.fixture(scope="module")
def head_file(tmp_path_factory):
    """The head's plan, as the pull request has just made it."""
    return saved_plan("aws-head", tmp_path_factory.mktemp("head"))


def _by_urn(doc: dict) -> dict:
    return {**doc, "items": sorted(doc["items"], key=lambda item: item["urn"])}


def test_cli_prices_a_saved_plan_as_it_prices_a_live_one(capsys, base_file, head_file):
    # The pull request has planned the head already: `--plan` prices that plan instead of planning again,
    # with the same items, totals, budget check, file-tier summary and delta.
    live = run_cli("aws-head", "--json", "-", "--base", str(base_file), capsys=capsys)
    saved = run_cli("aws-head", "--json", "-", "--base", str(base_file), "--plan", str(head_file), capsys=capsys)
    assert live[0] == saved[0] == 0
    assert _by_urn(json.loads(saved[1])) == _by_urn(json.loads(live[1]))
    code, out, _ = run_cli("aws-head", "--markdown", "--base", str(base_file), "--plan", str(head_file), capsys=capsys)
    assert code == 0 and out.startswith("### Cost change for `aws-head`")


def test_cli_refuses_a_saved_plan_it_cannot_price_right(capsys, base_file, tmp_path):
    code, _, err = run_cli("aws-head", "--plan", str(base_file), capsys=capsys)  # another stack's plan
    assert code == 2 and "a plan of stack 'aws-base', not 'aws-head'" in err
    doc = json.loads(base_file.read_text())
    doc["config"]["ai-landing-zone:environment"] = "[secret]"
    masked = tmp_path / "masked.json"
    masked.write_text(json.dumps(doc))
    code, _, err = run_cli("aws-base", "--plan", str(masked), capsys=capsys)
    assert code == 2 and "ai-landing-zone:environment is saved as [secret]" in err
    code, _, err = run_cli("aws-base", "--plan", str(tmp_path / "missing.json"), capsys=capsys)
    assert code == 2 and "cannot read plan file" in err
