"""Import ahead what a directory's Python sources import from outside it, so that processes forked
afterwards find it loaded: the parent of `lz plan STACK STACK...` (lz/multi.py) warms the program's
imports, a policy pack fork server (lz/engine/packfork.py) the pack's.

Only names from outside the directory are imported: its own modules run later, in each forked process,
with that process's config and environment. Standard library only: the fork server imports this before
anything else.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

#: Directories of a project that are not part of its program: tests, tools, virtualenvs, policy packs
#: (a directory with a PulumiPolicy.yaml runs in its own process) and nested projects (templates).
_SKIP_DIRS = {"tests", "test", "node_modules", "__pycache__", "venv", "bench", "docs"}


def python_sources(project_dir: Path) -> Iterator[Path]:
    """The directory's Python files, without those under _SKIP_DIRS, hidden directories, policy packs
    and nested projects."""
    stack = [project_dir]
    while stack:
        directory = stack.pop()
        for entry in sorted(directory.iterdir()):
            if entry.is_dir():
                if (entry.name.startswith(".") or entry.name in _SKIP_DIRS or (entry / "PulumiPolicy.yaml").exists()
                        or (entry / "Pulumi.yaml").exists()):
                    continue
                stack.append(entry)
            elif entry.suffix == ".py":
                yield entry


def local_names(project_dir: Path) -> set[str]:
    """Top-level names the directory itself provides (its modules, and its packages with or without an
    `__init__.py`): those are its own, imported afresh by each process."""
    return {p.stem if p.is_file() else p.name for p in project_dir.iterdir()
            if (p.is_file() and p.suffix == ".py") or p.is_dir()}


def imported_names(source: str, local: set[str]) -> list[str]:
    """Modules a program's source imports from outside the project, including the provider SDK
    submodules it reaches through an alias (`import pulumi_aws as aws` ... `aws.ec2.Vpc` gives
    `pulumi_aws.ec2.Vpc`: the SDKs load submodules lazily on attribute access). Candidates only:
    `import_prefixes` imports the modules among them."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.append(alias.name)
                aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    chains: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain: list[str] = []
            value: ast.expr = node
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                chains.append(".".join([aliases[value.id], *reversed(chain)]))
    # `aws.ec2.Vpc` also walks through its inner `aws.ec2`: keep the whole chain only.
    names.extend(c for c in chains if not any(other.startswith(c + ".") for other in chains))
    return [n for n in dict.fromkeys(names) if n.split(".")[0] not in local]


def import_prefixes(name: str) -> None:
    """Import the longest dotted prefix of `name` that is a module (`a.b.Class` imports `a.b`), then read
    the next name from it (or `__all__`): the provider SDKs' subpackages are lazy modules
    (`pulumi._utils._LazyModule`) that load only when an attribute is read, as `aws.ec2.Vpc` does."""
    parts = name.split(".")
    module, attribute = None, "__all__"
    for i in range(len(parts)):
        dotted = ".".join(parts[:i + 1])
        try:
            if dotted not in sys.modules and importlib.util.find_spec(dotted) is None:
                attribute = parts[i]
                break
            module = importlib.import_module(dotted)
        except Exception:  # noqa: BLE001 - a warm-up only: the forked process imports (and reports) it for real
            return
    if module is None:
        return
    with contextlib.suppress(Exception):  # as above
        getattr(module, attribute, None)


def external_imports(directory: Path) -> list[str]:
    """What the directory's sources import from outside it (`imported_names` of each), in order, once."""
    local = local_names(directory)
    names: list[str] = []
    for path in python_sources(directory):
        try:
            names.extend(imported_names(path.read_text(encoding="utf-8"), local))
        except (OSError, SyntaxError, ValueError):
            continue
    return list(dict.fromkeys(names))


def warm(directory: Path, between: Callable[[], None] = lambda: None) -> None:
    """Import what `external_imports` names; `between` runs after each import, when none is under way."""
    for name in external_imports(directory):
        import_prefixes(name)
        between()
