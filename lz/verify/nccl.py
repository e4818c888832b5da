"""Reading `all_reduce_perf` stdout (NVIDIA nccl-tests) as the tool prints it.

Format (NVIDIA/nccl-tests @a0b82b22, src/util.cu `writeDeviceReport`, `writeResultHeader`,
`writeBenchmarkLinePreamble`, `writeBenchmarkLineBody`, `writeResultFooter`):

    # nThread 1 nGpus 1 minBytes 8 maxBytes 2147483648 step: 2(factor) warmup iters: 5 iters: 20 ...
    # Using devices
    #  Rank  0 Group  0 Pid  41 on node-a device  0 [0000:53:00] NVIDIA H100 80GB HBM3
    #
    #                                                              out-of-place                       in-place
    #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
    #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
      2147483648     536870912     float     sum      -1   9074.5  236.65  443.72      0   9108.5  235.77  442.06      0
    # Out of bounds values : 0 OK
    # Avg bus bandwidth    : 52.9753

Rank lines before 2.14 have no `Group` column; `#wrong` reads `N/A` when validation is off (`-c 0`); the
per-iteration mode adds columns, so busbw and #wrong are located by the header's column names. MPI
launchers prefix lines (`[1,0]<stdout>:` Open MPI `--tag-output`, `0: ` Slurm `--label`); NCCL's own
INFO/WARN lines may be interleaved. A log without the `Avg bus bandwidth` footer was cut short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PREFIX = re.compile(r"^(?:\[\d+,\d+\]<std(?:out|err)>:|\d+:\s)")
RANK = re.compile(r"\bRank\s+(\d+)\b.*?\bon\s+(\S+)\s+device\s+(\d+)")
FOOTER_BW = re.compile(r"^#\s*Avg bus bandwidth\s*:\s*(\S+)")
FOOTER_OOB = re.compile(r"^#\s*Out of bounds values\s*:\s*(\d+)\s*(\w*)")


class NcclLogError(ValueError):
    """The text is not a complete `all_reduce_perf` output."""


@dataclass(frozen=True)
class Row:
    size: int
    busbw: tuple[float, ...]        # out-of-place, then in-place
    wrong: tuple[int | None, ...]   # None: not validated (N/A)


@dataclass(frozen=True)
class NcclRun:
    rows: tuple[Row, ...]
    ranks: dict[int, str] = field(default_factory=dict)   # rank -> host
    avg_busbw: float = 0.0
    out_of_bounds: int = 0

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.ranks.values())))

    @property
    def max_size(self) -> int:
        return max(r.size for r in self.rows)

    @property
    def wrong_elements(self) -> int:
        return sum(w for r in self.rows for w in r.wrong if w)

    def busbw_at(self, size: int) -> float | None:
        """The bus bandwidth at `size` bytes: the lower of out-of-place and in-place."""
        row = next((r for r in self.rows if r.size == size), None)
        return min(row.busbw) if row else None


def _number(token: str, what: str, lineno: int) -> float:
    try:
        return float(token)
    except ValueError:
        raise NcclLogError(f"line {lineno}: {what} {token!r} is not a number") from None


def parse(text: str) -> NcclRun:
    header: list[str] | None = None
    rows: list[Row] = []
    ranks: dict[int, str] = {}
    avg: float | None = None
    oob = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = PREFIX.sub("", raw).strip()
        if not line:
            continue
        if line.startswith("#"):
            body = line[1:].split()
            if m := RANK.search(line):
                ranks[int(m.group(1))] = m.group(2)
            elif body[:5] == ["size", "count", "type", "redop", "root"] and "busbw" in body:
                header = body
            elif m := FOOTER_OOB.match(line):
                oob = int(m.group(1))
            elif m := FOOTER_BW.match(line):
                avg = _number(m.group(1), "average bus bandwidth", lineno)
            continue
        tokens = line.split()
        if header is None or not tokens[0].isdigit():
            continue   # NCCL INFO/WARN lines, launcher chatter
        busbw_cols = [i for i, name in enumerate(header) if name == "busbw"]
        wrong_cols = [i for i, name in enumerate(header) if name == "#wrong"]
        if len(tokens) < max(busbw_cols + wrong_cols) + 1:
            raise NcclLogError(f"line {lineno}: {len(tokens)} columns, the header has {len(header)}: {line!r}")
        if tokens[3] == "none" or tokens[4] != "-1":
            raise NcclLogError(f"line {lineno}: redop {tokens[3]!r} root {tokens[4]!r} is not an all_reduce_perf row")
        rows.append(Row(
            size=int(tokens[0]),
            busbw=tuple(_number(tokens[i], "busbw", lineno) for i in busbw_cols),
            wrong=tuple(None if tokens[i] == "N/A" else int(_number(tokens[i], "#wrong", lineno)) for i in wrong_cols),
        ))
    if header is None:
        raise NcclLogError("no nccl-tests result header (# size count type redop root ... busbw): "
                           "not all_reduce_perf output")
    if not rows:
        raise NcclLogError("no result rows under the header")
    if avg is None:
        raise NcclLogError(f"no '# Avg bus bandwidth' footer: the run was cut short after {rows[-1].size} B")
    if not ranks:
        raise NcclLogError("no '# Using devices' rank lines: cannot tell how many nodes ran")
    return NcclRun(rows=tuple(rows), ranks=ranks, avg_busbw=avg, out_of_bounds=oob)
