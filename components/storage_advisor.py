"""Storage sizing advisor: how much read throughput the training pools need from the file tier, the
cheapest Lustre configuration that delivers it, and whether a configured file tier starves the GPUs
or is more than twice what they can use.

Pure: the config models and the catalog in, numbers and advisories out. The AWS and GCP storage
components call `size_lustre` / `size_managed_lustre` when the config gives no capacity; `lz plan` and
`lz cost` call `advise` (config) and `supply_mbps` (a recorded file system's inputs).

Demand. Each training pool at max scale reads `GPUs x rate`, the rate being the pool's
`readThroughputPerGpuMbps` or `DEFAULT_READ_MBPS_PER_GPU`. Units are MB/s, as the Lustre tiers are quoted.

Supply. Lustre delivers `capacity (TiB) x tier (MB/s per TiB)`. TiB is taken as 1,024 GiB, which is at
most 2.4 % below the figure AWS quotes for 1,200 GiB ("1.2 TiB"): the advisor errs toward more capacity.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from components.catalog import UnknownTypeError, price
from components.config.checks import pool_gpus_per_node
from components.config.model import Cloud, GpuPool, LandingZoneConfig
from components.config.support import FSX_LUSTRE_TIERS, MANAGED_LUSTRE_TIERS

# A sustained per-GPU read rate for training, when a pool does not state its own. NVIDIA's DGX SuperPOD
# reference architecture sizes the "Standard" storage tier at 80 GB/s aggregate read per scalable unit
# (figure quoted from the B300 RA by https://ai-infrastructure.net/storage-data-platform/, retrieved
# 2026-11-22; the same page gives 4 GB/s per GPU for high-resolution image pipelines, the "Enhanced" end),
# and a scalable unit is 32 nodes x 8 GPUs = 256 GPUs (NVIDIA DGX SuperPOD B200 RA, SU table:
# https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-b200/latest/dgx-superpod-architecture.html).
# 80,000 MB/s / 256 GPUs = 312.5 MB/s per GPU. Text/token pipelines need far less, image and video more:
# set `readThroughputPerGpuMbps` on the pool when the data loader's real rate is known.
DEFAULT_READ_MBPS_PER_GPU = 312.5
DEFAULT_READ_SOURCE = (
    "NVIDIA DGX SuperPOD 'Standard' storage: 80 GB/s aggregate read per 256-GPU scalable unit "
    "(B300 RA via ai-infrastructure.net/storage-data-platform; SU size from the B200 RA) = 312.5 MB/s per GPU"
)

OVERSIZE_FACTOR = 2.0
GIB_PER_TIB = 1024

# FSx for Lustre PERSISTENT_2 (SSD): capacity 1,200 GiB, 2,400 GiB and increments of 2,400 GiB (FSx API
# reference, CreateFileSystem StorageCapacity). The throughput tiers of both Lustre services are cloud facts
# and live in the support table (components/config/support.py) with their sources.
FSX_FIRST_GIB, FSX_STEP_GIB = 1200, 2400


@dataclass(frozen=True)
class PoolDemand:
    pool: str
    gpus: int               # at max scale
    mbps_per_gpu: float
    rate_source: str        # "pool" (readThroughputPerGpuMbps) or "default"

    @property
    def mbps(self) -> float:
        return self.gpus * self.mbps_per_gpu


@dataclass(frozen=True)
class Demand:
    pools: tuple[PoolDemand, ...]

    @property
    def mbps(self) -> float:
        return sum(p.mbps for p in self.pools)


@dataclass(frozen=True)
class LustreChoice:
    """A Lustre configuration: capacity, per-TiB throughput tier and its monthly list price (None: unknown)."""

    capacity_gib: int
    throughput_per_tib: int
    monthly_usd: float | None
    supply_mbps: float = 0.0
    ranked_by_cost: bool = True
    note: str = ""
    # Every sufficient configuration whose tier has a price, cheapest first (all candidates when ranked).
    priced: tuple[LustreChoice, ...] = ()


@dataclass(frozen=True)
class Advisory:
    level: str   # "warning" (GPUs starve) | "info"
    code: str    # "file-tier-starves-gpus" | "file-tier-oversized" | "file-tier-unsized" | ...
    message: str

    def as_json(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class StorageAdvice:
    demand: Demand
    kind: str
    supply_mbps: float | None
    choice: LustreChoice | None
    advisories: tuple[Advisory, ...]


# ------------------------------------------------------------------------------------------- demand
def gpus_per_node(pool: GpuPool, cloud: Cloud) -> int:
    """Accelerators per node (Trainium devices count); a brought pool's own `gpusPerNode` first; 0 if unknown."""
    if pool.gpus_per_node:
        return pool.gpus_per_node
    try:
        return pool_gpus_per_node(cloud, pool.instance_type)
    except UnknownTypeError:
        return 0


def training_demand(pools: Iterable[GpuPool], cloud: Cloud) -> Demand:
    out = []
    for pool in pools:
        if pool.purpose != "training":
            continue
        rate = pool.read_throughput_per_gpu_mbps
        out.append(PoolDemand(pool=pool.name, gpus=pool.max_nodes * gpus_per_node(pool, cloud),
                              mbps_per_gpu=rate or DEFAULT_READ_MBPS_PER_GPU,
                              rate_source="pool" if rate else "default"))
    return Demand(tuple(out))


# ------------------------------------------------------------------------------------------- supply
def lustre_supply_mbps(capacity_gib: float, throughput_per_tib: float) -> float:
    return capacity_gib / GIB_PER_TIB * throughput_per_tib


def supply_mbps(type_: str, inputs: Mapping[str, Any]) -> float | None:
    """Read throughput of a recorded file system from its wire inputs; None when not modelled."""
    def num(key: str) -> float | None:
        try:
            return float(inputs[key])
        except (KeyError, TypeError, ValueError):
            return None

    if type_ == "aws:fsx/lustreFileSystem:LustreFileSystem":
        gib, tier = num("storageCapacity"), num("perUnitStorageThroughput")
    elif type_ == "gcp:lustre/instance:Instance":
        gib, tier = num("capacityGib"), num("perUnitStorageThroughput")
    else:
        return None
    return None if gib is None or tier is None else lustre_supply_mbps(gib, tier)


# ------------------------------------------------------------------------------------------- sizing
def fsx_capacity_for(demand_mbps: float, tier: int) -> int:
    """Smallest valid PERSISTENT_2 capacity (GiB) whose throughput at `tier` meets `demand_mbps`."""
    need = demand_mbps / tier * GIB_PER_TIB
    if need <= FSX_FIRST_GIB:
        return FSX_FIRST_GIB
    return math.ceil(need / FSX_STEP_GIB) * FSX_STEP_GIB


def managed_lustre_capacity_for(demand_mbps: float, tier: int) -> int:
    minimum, step = MANAGED_LUSTRE_TIERS[tier]
    need = demand_mbps / tier * GIB_PER_TIB
    return max(minimum, math.ceil(need / step) * step)


def _choose(demand_mbps: float, prices: Mapping[int, float | None], tiers: Iterable[int],
            capacity_for, product: str) -> LustreChoice:
    candidates = []
    for tier in tiers:
        capacity = capacity_for(max(demand_mbps, 0.0), tier)
        unit = prices.get(tier)
        candidates.append(LustreChoice(
            capacity_gib=capacity, throughput_per_tib=tier,
            monthly_usd=None if unit is None else round(capacity * unit, 2),
            supply_mbps=lustre_supply_mbps(capacity, tier)))
    unknown = sorted(c.throughput_per_tib for c in candidates if c.monthly_usd is None)
    priced = tuple(sorted((c for c in candidates if c.monthly_usd is not None),
                          key=lambda c: (c.monthly_usd, c.capacity_gib, c.throughput_per_tib)))
    if not unknown:
        best = priced[0]
        note = (f"cheapest {product} for {demand_mbps:g} MB/s: {best.capacity_gib} GiB at "
                f"{best.throughput_per_tib} MB/s/TiB, {best.monthly_usd:g} USD/month")
        return LustreChoice(best.capacity_gib, best.throughput_per_tib, best.monthly_usd, best.supply_mbps, True,
                            note, priced)
    # An unpriced tier may be the cheapest: the choice is not made on part of the prices (it would pick a
    # priced tier that can cost more than the unpriced one). The priced tiers are shown, cheapest first.
    smallest = min(candidates, key=lambda c: (c.capacity_gib, c.throughput_per_tib))
    note = (f"cannot rank {product} by cost: no price for tier(s) {', '.join(map(str, unknown))} MB/s/TiB; "
            f"chose the smallest sufficient capacity, {smallest.capacity_gib} GiB at "
            f"{smallest.throughput_per_tib} MB/s/TiB"
            + (f", {smallest.monthly_usd:g} USD/month" if smallest.monthly_usd is not None else ""))
    if priced:
        note += "; priced tiers, cheapest first: " + ", ".join(
            f"{c.capacity_gib} GiB at {c.throughput_per_tib} MB/s/TiB {c.monthly_usd:g} USD/month" for c in priced)
    return LustreChoice(smallest.capacity_gib, smallest.throughput_per_tib, smallest.monthly_usd,
                        smallest.supply_mbps, False, note, priced)


def size_lustre(demand_mbps: float, prices: Mapping[int, float | None]) -> LustreChoice:
    """The cheapest FSx for Lustre PERSISTENT_2 configuration that sustains `demand_mbps` (MB/s).

    `prices`: USD per GiB-month by tier (125, 250, 500, 1000), None when unknown - see `fsx_lustre_prices()`.
    With any tier unpriced the choice cannot be ranked by cost: it is the smallest sufficient capacity
    (`ranked_by_cost` False, `monthly_usd` None unless that tier is priced). Stable signature: the AWS
    storage component calls it.
    """
    return _choose(demand_mbps, prices, FSX_LUSTRE_TIERS, fsx_capacity_for, "FSx for Lustre PERSISTENT_2")


def size_managed_lustre(demand_mbps: float, prices: Mapping[int, float | None]) -> LustreChoice:
    """As `size_lustre`, for Google Cloud Managed Lustre (tier minimums and steps in MANAGED_LUSTRE_TIERS)."""
    return _choose(demand_mbps, prices, sorted(MANAGED_LUSTRE_TIERS), managed_lustre_capacity_for,
                   "Managed Lustre")


def fsx_lustre_prices() -> dict[int, float | None]:
    return {t: price(f"aws.fsx_lustre.persistent_2.{t}.gb_month").usd for t in FSX_LUSTRE_TIERS}


def managed_lustre_prices() -> dict[int, float | None]:
    return {t: price(f"gcp.managed_lustre.{t}.gib_month").usd for t in MANAGED_LUSTRE_TIERS}


# ------------------------------------------------------------------------------------------- advice
def smallest_supply_mbps(kind: str) -> float:
    """Throughput of the smallest file system of a kind: below it, 'oversized' cannot be helped."""
    if kind == "lustre":
        return lustre_supply_mbps(FSX_FIRST_GIB, FSX_LUSTRE_TIERS[0])
    if kind == "managedLustre":
        return min(lustre_supply_mbps(lo, tier) for tier, (lo, _) in MANAGED_LUSTRE_TIERS.items())
    return 0.0


def judge(demand: Demand, supply: float | None, what: str, kind: str = "") -> list[Advisory]:
    """Starved GPUs (supply below demand) or a file tier more than OVERSIZE_FACTOR x the demand (unless it is
    already the smallest file system of its `kind`)."""
    need = demand.mbps
    if supply is None or need <= 0:
        return []
    pools = ", ".join(f"{p.pool} {p.gpus} GPUs x {p.mbps_per_gpu:g} MB/s" for p in demand.pools)
    if supply < need:
        return [Advisory("warning", "file-tier-starves-gpus",
                         f"{what} delivers {supply:,.0f} MB/s but the training pools read up to {need:,.0f} MB/s "
                         f"({pools}): GPUs will wait on data; raise the capacity or the throughput tier")]
    if supply > OVERSIZE_FACTOR * need and supply > smallest_supply_mbps(kind) + 1e-6:
        return [Advisory("info", "file-tier-oversized",
                         f"{what} delivers {supply:,.0f} MB/s, more than {OVERSIZE_FACTOR:g}x the {need:,.0f} MB/s "
                         f"the training pools can read ({pools}): a smaller capacity or tier costs less")]
    return []


def advise(config: LandingZoneConfig) -> StorageAdvice:
    """Demand of the configured training pools against the configured (or advised) file tier."""
    demand = training_demand(config.gpu_pools, config.cloud)
    file = config.storage.file
    kind = file.kind
    advisories: list[Advisory] = []
    choice: LustreChoice | None = None
    supply: float | None = None
    sizer = {"lustre": (size_lustre, fsx_lustre_prices), "managedLustre": (size_managed_lustre, managed_lustre_prices)}
    if kind in sizer:
        size, prices = sizer[kind]
        if file.capacity_gib is not None and file.throughput_mbps_per_tib is not None:
            supply = lustre_supply_mbps(file.capacity_gib, file.throughput_mbps_per_tib)
        else:
            choice = size(demand.mbps, prices())
            capacity = file.capacity_gib or choice.capacity_gib
            tier = file.throughput_mbps_per_tib or choice.throughput_per_tib
            supply = lustre_supply_mbps(capacity, tier)
            advisories.append(Advisory("info", "file-tier-sized", choice.note))
        advisories += judge(demand, supply, f"the {kind} file tier", kind)
    elif demand.mbps > 0:
        why = ("no file tier is configured: training pools read from object storage only"
               if kind == "none" else f"the throughput of a {kind} file tier is not modelled")
        advisories.append(Advisory("info", "file-tier-unsized",
                                   f"{why}; the training pools read up to {demand.mbps:,.0f} MB/s"))
    return StorageAdvice(demand=demand, kind=kind, supply_mbps=supply, choice=choice, advisories=tuple(advisories))


__all__ = [
    "DEFAULT_READ_MBPS_PER_GPU", "DEFAULT_READ_SOURCE", "FSX_LUSTRE_TIERS", "MANAGED_LUSTRE_TIERS", "Advisory", "Demand",
    "LustreChoice", "PoolDemand", "StorageAdvice", "advise", "fsx_capacity_for", "fsx_lustre_prices", "judge",
    "lustre_supply_mbps", "managed_lustre_capacity_for", "managed_lustre_prices", "size_lustre",
    "size_managed_lustre", "smallest_supply_mbps", "supply_mbps", "training_demand",
]
