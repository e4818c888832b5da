"""Reading `dcgmi diag -r <level> -j` output (NVIDIA DCGM diagnostics, JSON).

Shape, as GoogleCloudPlatform/cluster-health-scanner @81c525d8 reads it
(src/gpu_healthcheck/gpu_healthcheck.py `convert_output_to_proto`, which runs `dcgmi diag -g 0 -r N -j`):

    {"version": "...", "Driver Version Detected": "...", "GPU Device IDs": [...],
     "DCGM Diagnostic": {"test_categories": [
        {"category": "Hardware", "tests": [
            {"name": "memory", "results": [{"gpu_id": "0", "status": "Fail",
                                            "warnings": [{"warning": "...", "error_id": 83, ...}]}]}]}]}}

`DIR/<pool>/dcgm-diag.json` holds either one such document or, as `lz verify --kubeconfig` saves it,
an object mapping each node's name to its document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DIAG_KEY = "DCGM Diagnostic"


class DcgmError(ValueError):
    """Not `dcgmi diag -j` output."""


@dataclass(frozen=True)
class Failure:
    node: str
    category: str
    test: str
    gpu: str
    detail: str


@dataclass(frozen=True)
class Diag:
    nodes: tuple[str, ...]
    tests: int                  # results read, every node
    failures: tuple[Failure, ...]

    @property
    def failed_nodes(self) -> tuple[str, ...]:
        return tuple(sorted({f.node for f in self.failures}))


def _one(node: str, doc: Any) -> tuple[int, list[Failure]]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get(DIAG_KEY), Mapping):
        raise DcgmError(f"{node}: no {DIAG_KEY!r} object: not `dcgmi diag -j` output")
    categories = doc[DIAG_KEY].get("test_categories")
    if not isinstance(categories, list) or not categories:
        raise DcgmError(f"{node}: {DIAG_KEY!r} has no test_categories")
    count, failures = 0, []
    for category in categories:
        for test in category.get("tests") or []:
            for result in test.get("results") or []:
                count += 1
                status = str(result.get("status", "")).lower()
                if status == "fail":
                    warnings = "; ".join(str(w.get("warning", "")).strip() for w in result.get("warnings") or [])
                    failures.append(Failure(node, str(category.get("category", "")), str(test.get("name", "")),
                                            str(result.get("gpu_id", "-")), warnings or "failed"))
    if not count:
        raise DcgmError(f"{node}: no test results")
    return count, failures


def parse(text: str, default_node: str = "-") -> Diag:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise DcgmError(f"not JSON ({exc})") from None
    per_node = {default_node: doc} if isinstance(doc, Mapping) and DIAG_KEY in doc else doc
    if not isinstance(per_node, Mapping) or not per_node:
        raise DcgmError("neither a `dcgmi diag -j` document nor an object of them by node name")
    total, failures = 0, []
    for node, node_doc in sorted(per_node.items()):
        count, found = _one(str(node), node_doc)
        total += count
        failures += found
    return Diag(nodes=tuple(sorted(str(n) for n in per_node)), tests=total, failures=tuple(failures))
