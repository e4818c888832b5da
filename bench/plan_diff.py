"""Compare two `lz plan --json` files of one stack: registrations by (type, logical name), their inputs,
aliases, protect / retainOnDelete, and the stack outputs. A refactoring that must leave plans unchanged
shows `0 differences`; deliberate renames show up as input changes, one line each.

    .venv/bin/lz plan dev --no-policy --json before/dev.json      # on the old commit
    .venv/bin/lz plan dev --no-policy --json after/dev.json       # on the new one
    .venv/bin/python bench/plan_diff.py before/dev.json after/dev.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Key = tuple[str, str]


def registrations(path: str) -> tuple[dict[Key, dict[str, Any]], Any]:
    doc = json.loads(Path(path).read_text())
    out: dict[Key, dict[str, Any]] = {}
    for step in doc["steps"]:
        state = step.get("newState") or {}
        out[(step["type"], step["urn"].split("::")[-1])] = {
            "inputs": state.get("inputs"), "aliases": state.get("aliases"),
            "protect": state.get("protect"), "retainOnDelete": state.get("retainOnDelete")}
    return out, doc.get("outputs")


def differences(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if type(a) is not type(b):
        yield path, a, b
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield f"{path}.{key}", a.get(key, "<absent>"), b.get(key, "<absent>")
            else:
                yield from differences(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield path, a, b


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def main(argv: list[str]) -> int:
    (before, before_outputs), (after, after_outputs) = registrations(argv[0]), registrations(argv[1])
    print(f"registrations: {len(before)} -> {len(after)}")
    count = 0
    for key in sorted(set(before) - set(after)):
        count += 1
        print(f"  removed {key[0]} {key[1]}")
    for key in sorted(set(after) - set(before)):
        count += 1
        print(f"  added   {key[0]} {key[1]}")
    for key in sorted(set(before) & set(after)):
        for path, x, y in differences(before[key], after[key]):
            count += 1
            print(f"  changed {key[0]} {key[1]} {path}: {_short(x)} -> {_short(y)}")
    for path, x, y in differences(before_outputs, after_outputs):
        count += 1
        print(f"  output {path}: {_short(x)} -> {_short(y)}")
    print(f"{count} differences")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
