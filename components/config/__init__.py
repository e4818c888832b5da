"""Read, validate and explain the stack configuration.

`load_config()` is what `__main__.py` calls, under a real `pulumi up` as under `lz plan`: it reads
every key of the project namespace from the Pulumi runtime, validates the whole tree, and raises
`ConfigError` (a `pulumi.RunError`, so Pulumi prints it without a traceback) listing every
problem, one line each: file, key path, what is wrong, what was given.
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from components.names import PROJECT
from components.yamlio import safe_load

from .checks import semantic_problems
from .model import LandingZoneConfig

__all__ = [
    "PROJECT",
    "ConfigError",
    "ConfigProblem",
    "LandingZoneConfig",
    "json_schema",
    "load_config",
    "stack_file_path",
    "validate_config",
]

try:  # Under Pulumi, a RunError is reported as a message, without a traceback.
    from pulumi import RunError as _Base
except ImportError:  # pragma: no cover - pulumi is a hard dependency; this keeps the model importable alone
    _Base = Exception


@dataclass(frozen=True)
class ConfigProblem:
    path: str  # e.g. "gpuPools[0].maxNodes"
    message: str

    def render(self, source: str) -> str:
        key = f"{PROJECT}:{self.path}" if self.path else PROJECT
        return f"{source}: {key}: {self.message}"


class ConfigError(_Base):
    def __init__(self, source: str, problems: list[ConfigProblem]):
        self.source = source
        self.problems = problems
        lines = [p.render(source) for p in problems]
        noun = "problem" if len(lines) == 1 else "problems"
        super().__init__(f"invalid stack configuration ({len(lines)} {noun}):\n" + "\n".join(lines))

    @property
    def lines(self) -> list[str]:
        return [p.render(self.source) for p in self.problems]


def stack_file_path(project_dir: Path, stack: str) -> Path:
    """The stack file Pulumi reads for `stack`, honouring `stackConfigDir` in Pulumi.yaml."""
    project_file = project_dir / "Pulumi.yaml"
    config_dir = "."
    if project_file.exists():
        doc = safe_load(project_file.read_text()) or {}
        config_dir = doc.get("stackConfigDir") or "."
    return project_dir / config_dir / f"Pulumi.{stack}.yaml"


def _decode(raw: Any) -> Any:
    """Pulumi hands structured config to programs as JSON text; plain strings stay strings."""
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _format_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _unwrap(annotation: Any) -> Any:
    """The model class behind list[...] / dict[..., ...] / X | None, if any."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap(arg)
            if found is not None:
                return found
        return None
    if origin in (list, tuple):
        return _unwrap(typing.get_args(annotation)[0])
    if origin is dict:
        return _unwrap(typing.get_args(annotation)[1])
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = LandingZoneConfig
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = next(
            (f for name, f in model.model_fields.items() if part in (name, f.alias)), None
        )
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model


def _allowed_keys(model: type[BaseModel]) -> str:
    return ", ".join(f.alias or n for n, f in model.model_fields.items())


def _problems_from(error: ValidationError) -> list[ConfigProblem]:
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        given = err.get("input")
        if kind == "extra_forbidden":
            parent = _model_at(loc[:-1])
            allowed = f"; allowed keys: {_allowed_keys(parent)}" if parent else ""
            problems.append(ConfigProblem(_format_path(loc), f"unknown key{allowed}"))
            continue
        if kind == "missing":
            problems.append(ConfigProblem(_format_path(loc), "required key is missing"))
            continue
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        if message.startswith("Assertion failed, "):
            message = message[len("Assertion failed, "):]
        # Errors raised by a model validator name the nested key themselves ("zones: ...").
        path = _format_path(loc)
        if ": " in message and message.split(": ", 1)[0].isidentifier() and kind == "value_error":
            sub, message = message.split(": ", 1)
            if _model_at(loc) is not None:
                path = f"{path}.{sub}" if path else sub
        if "(got " not in message and not isinstance(given, (dict, list)) and given is not None:
            message = f"{message} (got {_short(given)})"
        problems.append(ConfigProblem(path, message))
    return problems


def validate_config(values: Mapping[str, Any], source: str,
                    provider: Mapping[str, Any] | None = None) -> LandingZoneConfig:
    """Validate the project-namespace config values (keys without the `ai-landing-zone:` prefix).

    `provider` holds the stack's other keys, fully qualified (`aws:region`), for the checks that compare
    with them; `lz validate` and `load_config` (under `lz plan` and `pulumi up`) both pass them."""
    decoded = {key: _decode(value) for key, value in values.items()}
    try:
        config = LandingZoneConfig.model_validate(decoded)
    except ValidationError as exc:
        raise ConfigError(source, _problems_from(exc)) from None
    problems = semantic_problems(config, provider)
    if problems:
        raise ConfigError(source, problems)
    return config


def load_config(project_dir: str | os.PathLike[str] | None = None) -> LandingZoneConfig:
    """Read and validate this stack's config from the running Pulumi program."""
    import pulumi
    from pulumi.runtime.config import CONFIG, get_config_env

    everything: dict[str, Any] = dict(get_config_env())
    everything.update(CONFIG.get())
    prefix = f"{PROJECT}:"
    values = {k[len(prefix):]: v for k, v in everything.items() if k.startswith(prefix)}
    provider = {k: v for k, v in everything.items() if not k.startswith(prefix)}
    path = stack_file_path(Path(project_dir or os.getcwd()), pulumi.get_stack())
    try:
        source = str(path.relative_to(Path(project_dir or os.getcwd())))
    except ValueError:
        source = str(path)
    return validate_config(values, source, provider)


def json_schema() -> dict[str, Any]:
    """JSON Schema of a whole stack file, for editors (`# yaml-language-server: $schema=...`)."""
    inner = LandingZoneConfig.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs = inner.pop("$defs", {})
    properties = {f"{PROJECT}:{k}": v for k, v in inner["properties"].items()}
    provider_keys = {
        "aws:region": {"type": "string", "description": "AWS region of the default provider."},
        "aws:profile": {"type": "string"},
        "gcp:project": {"type": "string", "description": "GCP project of the default provider."},
        "gcp:region": {"type": "string"},
        "gcp:zone": {"type": "string"},
        "kubernetes:context": {"type": "string"},
    }
    properties.update(provider_keys)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{PROJECT} stack file",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": properties,
                "required": [f"{PROJECT}:{k}" for k in inner.get("required", [])],
                # Other providers' keys (e.g. "random:...") are allowed; our own namespace is closed.
                "patternProperties": {f"^(?!{PROJECT}:)[a-z0-9-]+:.+$": {}},
                "additionalProperties": False,
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {},
        },
        "additionalProperties": False,
        "$defs": defs,
    }


def load_stack_file(path: Path) -> dict[str, Any]:
    """The raw `config:` mapping of a stack file (keys as written, values as YAML gives them)."""
    doc = safe_load(path.read_text()) or {}
    if not isinstance(doc, dict):
        raise ConfigError(str(path), [ConfigProblem("", "stack file must be a YAML mapping")])
    config = doc.get("config") or {}
    return config
