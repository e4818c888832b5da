"""Pulumi project and stack files, read the way the Pulumi CLI reads them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.yamlio import safe_load


class ProjectError(Exception):
    """A project or stack file that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Project:
    dir: Path
    name: str
    runtime: str
    program: Path
    stack_config_dir: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    runtime_options: dict[str, Any] = field(default_factory=dict)  # runtime.options: virtualenv, toolchain

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml"))

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.dir))
        except ValueError:
            return str(path)


def load_project(directory: str | Path) -> Project:
    root = Path(directory).resolve()
    project_file = root / "Pulumi.yaml"
    if not project_file.exists():
        project_file = root / "Pulumi.yml"
    if not project_file.exists():
        raise ProjectError(f"{root}: no Pulumi.yaml; pass the project directory with -C DIR")
    try:
        doc = safe_load(project_file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(f"{project_file}: not valid YAML: {exc}") from None
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise ProjectError(f"{project_file}: name: required")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ProjectError(f"{project_file}: runtime: lz plan runs Python programs only (got {runtime_name!r})")
    main = doc.get("main") or "."
    program = (root / main).resolve()
    if program.is_dir():
        program = program / "__main__.py"
    if not program.exists():
        raise ProjectError(f"{project_file}: main: no program at {program}")
    defaults: dict[str, Any] = {}
    for key, spec in (doc.get("config") or {}).items():
        value = spec.get("default", spec.get("value")) if isinstance(spec, dict) else spec
        if value is not None:
            defaults[_qualify(name, key)] = value
    options = runtime.get("options") if isinstance(runtime, dict) else None
    return Project(dir=root, name=name, runtime=runtime_name, program=program,
                   stack_config_dir=(root / (doc.get("stackConfigDir") or ".")).resolve(), defaults=defaults,
                   runtime_options=options if isinstance(options, dict) else {})


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


@dataclass(frozen=True)
class StackConfig:
    """Config as the language host hands it to the program: every value a string."""

    values: dict[str, str]
    secret_keys: list[str]
    raw: dict[str, Any]

    def provider_config(self) -> dict[str, dict[str, Any]]:
        """`<pkg>:<key>` settings that a default provider for <pkg> would read."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in self.raw.items():
            package, _, setting = key.partition(":")
            out.setdefault(package, {})[setting] = value
        return out

    def get(self, key: str) -> Any:
        return self.raw.get(key)


def load_stack_config(project: Project, stack: str, document: dict[str, Any] | None = None) -> StackConfig:
    """The stack's config; `document` stands in for the stack file's contents (tests, templates)."""
    path = project.stack_file(stack)
    if document is not None:
        doc: Any = document
    elif not path.exists():
        known = ", ".join(project.stacks()) or "none"
        raise ProjectError(f"{project.relative(path)}: no such stack file (stacks here: {known})")
    else:
        try:
            doc = safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ProjectError(f"{project.relative(path)}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("config") or {}, dict):
        raise ProjectError(f"{project.relative(path)}: config: must be a mapping of keys to values")
    raw: dict[str, Any] = dict(project.defaults)
    secret_keys: list[str] = []
    for key, value in (doc.get("config") or {}).items():
        full = _qualify(project.name, str(key))
        if isinstance(value, dict) and set(value) == {"secure"}:
            # Secrets are never decrypted offline: the program sees the ciphertext, marked secret.
            secret_keys.append(full)
            value = value["secure"]
        raw[full] = value
    values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    return StackConfig(values=values, secret_keys=secret_keys, raw=raw)
