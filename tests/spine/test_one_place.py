"""One place for each shared fact: the names and constants of `components.names`, the SDK internals of
`lz/engine/sdk_private.py`, and no `assert` doing runtime work (it vanishes under `python -O`)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from components import names
from lz.testing import ROOT

CODE = [p for top in ("components", "lz", "policies") for p in sorted((ROOT / top).rglob("*.py"))] + [
    ROOT / "__main__.py"]
NAMES = ROOT / "components" / "names.py"
SDK_PRIVATE = ROOT / "lz" / "engine" / "sdk_private.py"

# Values that must be spelled only in components/names.py (a literal anywhere else is a copy).
SHARED = {names.PROJECT, names.MANAGED_BY, names.MANAGED_BY_KEY, names.POOL_LABEL, names.POLICY_PACK,
          names.NVIDIA_GPU_RESOURCE, names.NEURON_RESOURCE, names.KUEUE_NAMESPACE, names.KUEUE_CPU_FLAVOR}
# SDK internals the offline engine needs; only sdk_private.py may touch them.
SDK_INTERNALS = {"_sync_await", "_ensure_event_loop", "_take_async_program", "_add_program_outputs", "_finish",
                 "_outputs_registered", "SETTINGS"}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


@functools.cache
def _parsed(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), str(path))


def test_the_scan_sees_the_code():
    assert len(CODE) > 100 and NAMES in CODE and SDK_PRIVATE in CODE


def test_shared_names_are_spelled_once():
    copies = []
    for path in CODE:
        if path == NAMES:
            continue
        tree = _parsed(path)
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                text = node.value
                if text in SHARED or text.startswith(f"{names.PROJECT}:") or text.startswith(f"{names.PROJECT} "):
                    copies.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text!r}")
    assert not copies, "\n".join(copies)


def test_sdk_internals_are_used_in_one_module():
    users = []
    for path in CODE:
        if path == SDK_PRIVATE:
            continue
        for node in ast.walk(_parsed(path)):
            name = (node.attr if isinstance(node, ast.Attribute) else
                    node.name if isinstance(node, ast.alias) else None)
            if name in SDK_INTERNALS:
                users.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not users, "\n".join(users)


@pytest.mark.parametrize("top", ["components", "lz", "policies"])
def test_no_runtime_assert(top):
    """`assert` is stripped under `python -O`; invariants use components.invariants.present or a type."""
    found = [f"{p.relative_to(ROOT)}:{n.lineno}" for p in CODE if p.is_relative_to(ROOT / top)
             for n in ast.walk(_parsed(p)) if isinstance(n, ast.Assert)]
    assert found == []
