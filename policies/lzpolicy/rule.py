"""Rule metadata and the adapter from a rule's verdict to pulumi_policy's report_violation."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from components.config import LandingZoneConfig
from components.config.model import Environment
from components.config.settings import settings_from
from components.names import ENVIRONMENTS, PROJECT

from . import props as wire
from .decode_once import IdentityCache
from .props import UnknownValueError

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
SEVERITIES = ("low", "medium", "high", "critical")


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


Verdict = Compliant | NonCompliant | NotApplicable


def _engine_config() -> dict[str, Any]:
    """The stack's flat config map, as the engine hands it to analyzers (PULUMI_CONFIG, JSON)."""
    raw = os.environ.get("PULUMI_CONFIG")
    try:
        values = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def stack_config(key: str) -> str | None:
    """A provider or foreign-project key of the stack's config (e.g. `aws:region`). The landing zone's own
    keys are read through the typed model: `stack_settings()`."""
    value = _engine_config().get(key)
    return value if isinstance(value, str) else None


def stack_settings() -> LandingZoneConfig | None:
    """The stack's validated landing-zone settings (components.config.settings), or None for a stack
    that is not a landing zone (e.g. a team workspace judged by the same pack)."""
    return settings_from(_engine_config())


def stack_environment() -> str | None:
    """The stack's environment kind: the landing zone's `environment`, else `<project>:environment` of
    another project (team workspaces declare their own), else a lone `ai-landing-zone:environment`."""
    settings = stack_settings()
    if settings is not None:
        return settings.environment.value
    # A program that is not a whole landing zone may still declare its kind, under its own namespace or
    # ours; the value is judged by the model's Environment enum, like the landing zone's.
    project = os.environ.get("PULUMI_PROJECT")
    for key in ([f"{project}:environment"] if project else []) + [f"{PROJECT}:environment"]:
        try:
            return Environment(stack_config(key)).value
        except ValueError:
            continue
    return None


def python_name(type_token: str) -> str:
    """`aws:s3/bucket:Bucket` -> `aws.s3.Bucket`, `kubernetes:rbac.authorization.k8s.io/v1:Role` ->
    `kubernetes.rbac.v1.Role`: the class a Python program would have used."""
    parts = type_token.split(":")
    if len(parts) != 3:
        return type_token
    package, module, name = parts
    segments = module.split("/")
    # Kubernetes modules are API group + version (`rbac.authorization.k8s.io/v1` -> rbac.v1);
    # cloud modules keep only the service (`s3/bucket` -> s3).
    segments = [segments[0].split(".")[0], *segments[1:]] if package == "kubernetes" else segments[:1]
    return ".".join([package, *segments, name])


@dataclass(frozen=True)
class ResourceView:
    """What a rule may look at: type, wire-format inputs (plain dicts and lists, camelCase), URN,
    name, options (`protect`), the provider's inputs, dependencies and the rule's config."""

    type: str
    props: Mapping[str, Any]
    urn: str
    name: str
    protect: bool
    config: Mapping[str, Any]
    provider: Mapping[str, Any] = field(default_factory=dict)
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    # -- inputs (see lzpolicy.props for the unknown-value contract) ------------------------------
    def get(self, *path: str | int, default: Any = None) -> Any:
        return wire.dig(self.props, *path, default=default)

    def is_set(self, *path: str | int) -> bool:
        return wire.is_set(self.props, *path)

    def known(self, *path: str | int, default: Any = None) -> Any:
        return wire.known(self.props, *path, default=default)

    def items(self, *path: str | int) -> list[Any]:
        return wire.items(self.props, *path)

    def strings(self, *path: str | int) -> list[str]:
        return wire.strings(self.props, *path)

    def flag(self, *path: str | int) -> bool | None:
        return wire.truthy(self.get(*path))

    def number(self, *path: str | int) -> float | None:
        return wire.number(self.get(*path))

    # -- identity and context --------------------------------------------------------------------
    @property
    def title(self) -> str:
        """How a message names the resource: `aws.s3.Bucket 'datasets'`."""
        return f"{python_name(self.type)} '{self.name}'"

    @property
    def package(self) -> str:
        return self.type.split(":", 1)[0]

    @property
    def environment(self) -> str | None:
        return self.config.get("environment") or stack_environment()

    @property
    def region(self) -> str | None:
        """The region a resource lives in: its own `region` input (pulumi-aws v7 has one on every
        resource), its provider's, then the stack's `aws:region` / `gcp:region`; GCP locations and
        zones are reduced to their region."""
        own = wire.known(self.props, "region")
        if isinstance(own, str) and own:
            return own
        if self.package == "gcp":
            for key in ("location", "zone"):
                value = wire.known(self.props, key)
                if isinstance(value, str) and value:
                    return gcp_region_of(value)
        provider = wire.known(self.provider, "region")
        if isinstance(provider, str) and provider:
            return provider
        return stack_config(f"{self.package}:region")

    def depends_on(self, urn: str, prop: str | None = None) -> bool:
        if prop is not None:
            return urn in self.property_dependencies.get(prop, ())
        return urn in self.dependencies or any(urn in deps for deps in self.property_dependencies.values())


def gcp_region_of(location: str) -> str:
    """`us-central1-a` -> `us-central1`; regions and multi-regions (`US`) are returned unchanged."""
    parts = location.split("-")
    if len(parts) == 3 and len(parts[2]) == 1 and parts[2].isalpha():
        return "-".join(parts[:2])
    return location


@dataclass(frozen=True)
class StackView:
    resources: list[ResourceView]
    config: Mapping[str, Any]

    def of_type(self, *types: str) -> list[ResourceView]:
        return [r for r in self.resources if r.type in types]

    def by_urn(self, urn: str) -> ResourceView | None:
        return self._by_urn.get(urn)

    @functools.cached_property
    def _by_urn(self) -> dict[str, ResourceView]:
        return {r.urn: r for r in self.resources}

    def referenced(self, view: ResourceView, prop: str, *types: str) -> list[ResourceView]:
        """Resources of `types` that `view`'s property `prop` was computed from (property
        dependencies, which the engine records whether or not the values are known yet)."""
        found = [self.by_urn(u) for u in view.property_dependencies.get(prop, ())]
        return [r for r in found if r is not None and (not types or r.type in types)]

    def referencing(self, target: ResourceView, prop: str, *types: str) -> list[ResourceView]:
        """Resources of `types` whose property `prop` was computed from `target`."""
        return [r for r in self.of_type(*types) if r.depends_on(target.urn, prop)]

    @property
    def stack_urn(self) -> str:
        for r in self.resources:
            if r.type == "pulumi:pulumi:Stack":
                return r.urn
        return ""

    @property
    def stack_title(self) -> str:
        """How a message names the stack as a whole: `Stack 'ai-landing-zone-prod'`."""
        for r in self.resources:
            if r.type == "pulumi:pulumi:Stack":
                return f"Stack '{r.name}'"
        return "The stack"

    @property
    def environment(self) -> str | None:
        return self.config.get("environment") or stack_environment()

    def packages(self) -> set[str]:
        """Cloud packages with at least one resource in the stack (providers and the stack excluded)."""
        return {r.package for r in self.resources
                if not r.type.startswith("pulumi:")}


@dataclass(frozen=True)
class _RuleBase:
    name: str
    description: str
    resource_types: tuple[str, ...]
    controls: tuple[str, ...]
    enforcement_level: str = "advisory"
    config_properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severity: str = "medium"
    area: str = ""  # set by the registry from the rule's folder

    def __post_init__(self) -> None:
        if self.enforcement_level not in LEVELS:
            raise ValueError(f"{self.name}: enforcement_level must be one of {', '.join(LEVELS)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.name}: severity must be one of {', '.join(SEVERITIES)}")
        if "environment" in self.config_properties:
            raise ValueError(f"{self.name}: `environment` is added to every rule's config schema")

    @property
    def kind(self) -> str:
        return "stack" if isinstance(self, StackRule) else "resource"

    def schema_properties(self) -> dict[str, dict[str, Any]]:
        props = {k: dict(v) for k, v in self.config_properties.items()}
        props["environment"] = {
            "type": "string", "enum": list(ENVIRONMENTS),
            "description": f"Environment kind; default: the stack's {PROJECT}:environment."}
        return props

    def _schema(self) -> PolicyConfigSchema:
        return PolicyConfigSchema(properties=self.schema_properties())

    def metadata(self) -> dict[str, Any]:
        return {"name": self.name, "resourceTypes": list(self.resource_types), "controls": list(self.controls),
                "enforcementLevel": self.enforcement_level, "description": self.description,
                "area": self.area, "kind": self.kind, "severity": self.severity,
                "configSchema": {k: dict(v) for k, v in self.config_properties.items()}}

    def _policy_kwargs(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "enforcement_level": EnforcementLevel(self.enforcement_level),
                "config_schema": self._schema(), "severity": Severity(self.severity)}


def _crash_message(rule: str, subject: str, exc: BaseException) -> str:
    return (f"{subject} could not be judged by {rule} ({type(exc).__name__}: {exc}); this is a bug in the rule, "
            "so the check fails closed: report it with the resource's inputs.")


def _target(props: Any) -> Any:
    """The decoded properties behind an SDK proxy (the same object for every policy of a request)."""
    try:
        return props["__target"]
    except (KeyError, TypeError):
        return props


# Every policy of a request sees the same decoded properties (lzpolicy.decode_once): convert them to
# plain values once. Views are read-only, so policies can share the result.
_PLAIN = IdentityCache(wire.plain)


def _plain(props: Any) -> Any:
    return _PLAIN(_target(props))


def _provider_props(provider: Any) -> Mapping[str, Any]:
    if provider is None:
        return {}
    props = _plain(getattr(provider, "props", None) or {})
    return props if isinstance(props, dict) else {}


@dataclass(frozen=True)
class ResourceRule(_RuleBase):
    check: Callable[[ResourceView], Verdict] | None = None

    def evaluate(self, view: ResourceView) -> Verdict:
        if view.type not in self.resource_types:
            return NotApplicable(f"{view.type} is not judged by {self.name}")
        if self.check is None:
            raise TypeError(f"resource rule {self.name} has no check")
        return self.check(view)

    def judge(self, view: ResourceView) -> Verdict:
        """`evaluate`, failing closed: a rule that raises on inputs it did not expect reports a violation
        naming the error instead of failing the whole preview with an opaque gRPC error. Unknown values
        still propagate, for the SDK's "can't run policy during preview" advisory."""
        try:
            return self.evaluate(view)
        except UnknownValueError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported as a verdict, see above
            return NonCompliant(_crash_message(self.name, view.title, exc))

    def policy(self) -> ResourceValidationPolicy:
        judged = frozenset(self.resource_types)

        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type not in judged:
                args.not_applicable(f"{args.resource_type} is not judged by {self.name}")
            view = ResourceView(type=args.resource_type, props=_plain(args.props), urn=args.urn,
                                name=args.name, protect=bool(getattr(args.opts, "protect", False)),
                                config=args.get_config(), provider=_provider_props(args.provider),
                                parent=getattr(args.opts, "parent", None) or "")
            verdict = self.judge(view)
            if isinstance(verdict, NonCompliant):
                from .config_keys import with_config_key

                for message in verdict.messages:
                    report(with_config_key(self.name, view, message), None)
            elif isinstance(verdict, NotApplicable):
                args.not_applicable(verdict.reason)

        return ResourceValidationPolicy(validate=validate, **self._policy_kwargs())


StackVerdict = Iterable[tuple[str, str]] | NotApplicable


@dataclass(frozen=True)
class StackRule(_RuleBase):
    """Judges what one resource cannot show (a VPC without a flow log). `check_stack` yields
    (urn, message) pairs - "" as the urn blames the stack as a whole - or returns NotApplicable
    when the stack holds nothing the rule judges."""

    check_stack: Callable[[StackView], StackVerdict] | None = None

    def evaluate(self, view: StackView) -> list[tuple[str, str]] | NotApplicable:
        if self.check_stack is None:
            raise TypeError(f"stack rule {self.name} has no check")
        result = self.check_stack(view)
        return result if isinstance(result, NotApplicable) else list(result)

    def policy(self) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report: ReportViolation) -> None:
            config = args.get_config()
            views = [ResourceView(
                type=r.resource_type, props=_plain(r.props), urn=r.urn, name=r.name,
                protect=bool(getattr(r.opts, "protect", False)), config=config,
                provider=_provider_props(r.provider), parent=r.parent.urn if r.parent else "",
                dependencies=tuple(d.urn for d in r.dependencies),
                property_dependencies={k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()},
            ) for r in args.resources]
            stack = StackView(resources=views, config=config)
            try:
                result = self.evaluate(stack)
            except UnknownValueError:
                raise
            except Exception as exc:  # noqa: BLE001 - fail closed with a readable message, as ResourceRule.judge
                result = [(stack.stack_urn, _crash_message(self.name, stack.stack_title, exc))]
            if isinstance(result, NotApplicable):
                args.not_applicable(result.reason)
                return
            from .config_keys import with_config_key

            for urn, message in result:
                report(with_config_key(self.name, stack.by_urn(urn) if urn else None, message), urn or None)

        return StackValidationPolicy(validate=validate, **self._policy_kwargs())
