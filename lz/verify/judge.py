"""Judging acceptance output against the catalog: one verdict per pool and test.

Input is a directory per pool, as `lz verify --kubeconfig` saves it and `lz verify --from DIR` reads it:
`DIR/<pool>/all_reduce_perf.log` (stdout of `all_reduce_perf`) for every training pool that can hold 2
nodes, `DIR/<pool>/dcgm-diag.json` (`dcgmi diag -j`) where DCGM ran. The NCCL verdict compares the bus
bandwidth at the message size the catalog's figure was published for (the lower of out-of-place and
in-place) - a large-message figure, as cluster-health-scanner reads its 2-8 GiB sizes - never the
`Avg bus bandwidth` footer, which averages in the latency-bound small sizes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from components.config.model import LandingZoneConfig
from components.workloads.acceptance import NcclThreshold, nccl_pools, nccl_threshold

from . import dcgm, nccl

NCCL_LOG = "all_reduce_perf.log"
DCGM_JSON = "dcgm-diag.json"
NO_FIGURE = "no threshold (no published figure)"


class InputError(ValueError):
    """Acceptance output that cannot be judged (missing, unreadable, cut short, or the wrong test)."""


@dataclass(frozen=True)
class Verdict:
    pool: str
    nodes: int
    test: str                 # nccl-all-reduce | dcgm-diag
    measured: str
    threshold: str
    source: str
    verdict: str              # pass | fail | no threshold
    detail: str

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _gib(size: int) -> str:
    return f"{size / 2**30:g} GiB" if size >= 2**30 else f"{size} B"


def judge_nccl(pool: str, run: nccl.NcclRun, threshold: NcclThreshold | None) -> Verdict:
    hosts = len(run.hosts)
    if hosts < 2:
        raise InputError(f"{pool}: {NCCL_LOG} ran on {hosts} node ({', '.join(run.hosts)}): a 1-node run "
                         f"measures NVLink, not the interconnect")
    if threshold is None:
        largest = run.busbw_at(run.max_size)
        return Verdict(pool, hosts, "nccl-all-reduce", f"{largest:g} GB/s at {_gib(run.max_size)}", "-", "-",
                       "no threshold", NO_FIGURE)
    measured = run.busbw_at(threshold.message_bytes)
    if measured is None:
        raise InputError(f"{pool}: {NCCL_LOG} has no row at {threshold.message_bytes} B (largest "
                         f"{run.max_size} B); the threshold was measured there: run all_reduce_perf "
                         f"with -e {threshold.message_bytes} or more")
    expected_ranks = threshold.nodes * threshold.gpus_per_node
    if hosts != threshold.nodes or len(run.ranks) != expected_ranks:
        raise InputError(f"{pool}: {NCCL_LOG} ran {len(run.ranks)} ranks on {hosts} nodes; the threshold is for "
                         f"{threshold.nodes} nodes x {threshold.gpus_per_node} GPUs")
    base = dict(pool=pool, nodes=hosts, test="nccl-all-reduce",
                measured=f"{measured:g} GB/s at {_gib(threshold.message_bytes)}",
                threshold=f"{threshold.busbw_gbps:g} GB/s", source=", ".join(threshold.sources))
    if run.wrong_elements or run.out_of_bounds:
        return Verdict(**base, verdict="fail",
                       detail=f"{run.wrong_elements} wrong elements, {run.out_of_bounds} out-of-bounds values: "
                              f"the all-reduce returned corrupt data")
    if measured >= threshold.busbw_gbps:
        return Verdict(**base, verdict="pass", detail=f"{measured:g} >= {threshold.busbw_gbps:g} GB/s")
    return Verdict(**base, verdict="fail",
                   detail=f"pool {pool} measured {measured:g} GB/s bus bandwidth at "
                          f"{_gib(threshold.message_bytes)}, expected at least {threshold.busbw_gbps:g} GB/s "
                          f"({threshold.instance_type}, {', '.join(threshold.sources)})")


def judge_dcgm(pool: str, diag: dcgm.Diag, level: int | None = None) -> Verdict:
    run = f"dcgmi diag -r {level}" if level else "dcgmi diag"
    base = dict(pool=pool, nodes=len(diag.nodes), test="dcgm-diag",
                measured=f"{diag.tests - len(diag.failures)}/{diag.tests} results pass",
                threshold="every result passes", source=run)
    if diag.failures:
        first = "; ".join(f"{f.node} GPU {f.gpu} {f.test}: {f.detail}" for f in diag.failures[:3])
        return Verdict(**base, verdict="fail", detail=f"failed on {', '.join(diag.failed_nodes)}: {first}")
    return Verdict(**base, verdict="pass", detail=f"{len(diag.nodes)} nodes")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def judge_dir(config: LandingZoneConfig, directory: Path, level: int | None = None) -> list[Verdict]:
    """Every verdict for the stack's pools from saved output; InputError on anything unjudgeable."""
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    verdicts: list[Verdict] = []
    training = {p.name for p in nccl_pools(config)}
    for pool in config.gpu_pools:
        folder = directory / pool.name
        if pool.name in training:
            log = folder / NCCL_LOG
            if not log.is_file():
                raise InputError(f"{log}: missing (training pool {pool.name} runs the NCCL test)")
            try:
                run = nccl.parse(_read(log))
            except nccl.NcclLogError as exc:
                raise InputError(f"{log}: {exc}") from None
            verdicts.append(judge_nccl(pool.name, run, nccl_threshold(config, pool)))
        diag = folder / DCGM_JSON
        if diag.is_file():
            try:
                verdicts.append(judge_dcgm(pool.name, dcgm.parse(_read(diag)), level))
            except dcgm.DcgmError as exc:
                raise InputError(f"{diag}: {exc}") from None
    return verdicts
