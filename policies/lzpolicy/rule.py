"""Rule metadata and the adapter from a rule's verdict to pulumi_policy's report_violation."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

PROJECT = "ai-landing-zone"


@dataclass(frozen=True)
class Compliant:
    pass


@dataclass(frozen=True)
class NonCompliant:
    messages: tuple[str, ...]

    def __init__(self, *messages: str):
        if not messages:
            raise ValueError("NonCompliant needs at least one message")
        object.__setattr__(self, "messages", tuple(messages))


@dataclass(frozen=True)
class NotApplicable:
    reason: str


Verdict = Union[Compliant, NonCompliant, NotApplicable]


def stack_config(key: str) -> str | None:
    """A key of the stack's config, as the engine hands it to analyzers (PULUMI_CONFIG)."""
    raw = os.environ.get("PULUMI_CONFIG")
    if not raw:
        return None
    value = json.loads(raw).get(key)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ResourceView:
    """What a rule may look at: type, wire-format properties, URN, name, options and its config."""

    type: str
    props: Mapping[str, Any]
    urn: str
    name: str
    protect: bool
    config: Mapping[str, Any]

    def get(self, *path: str | int, default: Any = None) -> Any:
        node: Any = self.props
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
            if node is None:
                return default
        return node

    @property
    def environment(self) -> str | None:
        return self.config.get("environment") or stack_config(f"{PROJECT}:environment")


@dataclass(frozen=True)
class StackView:
    resources: list[ResourceView]
    config: Mapping[str, Any]

    def of_type(self, *types: str) -> list[ResourceView]:
        return [r for r in self.resources if r.type in types]

    @property
    def environment(self) -> str | None:
        return self.config.get("environment") or stack_config(f"{PROJECT}:environment")


def _level(level: str) -> EnforcementLevel:
    return EnforcementLevel(level)


@dataclass(frozen=True)
class _RuleBase:
    name: str
    description: str
    resource_types: tuple[str, ...]
    controls: tuple[str, ...]
    enforcement_level: str = "advisory"
    config_properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severity: str = "medium"

    def _schema(self) -> PolicyConfigSchema | None:
        props = dict(self.config_properties)
        props.setdefault("environment", {"type": "string", "enum": ["dev", "staging", "prod"],
                                         "description": "Environment kind; default: the stack's ai-landing-zone:environment."})
        return PolicyConfigSchema(properties=props)

    def metadata(self) -> dict[str, Any]:
        return {"name": self.name, "resourceTypes": list(self.resource_types), "controls": list(self.controls),
                "enforcementLevel": self.enforcement_level, "description": self.description,
                "kind": "stack" if isinstance(self, StackRule) else "resource",
                "configSchema": {k: dict(v) for k, v in self.config_properties.items()}}


def _view(type_: str, props: Any, urn: str, name: str, opts: Any, config: Mapping[str, Any]) -> ResourceView:
    return ResourceView(type=type_, props=props, urn=urn, name=name,
                        protect=bool(getattr(opts, "protect", False)), config=config)


@dataclass(frozen=True)
class ResourceRule(_RuleBase):
    check: Callable[[ResourceView], Verdict] | None = None

    def evaluate(self, view: ResourceView) -> Verdict:
        if view.type not in self.resource_types:
            return NotApplicable(f"{view.type} is not judged by {self.name}")
        assert self.check is not None
        return self.check(view)

    def policy(self) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            view = _view(args.resource_type, args.props, args.urn, args.name, args.opts, args.get_config())
            verdict = self.evaluate(view)
            if isinstance(verdict, NonCompliant):
                for message in verdict.messages:
                    report(message, None)
            elif isinstance(verdict, NotApplicable):
                args.not_applicable(verdict.reason)

        return ResourceValidationPolicy(name=self.name, description=self.description, validate=validate,
                                        enforcement_level=_level(self.enforcement_level),
                                        config_schema=self._schema())


@dataclass(frozen=True)
class StackRule(_RuleBase):
    """Judges what one resource cannot show (a VPC without a flow log). Yields (urn, message)."""

    check_stack: Callable[[StackView], Iterable[tuple[str, str]]] | None = None

    def evaluate(self, view: StackView) -> list[tuple[str, str]]:
        assert self.check_stack is not None
        return list(self.check_stack(view))

    def policy(self) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report: ReportViolation) -> None:
            config = args.get_config()
            views = [_view(r.resource_type, r.props, r.urn, r.name, r.opts, config) for r in args.resources]
            for urn, message in self.evaluate(StackView(resources=views, config=config)):
                report(message, urn)

        return StackValidationPolicy(name=self.name, description=self.description, validate=validate,
                                     enforcement_level=_level(self.enforcement_level),
                                     config_schema=self._schema())
