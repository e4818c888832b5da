"""Reading wire-format properties safely.

pulumi_policy hands a rule its inputs as read-only proxies that raise `UnknownValueError` when an
unknown value (an output not yet computed during preview) is touched; the SDK turns that error into
an advisory "can't run policy during preview" diagnostic. The helpers here work on plain dicts and
lists (see `plain`) and keep that contract: reading an unknown value raises `UnknownValueError`,
while a missing key, a None, a wrong type or an index out of range yields the default - never a
KeyError or TypeError. `is_set` is the exception: an unknown value counts as set, because it will
be set to something (an ARN of a key created in the same update, say).

Wire values are camelCase and loosely typed: numbers arrive as floats, and some provider fields are
strings that hold booleans (`LaunchTemplate.blockDeviceMappings[].ebs.encrypted` is "true").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

UNKNOWN_SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE,
                               UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE,
                               UNKNOWN_OBJECT_VALUE})

_MISSING = object()


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def plain(value: Any) -> Any:
    """The SDK's proxies unwrapped into dicts and lists; unknown sentinels are kept as they are."""
    if isinstance(value, Mapping):
        return {str(k): plain(_raw_item(value, k)) for k in list(_raw_keys(value))}
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, Sequence):
        return [plain(_raw_item(value, i)) for i in range(len(value))]
    return value


def _raw_keys(mapping: Mapping[str, Any]):
    try:
        return iter(mapping["__target"])  # an SDK proxy: its target, without the unknown check
    except (KeyError, TypeError):
        return iter(mapping)


def _raw_item(container: Any, key: Any) -> Any:
    try:
        target = container["__target"]
    except (KeyError, TypeError, IndexError):
        target = container
    return target[key]


def _walk(node: Any, path: tuple[str | int, ...], *, strict: bool) -> Any:
    """The value at `path`, `_MISSING` when absent; an unknown raises when `strict`, else is returned."""
    for i, part in enumerate(path):
        if is_unknown(node):
            if strict:
                raise UnknownValueError(node, [str(p) for p in path[:i]])
            return node
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return _MISSING
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        if node is None:
            return _MISSING
    if strict and is_unknown(node):
        raise UnknownValueError(node, [str(p) for p in path])
    return node


def dig(node: Any, *path: str | int, default: Any = None) -> Any:
    """`node[path[0]][path[1]]...`, or `default` when any step is missing or None."""
    value = _walk(node, path, strict=True)
    return default if value is _MISSING else value


def known(node: Any, *path: str | int, default: Any = None) -> Any:
    """Like `dig`, but an unknown value reads as `default` instead of raising: for matching
    resources to each other, where "not known yet" simply means "no match by value"."""
    value = _walk(node, path, strict=False)
    return default if value is _MISSING or is_unknown(value) else value


def is_set(node: Any, *path: str | int) -> bool:
    """True when the value is present and not empty; an unknown value counts as set."""
    value = _walk(node, path, strict=False)
    if value is _MISSING:
        return False
    if is_unknown(value):
        return True
    return value not in ("", [], {})


def items(node: Any, *path: str | int) -> list[Any]:
    """A list-valued property as a list ([] when absent); a single object becomes a one-item list.

    pulumi-aws v6 and v7 disagree on some fields (v6 `serverSideEncryptionConfigurations: [..]`,
    v7 `serverSideEncryptionConfiguration: {..}`), so rules read both through this helper.
    """
    value = dig(node, *path, default=None)
    if value is None:
        return []
    if isinstance(value, list):
        for i, item in enumerate(value):
            if is_unknown(item):
                raise UnknownValueError(item, [*map(str, path), str(i)])
        return value
    return [value]


def strings(node: Any, *path: str | int) -> list[str]:
    """A string-or-list-of-strings property (IAM `Action`, `Resource`) as a list of strings."""
    return [str(v) for v in items(node, *path)]


def truthy(value: Any) -> bool | None:
    """A wire boolean: True/False, the strings "true"/"false", or None when absent or not boolean."""
    if is_unknown(value):
        raise UnknownValueError(value, [])
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def number(value: Any) -> float | None:
    """A wire number (floats on the wire, sometimes strings), or None when absent or not a number."""
    if is_unknown(value):
        raise UnknownValueError(value, [])
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def integer_text(value: float | None) -> str:
    """A wire number for a message: 443.0 -> "443"."""
    if value is None:
        return "unset"
    return str(int(value)) if float(value).is_integer() else str(value)


__all__ = ["UNKNOWN_SENTINELS", "UnknownValueError", "dig", "integer_text", "is_set", "is_unknown", "items", "known",
           "number", "plain", "strings", "truthy"]
