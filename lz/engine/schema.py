"""The provider-schema check of `lz plan`: what a provider's Check would tell a user, offline.

Every recorded registration's wire inputs are validated against the schema of its type, derived
from the installed provider SDK (pulumi_aws, pulumi_gcp, pulumi_kubernetes, any `pulumi_*`). The
SDKs are generated from the providers' schemas and ship no `schema.json` (their wheels hold only
`pulumi-plugin.json`: name and version), so the schema is read back from the generated code:

- type token -> class: the SDK registers `{"pkg", "mod", "fqn", "classes": {token: class}}` for
  every module with `pulumi.runtime.register_resource_module` when it is imported
  (`<sdk>/__init__.py`, `_utilities.register`), and its provider with `register_resource_package`;
- class -> inputs: the `args` overload of the resource's `__init__` names its `@pulumi.input_type`
  Args class; each property getter carries its wire name (`@pulumi.getter(name="camelName")`) and
  its type hint (`pulumi.Input[str]`, `Optional`, `Sequence`, `Mapping`, nested `*Args`, enums);
- required: an Args `__init__` parameter without a default;
- closed enum: a hint that is an `Enum` class alone (`pulumi.Input['NotificationType']`); the SDK
  writes open enums as `Union[str, 'InstanceType']`, which accept any string;
- deprecated property: the getter is wrapped by `_utilities.deprecated(message)`, which tags it
  with `_pulumi_deprecated_callable`; deprecated resource: `_internal_init` calls
  `pulumi.log.warn("<Class> is deprecated: <message>")`.

Schemas are derived lazily, for the types a plan uses, and cached for the process. Unknown values
(preview unknowns) and secrets are never judged: their value is not known here. Types without an
SDK schema (`apiextensions.CustomResource` objects such as Kueue's, local components such as
`kubernetes:yaml:ConfigFile`) are skipped and counted as such.
"""

from __future__ import annotations

import collections.abc
import difflib
import enum
import functools
import importlib
import importlib.util
import inspect
import json
import re
import sys
import time
import types
import typing
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi import _types
from pulumi.runtime import rpc

from .monitor import STACK_TYPE, Registration

# Wire-format markers, from pulumi.runtime.rpc (the SDK's serializer).
UNKNOWN = rpc.UNKNOWN
SIG = rpc._special_sig_key
SECRET = rpc._special_secret_sig
ASSET = rpc._special_asset_sig
ARCHIVE = rpc._special_archive_sig
RESOURCE = rpc._special_resource_sig
OUTPUT_VALUE = rpc._special_output_value_sig

#: Inputs the engine itself reads from (and sets on) provider resources, beside the provider's own
#: config: pulumi/pulumi pkg/resource/deploy/providers/registry.go (`versionKey`, `pluginDownloadKey`,
#: `pluginChecksumsKey`, `parameterKey`).
PROVIDER_RESERVED = frozenset({"version", "pluginDownloadURL", "pluginChecksums", "parameter"})

#: Finding kinds, in the order a report lists them.
KINDS = ("type", "unknown-property", "enum", "required", "deprecated")


@dataclass(frozen=True)
class Finding:
    urn: str
    type: str
    path: str   # wire (camelCase) property path: `retentionPolicy.retentionPeriod`, `rules[0].id`
    kind: str   # one of KINDS
    problem: str

    def as_json(self) -> dict[str, str]:
        return {"urn": self.urn, "type": self.type, "path": self.path, "kind": self.kind, "problem": self.problem}

    def __str__(self) -> str:
        return f"{self.path or '(resource)'}: {self.problem}"


# --- shapes: what a property admits on the wire ---------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """A property's wire type. kind: string, integer, number, boolean, array, map, object, enum,
    union, any, asset, archive, assetOrArchive."""

    kind: str
    item: Shape | None = None                 # array items, map values
    cls: type | None = None                   # object: the input type
    values: tuple[str, ...] = ()              # enum: the closed set
    members: tuple[Shape, ...] = ()           # union

    def describe(self) -> str:
        if self.kind == "union":
            return " or ".join(dict.fromkeys(m.describe() for m in self.members))
        if self.kind in ("map", "object"):
            return "object"
        if self.kind == "enum":
            return "string"
        return self.kind


ANY = Shape("any")
_SCALARS: dict[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def _drop_plumbing(args: tuple[Any, ...]) -> list[Any]:
    """Union members that are not Input plumbing: `pulumi.Input[T]` is `Union[T, Awaitable[T],
    Output[T]]` and `Optional[T]` adds `None`."""
    out = []
    for a in args:
        if a is type(None):
            continue
        origin = typing.get_origin(a)
        if origin is collections.abc.Awaitable or a is pulumi.Output or origin is pulumi.Output:
            continue
        if isinstance(a, type) and issubclass(a, pulumi.Output):
            continue
        if isinstance(a, typing.ForwardRef) and a.__forward_arg__.startswith("Output["):
            continue  # `pulumi.Input` names Output by a forward reference (pulumi/input.py)
        out.append(a)
    return out


def shape_of(hint: Any) -> Shape:
    """The wire shape of an SDK type hint (already resolved by `typing.get_type_hints`)."""
    if hint is Any or hint is None or isinstance(hint, (str, typing.ForwardRef, typing.TypeVar)):
        return ANY  # an unresolvable hint judges nothing
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        members = _drop_plumbing(typing.get_args(hint))
        enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
        if enums and any(m in (str, int, float) for m in members):
            # `Union[str, 'InstanceType']`: an open enum, any value of its scalar type
            members = [m for m in members if m not in enums]
        inputs = [m for m in members if isinstance(m, type) and _types.is_input_type(m)]
        if inputs:  # `Union['XArgs', 'XArgsDict', 'outputs.X']`: the Args class says it all
            members = [m for m in members if m in inputs or not _is_object_like(m)]
        shapes = list(dict.fromkeys(shape_of(m) for m in members))
        if {s.kind for s in shapes} == {"asset", "archive"}:  # `Union[Asset, Archive]`
            return Shape("assetOrArchive")
        if not shapes:
            return ANY
        if ANY in shapes:
            return ANY
        return shapes[0] if len(shapes) == 1 else Shape("union", members=tuple(shapes))
    if origin in (collections.abc.Sequence, list, tuple, collections.abc.MutableSequence):
        args = typing.get_args(hint)
        return Shape("array", item=shape_of(args[0]) if args else ANY)
    if origin in (collections.abc.Mapping, dict, collections.abc.MutableMapping):
        args = typing.get_args(hint)
        return Shape("map", item=shape_of(args[1]) if len(args) == 2 else ANY)
    if origin is typing.Literal:  # pulumi_kubernetes: `apiVersion: Literal['v1']`, `kind: Literal['Namespace']`
        values = typing.get_args(hint)
        return Shape("enum", values=tuple(values)) if all(isinstance(v, str) for v in values) else ANY
    if origin is not None:
        return ANY
    if hint in _SCALARS:
        return Shape(_SCALARS[hint])
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            values = [m.value for m in hint]
            if all(isinstance(v, str) for v in values):
                return Shape("enum", values=tuple(values))
            # A numeric enum (`class X(float, Enum)`): judged by its wire type only.
            return Shape("integer" if all(isinstance(v, int) for v in values) else "number")
        if _types.is_input_type(hint):
            return Shape("object", cls=hint)
        if issubclass(hint, pulumi.Asset):
            return Shape("asset")
        if issubclass(hint, pulumi.Archive):
            return Shape("archive")
        if hint in (dict, collections.abc.Mapping):
            return Shape("map", item=ANY)
        if hint in (list, collections.abc.Sequence):
            return Shape("array", item=ANY)
    return ANY


def _is_object_like(hint: Any) -> bool:
    return isinstance(hint, type) and (_types.is_input_type(hint) or _types.is_output_type(hint)
                                       or typing.is_typeddict(hint))


# --- object schemas from input types --------------------------------------------------------------

@dataclass(frozen=True)
class Property:
    shape: Shape
    required: bool = False
    deprecated: str | None = None


class Properties(collections.abc.Mapping):
    """Wire name -> Property of one input type. Names are read at once; each property's type hint is
    resolved on first use (`typing.get_type_hints` is most of the check's cost, and a plan touches
    few of a type's properties)."""

    def __init__(self, cls: type, required_py: frozenset[str]):
        self._cls = cls
        self._getters = {wire: (python, prop.fget) for python, wire, prop in _types._py_properties(cls)}
        self._required_py = required_py
        self._globalns: dict[str, Any] | None = None
        self._done: dict[str, Property] = {}

    def __getitem__(self, key: str) -> Property:
        done = self._done.get(key)
        if done is None:
            python_name, fget = self._getters[key]
            done = self._done[key] = Property(shape=shape_of(self._hint(fget)),
                                              required=python_name in self._required_py,
                                              deprecated=_deprecation_of(fget))
        return done

    def __iter__(self) -> typing.Iterator[str]:
        return iter(self._getters)

    def __len__(self) -> int:
        return len(self._getters)

    def required(self) -> frozenset[str]:
        """Wire names of the required properties."""
        return frozenset(wire for wire, (python, _) in self._getters.items() if python in self._required_py)

    def _hint(self, fget: Any) -> Any:
        if self._globalns is None:  # as pulumi._types._raw_return_hints resolves them
            self._globalns = {}
            for base in reversed(self._cls.__mro__):
                module = sys.modules.get(base.__module__)
                if module is not None:
                    self._globalns.update(vars(module))
        try:
            return typing.get_type_hints(fget, globalns=self._globalns,
                                         localns={"Output": pulumi.Output, "T": type(None)}).get("return")
        except Exception:  # noqa: BLE001 - a hint the SDK itself cannot resolve judges nothing
            return None


@dataclass(frozen=True, eq=False)
class ObjectSchema:
    name: str
    properties: Properties
    required: frozenset[str]  # wire names


def _deprecation_of(fget: Any) -> str | None:
    """The message of `_utilities.deprecated(message)` on a getter (None if not deprecated)."""
    if "_pulumi_deprecated_callable" not in getattr(fget, "__dict__", {}):
        return None
    cells = dict(zip(fget.__code__.co_freevars, fget.__closure__ or (), strict=False))
    message = cells.get("message")
    return str(message.cell_contents) if message is not None else "deprecated"


@functools.cache
def object_schema(cls: type) -> ObjectSchema:
    """Wire names, shapes, required flags and deprecations of an `@pulumi.input_type` class."""
    # Required: a keyword-only parameter of the Args `__init__` without a default (read from the code
    # object: `inspect.signature` costs as much as the rest of the check).
    init = cls.__init__
    code = getattr(init, "__code__", None)
    kwonly = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount] if code else ()
    defaults = getattr(init, "__kwdefaults__", None) or {}
    required_py = frozenset(name for name in kwonly if name not in defaults)
    properties = Properties(cls, required_py)
    return ObjectSchema(name=cls.__name__, properties=properties, required=properties.required())


# --- resource schemas from type tokens ------------------------------------------------------------

@dataclass(frozen=True)
class ResourceSchema:
    token: str
    inputs: ObjectSchema
    deprecated: str | None = None
    provider: bool = False   # provider config: PROVIDER_RESERVED keys are the engine's; values may be JSON text


def _sdk_module_name(package: str) -> str:
    return "pulumi_" + package.replace("-", "_")


@functools.cache
def _sdk_loaded(package: str) -> bool:
    """Import the package's SDK if it is installed (importing registers its modules)."""
    name = _sdk_module_name(package)
    if name in sys.modules:
        return True
    try:
        if importlib.util.find_spec(name) is None:
            return False
        importlib.import_module(name)
    except (ImportError, ValueError):  # not a module name, or an SDK that cannot be imported here
        return False
    return True


def _args_class(cls: type) -> type | None:
    """The Args class of a resource class: the `args` parameter of its `__init__` overloads."""
    get_overloads = getattr(typing, "get_overloads", None)  # Python >= 3.11
    module = sys.modules.get(cls.__module__)
    for overload in (get_overloads(cls.__init__) if get_overloads else []):
        annotation = inspect.signature(overload).parameters.get("args")
        if annotation is None:
            continue
        hint = annotation.annotation
        if isinstance(hint, str) and module is not None:
            hint = getattr(module, hint, None)
        for candidate in (hint, *typing.get_args(hint)):
            if isinstance(candidate, type) and _types.is_input_type(candidate):
                return candidate
    for name in (f"{cls.__name__}InitArgs", f"{cls.__name__}Args"):  # the generators' naming
        candidate = getattr(module, name, None)
        if isinstance(candidate, type) and _types.is_input_type(candidate):
            return candidate
    return None


@functools.cache
def _source_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def _resource_deprecation(cls: type) -> str | None:
    """The SDK marks a deprecated resource in `_internal_init`:
    `pulumi.log.warn(\"\"\"<Class> is deprecated: <message>\"\"\")` (the generators' template)."""
    try:
        path = inspect.getsourcefile(cls)
    except TypeError:
        return None
    text = _source_text(path) if path else ""
    marker = f'pulumi.log.warn("""{cls.__name__} is deprecated: '
    at = text.find(marker)
    if at < 0:
        return None
    end = text.find('""")', at)
    return text[at + len(marker):end].strip()


def _class_for(token: str) -> type | str:
    """The SDK class of a type token, or why there is none."""
    if token.startswith("pulumi:providers:"):
        package = token.split(":", 2)[2]
        if not _sdk_loaded(package):
            return f"no installed SDK for package {package}"
        registered = rpc.get_resource_package(package, "")
        info = getattr(registered, "pkg_info", None)
        if not info:
            return f"SDK of {package} registers no provider"
        return getattr(importlib.import_module(info["fqn"]), info["class"])
    parts = token.split(":")
    if len(parts) != 3:
        return "not a package type token"
    package, mod, name = parts
    if not _sdk_loaded(package):
        return f"no installed SDK for package {package}"
    registered = rpc.get_resource_module(package, mod, "")
    info = getattr(registered, "mod_info", None)
    class_name = (info or {}).get("classes", {}).get(token)
    if not class_name:
        return "no SDK schema: a custom resource (CRD), or a component the SDK implements in Python"
    return getattr(importlib.import_module(info["fqn"]), class_name)


@functools.cache
def resource_schema(token: str) -> ResourceSchema | str:
    """The input schema of a resource type, or the reason it has none (the type is skipped)."""
    try:
        return _derive(token)
    except Exception as exc:  # noqa: BLE001 - an SDK this reader does not understand: skipped, with why
        return f"schema could not be derived from the SDK: {type(exc).__name__}: {exc}"


def _derive(token: str) -> ResourceSchema | str:
    found = _class_for(token)
    if isinstance(found, str):
        return found
    args = _args_class(found)
    if args is None:
        return f"{found.__module__}.{found.__name__} has no input type"
    return ResourceSchema(token=token, inputs=object_schema(args), deprecated=_resource_deprecation(found),
                          provider=token.startswith("pulumi:providers:"))


# --- checking wire values ---------------------------------------------------------------------------

_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def wire_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        sig = value.get(SIG)
        if sig == ASSET:
            return "asset"
        if sig == ARCHIVE:
            return "archive"
        return "object"
    return "null"


def _opaque(value: Any) -> bool:
    """A value whose content cannot be judged offline: unknown, secret, a resource reference."""
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        sig = value.get(SIG)
        if sig in (SECRET, RESOURCE):
            return True
        if sig == OUTPUT_VALUE:
            return "value" not in value or bool(value.get("secret"))
    return False


Problem = tuple[str, str, str]  # (path, kind, problem)


def check_value(value: Any, shape: Shape, path: str, *, json_text: bool = False) -> list[Problem]:
    """Problems of one wire value against its shape. `json_text`: provider config, where a string
    may hold the JSON of a non-string value (pulumi_kubernetes/provider.py sends its booleans and
    objects through `pulumi.runtime.to_json`)."""
    if value is None or _opaque(value) or shape.kind == "any":
        return []
    if isinstance(value, dict) and value.get(SIG) == OUTPUT_VALUE:
        return check_value(value["value"], shape, path, json_text=json_text)
    kind = wire_kind(value)
    if json_text and kind == "string" and shape.kind not in ("string", "enum", "union"):
        try:
            return check_value(json.loads(value), shape, path)
        except ValueError:
            pass
    if shape.kind == "union":
        fitting = [m for m in shape.members if _kind_fits(kind, value, m)]
        for member in fitting:
            problems = check_value(value, member, path)
            if not problems:
                return []
        if fitting:
            return check_value(value, fitting[0], path)
        return [(path, "type", f"expected {shape.describe()}, got {kind}")]
    if not _kind_fits(kind, value, shape):
        if shape.kind == "integer" and kind == "number":
            return [(path, "type", f"expected integer, got {value!r}")]
        return [(path, "type", f"expected {shape.describe()}, got {kind}")]
    if shape.kind == "enum" and value not in shape.values:
        shown = ", ".join(shape.values[:12]) + (f", … ({len(shape.values)} values)" if len(shape.values) > 12 else "")
        return [(path, "enum", f"{json.dumps(value)} is not one of {shown}")]
    if shape.kind == "array":
        return [p for i, item in enumerate(value) for p in check_value(item, shape.item or ANY, join(path, i))]
    if shape.kind == "map":
        return [p for k, v in value.items() for p in check_value(v, shape.item or ANY, join(path, k))]
    if shape.kind == "object" and shape.cls is not None:
        return check_object(value, object_schema(shape.cls), path)
    return []


def _kind_fits(kind: str, value: Any, shape: Shape) -> bool:
    expected = shape.kind
    if expected in ("string", "enum"):
        return kind == "string"
    if expected == "integer":
        return kind == "number" and float(value).is_integer()
    if expected == "number":
        return kind == "number"
    if expected == "boolean":
        return kind == "boolean"
    if expected == "array":
        return kind == "array"
    if expected in ("map", "object"):
        return kind == "object"
    if expected == "assetOrArchive":
        return kind in ("asset", "archive")
    if expected in ("asset", "archive"):
        return kind == expected
    return True


def check_object(value: dict[str, Any], schema: ObjectSchema, path: str = "", *,
                 reserved: frozenset[str] = frozenset(), json_text: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for key, item in value.items():
        where = join(path, key)
        prop = schema.properties.get(key)
        if prop is None:
            if key in reserved:
                continue
            close = difflib.get_close_matches(key, list(schema.properties), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            problems.append((where, "unknown-property", f"unknown property of {schema.name}{hint}"))
            continue
        if prop.deprecated and item is not None:
            problems.append((where, "deprecated", f"deprecated: {prop.deprecated}"))
        problems.extend(check_value(item, prop.shape, where, json_text=json_text))
    for key in schema.required:
        if value.get(key) is None:
            problems.append((join(path, key), "required", f"missing required input of {schema.name}"))
    return problems


def check_registration(registration: Registration, schema: ResourceSchema) -> list[Finding]:
    problems: list[Problem] = []
    if schema.deprecated:
        problems.append(("", "deprecated", f"resource type deprecated: {schema.deprecated}"))
    problems.extend(check_object(registration.wire_inputs, schema.inputs,
                                 reserved=PROVIDER_RESERVED if schema.provider else frozenset(),
                                 json_text=schema.provider))
    return [Finding(urn=registration.urn, type=registration.type, path=p, kind=k, problem=m)
            for p, k, m in problems]


# --- the check of a plan ----------------------------------------------------------------------------

@dataclass
class SchemaReport:
    findings: list[Finding] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)       # type -> resources checked
    skipped: dict[str, str] = field(default_factory=dict)        # type -> why it has no SDK schema
    skipped_resources: int = 0
    components: int = 0                                          # local components: no provider inputs
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "findings": [f.as_json() for f in self.findings],
            "checkedTypes": len(self.checked), "checkedResources": sum(self.checked.values()),
            "skippedTypes": [{"type": t, "reason": r} for t, r in sorted(self.skipped.items())],
            "skippedResources": self.skipped_resources, "components": self.components,
            "seconds": round(self.seconds, 3),
        }


def _builtin(registration: Registration) -> bool:
    return registration.type == STACK_TYPE or registration.type.startswith("pulumi:pulumi:")


def check_plan(records: list[Registration]) -> SchemaReport:
    """Check every registration of a plan against its type's SDK schema."""
    started = time.perf_counter()
    report = SchemaReport()
    for registration in records:
        if _builtin(registration):
            continue
        schema = resource_schema(registration.type)
        if isinstance(schema, str):
            if not registration.custom and (schema.startswith("no installed SDK")
                                            or not _sdk_loaded(registration.package)):
                report.components += 1  # the program's own component: its inputs are its own
            else:
                report.skipped[registration.type] = schema
                report.skipped_resources += 1
            continue
        report.checked[registration.type] += 1
        report.findings.extend(check_registration(registration, schema))
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["Finding", "SchemaReport", "Shape", "check_object", "check_plan", "check_value", "object_schema",
           "resource_schema", "shape_of"]
