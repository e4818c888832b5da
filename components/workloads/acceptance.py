"""Acceptance jobs: what `lz verify` runs on a deployed cluster, and the figures it judges them by.

Pure functions from the typed config and the catalog:

- `nccl_threshold(config, pool)`: the published 2-node `all_reduce_perf` bus bandwidth of the pool's
  instance/machine type (catalog `ncclAllReduce`, components/catalog/gpu_types.yaml), or None where no
  healthy cluster's figure was published: then nothing is judged, and `lz verify` says so;
- `dcgm_level(config)`: the `dcgmi diag` level per environment;
- the manifests (below): a DCGM diagnostics Job on every node of every GPU pool, and an NCCL
  all-reduce Job across 2 nodes of every training pool that can grow to 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.catalog import UnknownTypeError, aws_instance_type, default_catalog, gcp_machine_type
from components.config.model import GpuPool, LandingZoneConfig

NCCL_NODES = 2   # the catalog's figures are 2-node figures; 2 nodes exercise the inter-node fabric

# `dcgmi diag -r <level>` per environment kind. DCGM's reference (docs.nvidia.com/datacenter/dcgm/latest/
# reference/command-line-reference/dcgmi/dcgmi-diag.html): 1 "quick deployment checks, normally lasting
# seconds", 2 "medium validation, normally lasting approximately two minutes", 3 "long hardware
# diagnostics, normally lasting approximately 15 minutes". Production pools get the hardware diagnostics
# before teams land on them; dev pays for seconds of GPU time.
DCGM_LEVEL = {"dev": 1, "staging": 2, "prod": 3}


@dataclass(frozen=True)
class NcclThreshold:
    instance_type: str
    busbw_gbps: float
    message_bytes: int
    nodes: int
    gpus_per_node: int
    measured: str
    sources: tuple[str, ...]        # catalog source ids
    citations: tuple[str, ...]      # their text


def dcgm_level(config: LandingZoneConfig) -> int:
    return DCGM_LEVEL[config.environment.value]


def _catalog_entry(config: LandingZoneConfig, instance_type: str):
    cloud = config.cloud.value
    # A brought cluster's pools may name either cloud's type (or neither: an on-prem server).
    lookups = {"aws": (aws_instance_type,), "gcp": (gcp_machine_type,)}.get(cloud, (aws_instance_type, gcp_machine_type))
    for lookup in lookups:
        try:
            return lookup(instance_type)
        except UnknownTypeError:
            continue
    return None


def nccl_threshold(config: LandingZoneConfig, pool: GpuPool) -> NcclThreshold | None:
    entry = _catalog_entry(config, pool.instance_type)
    figure = entry.nccl_all_reduce if entry is not None else None
    if figure is None:
        return None
    return NcclThreshold(instance_type=pool.instance_type, busbw_gbps=figure.busbw_gbps,
                         message_bytes=figure.message_bytes, nodes=figure.nodes,
                         gpus_per_node=figure.gpus_per_node, measured=figure.measured,
                         sources=figure.sources, citations=tuple(default_catalog().citations(figure.sources)))


def nccl_pools(config: LandingZoneConfig) -> list[GpuPool]:
    """The pools the NCCL test runs on: training pools that can hold 2 nodes."""
    return [p for p in config.gpu_pools if p.purpose == "training" and p.max_nodes >= NCCL_NODES]
