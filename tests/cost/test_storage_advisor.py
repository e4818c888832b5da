"""Table tests for the storage sizing advisor (components/storage_advisor.py)."""

from __future__ import annotations

import pytest

from components.catalog import aws_instance_type
from components.config.model import LandingZoneConfig
from components.storage_advisor import (
    DEFAULT_READ_MBPS_PER_GPU,
    fsx_capacity_for,
    fsx_lustre_prices,
    judge,
    lustre_supply_mbps,
    managed_lustre_capacity_for,
    size_lustre,
    size_managed_lustre,
    smallest_supply_mbps,
    supply_mbps,
    training_demand,
)

# Illustrative full price tables (USD per GiB-month by tier), so the advisor can rank every tier.
FULL = {125: 0.145, 250: 0.210, 500: 0.340, 1000: 0.600}
FLAT = {125: 0.20, 250: 0.20, 500: 0.20, 1000: 0.20}


@pytest.mark.parametrize(("demand", "tier", "capacity"), [
    (100, 125, 1200),      # 1200 GiB x 125 = 146 MB/s
    (147, 125, 2400),      # just over the 1,200 GiB step
    (292, 125, 2400),      # 2400 GiB x 125 = 293 MB/s
    (1000, 1000, 1200),
    (1200, 1000, 2400),    # 1200 GiB x 1000 = 1,172 MB/s: not enough
    (5000, 250, 21600),    # 5000 / 250 x 1024 = 20,480 GiB -> 9 x 2400
    (0, 500, 1200),
])
def test_fsx_capacity_steps(demand, tier, capacity):
    got = fsx_capacity_for(demand, tier)
    assert got == capacity
    assert lustre_supply_mbps(got, tier) >= demand
    assert got == 1200 or got % 2400 == 0


@pytest.mark.parametrize(("demand", "prices", "capacity", "tier", "monthly"), [
    # 300 MB/s: 2400 GiB @125 = 348.0, 1200 @250 = 252.0 (146 MB/s short -> 2400 @250 = 504), 1200 @500 = 408.0,
    # 1200 @1000 = 720.0 -> 1200 GiB at 500 is the cheapest that delivers 586 MB/s >= 300
    (300, FULL, 1200, 500, 408.0),
    # 100 MB/s: 1200 @125 = 174.0 is the cheapest
    (100, FULL, 1200, 125, 174.0),
    # 2,500 MB/s: @125 21600 GiB = 3132; @250 12000 = 2520; @500 7200 = 2448; @1000 4800 = 2880
    # (2400 GiB @1000 delivers only 2,344 MB/s) -> the middle tier wins
    (2500, FULL, 7200, 500, 2448.0),
    # same unit price at every tier: the smallest capacity wins (the highest tier)
    (2500, FLAT, 4800, 1000, 960.0),
])
def test_size_lustre_picks_the_cheapest_sufficient(demand, prices, capacity, tier, monthly):
    choice = size_lustre(demand, prices)
    assert (choice.capacity_gib, choice.throughput_per_tib, choice.monthly_usd) == (capacity, tier, monthly)
    assert choice.ranked_by_cost and choice.supply_mbps >= demand
    # no sufficient configuration is cheaper
    for t in prices:
        alt = fsx_capacity_for(demand, t)
        assert alt * prices[t] >= monthly - 1e-9


def test_size_lustre_without_every_price_falls_back_to_smallest_capacity():
    prices = {125: 0.145, 250: None, 500: None, 1000: None}
    choice = size_lustre(2500, prices)
    assert (choice.capacity_gib, choice.throughput_per_tib) == (4800, 1000)
    assert choice.monthly_usd is None and not choice.ranked_by_cost
    assert "cannot rank" in choice.note and "250, 500, 1000" in choice.note


@pytest.mark.parametrize(("size", "demand", "prices", "choice", "priced"), [
    # Part of the tiers priced: the choice stays the smallest sufficient capacity (an unpriced tier may be the
    # cheapest), and the priced tiers are listed cheapest first.
    # 10,000 MB/s: @125 84000 GiB x 0.145 = 12180, @250 43200 x 0.21 = 9072; @500, @1000 unknown.
    (size_lustre, 10000, {125: 0.145, 250: 0.21, 500: None, 1000: None},
     (12000, 1000, None), [(43200, 250, 9072.0), (84000, 125, 12180.0)]),
    # the smallest configuration's tier is priced: its price is the choice's
    (size_lustre, 2500, {125: None, 250: None, 500: None, 1000: 0.6}, (4800, 1000, 2880.0), [(4800, 1000, 2880.0)]),
    # 30,000 MB/s on Managed Lustre: @125 288000 GiB x 0.145 = 41760; the others unknown
    (size_managed_lustre, 30000, {125: 0.145, 250: None, 500: None, 1000: None},
     (36000, 1000, None), [(288000, 125, 41760.0)]),
    (size_managed_lustre, 30000, dict.fromkeys((125, 250, 500, 1000)), (36000, 1000, None), []),
])
def test_partly_priced_tiers_are_listed_by_cost_not_chosen(size, demand, prices, choice, priced):
    got = size(demand, prices)
    assert (got.capacity_gib, got.throughput_per_tib, got.monthly_usd) == choice
    assert not got.ranked_by_cost and got.supply_mbps >= demand
    assert [(c.capacity_gib, c.throughput_per_tib, c.monthly_usd) for c in got.priced] == priced
    assert all(c.supply_mbps >= demand for c in got.priced)
    for capacity, tier, monthly in priced:
        assert f"{capacity} GiB at {tier} MB/s/TiB {monthly:g} USD/month" in got.note
    assert ("priced tiers, cheapest first" in got.note) == bool(priced)


def _stack_config(stack):
    from pathlib import Path

    from components.config import load_stack_file
    from components.config.settings import settings_from

    root = Path(__file__).resolve().parents[2]
    return settings_from(load_stack_file(root / "stacks" / f"Pulumi.{stack}.yaml"))


@pytest.mark.parametrize(("stack", "priced"), [
    # The committed stacks' sizing with the catalog's sourced tiers (prices.yaml, issue #17): prod needs
    # 10,000 MB/s (FSx for Lustre, us-east-1), gcp-prod 30,000 MB/s (Managed Lustre, us-central1).
    ("prod", [(43200, 250, 9072.0), (84000, 125, 12180.0)]),
    ("gcp-prod", [(288000, 125, 41760.0)]),
])
def test_committed_stacks_name_the_priced_tiers(stack, priced):
    from components.storage_advisor import advise

    advice = advise(_stack_config(stack))
    assert advice.choice is not None
    assert [(c.capacity_gib, c.throughput_per_tib, c.monthly_usd) for c in advice.choice.priced] == priced
    sized = [a.message for a in advice.advisories if a.code == "file-tier-sized"]
    assert len(sized) == 1 and "priced tiers, cheapest first" in sized[0]


def test_catalog_prices_are_the_inputs_of_the_aws_component():
    prices = fsx_lustre_prices()
    assert set(prices) == {125, 250, 500, 1000}
    choice = size_lustre(300, prices)
    if None in prices.values():
        assert not choice.ranked_by_cost
    assert choice.supply_mbps >= 300


@pytest.mark.parametrize(("demand", "tier", "capacity"), [
    (100, 1000, 18000),          # the tier minimum
    (20000, 1000, 27000),        # 20,480 GiB needed -> next 9,000 GiB step
    (20000, 125, 216000),        # 163,840 GiB needed -> 3 x 72,000
])
def test_managed_lustre_capacity(demand, tier, capacity):
    assert managed_lustre_capacity_for(demand, tier) == capacity


def test_size_managed_lustre_ranks_when_priced_and_falls_back_when_not():
    priced = size_managed_lustre(20000, {125: 0.10, 250: 0.15, 500: 0.25, 1000: 0.40})
    # @125 216000 = 21600; @250 108000 = 16200; @500 54000 = 13500; @1000 27000 = 10800
    assert (priced.capacity_gib, priced.throughput_per_tib, priced.monthly_usd) == (27000, 1000, 10800.0)
    unpriced = size_managed_lustre(20000, dict.fromkeys((125, 250, 500, 1000)))
    assert (unpriced.capacity_gib, unpriced.throughput_per_tib, unpriced.monthly_usd) == (27000, 1000, None)


def _config(pools, file=None, cloud="aws"):
    doc = {"environment": "dev", "cloud": cloud, "tags": {"costCenter": "cc-1"}, "gpuPools": pools}
    if cloud == "gcp":
        doc.update(region="us-central1", gcpProject="p")
    if file:
        doc["storage"] = {"file": file}
    return LandingZoneConfig.model_validate(doc)


def test_training_demand_uses_pool_rate_or_documented_default():
    cfg = _config([
        {"name": "train", "instanceType": "p5.48xlarge", "maxNodes": 4, "purpose": "training"},
        {"name": "tune", "instanceType": "p4d.24xlarge", "maxNodes": 2, "purpose": "training",
         "readThroughputPerGpuMbps": 50},
        {"name": "serve", "instanceType": "g6e.12xlarge", "maxNodes": 8, "purpose": "inference"},
    ])
    demand = training_demand(cfg.gpu_pools, cfg.cloud)
    gpus = aws_instance_type("p5.48xlarge").accelerator.count
    assert [(p.pool, p.gpus, p.mbps_per_gpu, p.rate_source) for p in demand.pools] == [
        ("train", 4 * gpus, DEFAULT_READ_MBPS_PER_GPU, "default"), ("tune", 16, 50, "pool")]
    assert demand.mbps == 4 * gpus * DEFAULT_READ_MBPS_PER_GPU + 16 * 50


@pytest.mark.parametrize(("supply", "codes"), [
    (999.0, ["file-tier-starves-gpus"]),
    (1000.0, []),
    (2000.0, []),
    (2001.0, ["file-tier-oversized"]),
    (None, []),
])
def test_judge(supply, codes):
    cfg = _config([{"name": "t", "instanceType": "p4d.24xlarge", "maxNodes": 1, "purpose": "training",
                    "readThroughputPerGpuMbps": 125}])
    demand = training_demand(cfg.gpu_pools, cfg.cloud)
    assert demand.mbps == 1000
    assert [a.code for a in judge(demand, supply, "the file tier")] == codes


@pytest.mark.parametrize(("type_", "inputs", "mbps"), [
    ("aws:fsx/lustreFileSystem:LustreFileSystem", {"storageCapacity": 2400, "perUnitStorageThroughput": 250},
     2400 / 1024 * 250),
    ("gcp:lustre/instance:Instance", {"capacityGib": "18000", "perUnitStorageThroughput": "1000"}, 18000 / 1024 * 1000),
    ("aws:efs/fileSystem:FileSystem", {}, None),
])
def test_supply_from_recorded_inputs(type_, inputs, mbps):
    assert supply_mbps(type_, inputs) == (pytest.approx(mbps) if mbps else None)


def test_advise_flags_a_configured_tier_that_starves_the_gpus():
    from components.storage_advisor import advise

    pools = [{"name": "train", "instanceType": "p5.48xlarge", "maxNodes": 8, "purpose": "training"}]
    starving = advise(_config(pools, {"kind": "lustre", "capacityGib": 1200, "throughputMbpsPerTib": 125}))
    assert [a.code for a in starving.advisories] == ["file-tier-starves-gpus"]
    assert starving.supply_mbps == pytest.approx(1200 / 1024 * 125)
    sized = advise(_config(pools, {"kind": "lustre"}))
    assert sized.choice is not None and sized.supply_mbps >= sized.demand.mbps
    assert "file-tier-starves-gpus" not in [a.code for a in sized.advisories]
    none = advise(_config(pools))
    assert [a.code for a in none.advisories] == ["file-tier-unsized"]


def test_the_smallest_file_system_is_not_called_oversized():
    cfg = _config([{"name": "t", "instanceType": "a3-highgpu-8g", "maxNodes": 1, "purpose": "training",
                    "readThroughputPerGpuMbps": 100}], cloud="gcp")
    demand = training_demand(cfg.gpu_pools, cfg.cloud)
    smallest = 18000 / 1024 * 1000          # every Managed Lustre tier's minimum delivers the same 17,578 MB/s
    assert smallest_supply_mbps("managedLustre") == pytest.approx(smallest)
    assert judge(demand, smallest, "the file tier", "managedLustre") == []
    assert [a.code for a in judge(demand, 2 * smallest, "the file tier", "managedLustre")] == ["file-tier-oversized"]
