"""Decode each resource's properties once per request, not once per policy.

pulumi_policy's analyzer turns `request.properties` (a protobuf Struct) into Python values inside its
loop over policies: with 70+ policies, every resource is converted 70+ times, and the pack, not the
program, sets the pace of a preview. The Struct object is the same for every policy of one request, so
the conversion is memoized. AnalyzeStack hands each policy fresh wrappers of the same messages, so
the Struct-to-dict step is keyed by the message's deterministic serialization (equal bytes, equal
values); the steps after it are keyed by the identity of what the first returned (the cache holds the
object, so an id cannot be reused while cached). The values handed to policies are the same as
without the cache; policies only read them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

#: Enough for AnalyzeStack over a large stack (each stack policy walks every resource).
MAX_ENTRIES = 8192
#: Messages remembered by identity per thread (a request's properties and its provider's, and spares).
RECENT = 4


class _Recent:
    """The last few (object, value) pairs of the calling thread, found by identity: Analyze hands every
    policy the same messages in turn (a resource's properties, then its provider's). Holding the object
    keeps its id from being reused while it is remembered."""

    def __init__(self, size: int = RECENT):
        self.size = size
        self._local = threading.local()

    def find(self, obj: Any) -> tuple[bool, Any]:
        for seen, value in getattr(self._local, "items", ()):
            if seen is obj:
                return True, value
        return False, None

    def add(self, obj: Any, value: Any) -> None:
        items = [(obj, value), *getattr(self._local, "items", ())]
        self._local.items = items[:self.size]


class IdentityCache:
    """A per-thread LRU of fn(obj) keyed by the identity of obj."""

    recent_size = 1  # the LRU's look-up by id is cheap: only the last object is found before it

    def __init__(self, fn: Callable[[Any], Any], max_entries: int = MAX_ENTRIES):
        self.fn = fn
        self.max_entries = max_entries
        self._local = threading.local()
        self._recent = _Recent(size=self.recent_size)
        self.hits = 0
        self.misses = 0

    def _key(self, obj: Any) -> Any:
        return id(obj)

    def _found(self, entry: tuple[Any, Any], obj: Any) -> bool:
        return entry[0] is obj  # the entry holds obj, so no other object has its id while it is cached

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self.fn(obj, *args, **kwargs)
        hit, value = self._recent.find(obj)
        if hit:
            self.hits += 1
            return value
        entries: OrderedDict[Any, tuple[Any, Any]] | None = getattr(self._local, "entries", None)
        if entries is None:
            entries = self._local.entries = OrderedDict()
        key = self._key(obj)
        found = entries.get(key)
        if found is not None and self._found(found, obj):
            entries.move_to_end(key)
            self.hits += 1
            value = found[1]
        else:
            self.misses += 1
            value = self.fn(obj)
            entries[key] = (obj, value)
            if len(entries) > self.max_entries:
                entries.popitem(last=False)
        self._recent.add(obj, value)
        return value


class ContentCache(IdentityCache):
    """fn(message) keyed by the message's deterministic wire bytes."""

    recent_size = RECENT  # serializing a message to look it up costs more than finding it among these

    def _key(self, obj: Any) -> Any:
        return obj.SerializeToString(deterministic=True)

    def _found(self, entry: tuple[Any, Any], obj: Any) -> bool:
        return True  # equal bytes, equal values: another wrapper of the same content is a hit

    def __call__(self, message: Any, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(message, "SerializeToString"):
            return self.fn(message, *args, **kwargs)
        return super().__call__(message, *args, **kwargs)


def per_request(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`method(self, request)` computed once per request message (by identity, per thread), not once per
    policy: pulumi_policy rebuilds a resource's options and provider for each of its policies."""
    recent = _Recent()

    def once(self: Any, request: Any) -> Any:
        hit, value = recent.find(request)
        if not hit:
            value = method(self, request)
            recent.add(request, value)
        return value

    once.__wrapped__ = method  # type: ignore[attr-defined]
    return once


def install() -> tuple[IdentityCache, IdentityCache]:
    """Route pulumi_policy's own property decoding through identity caches (idempotent)."""
    from google.protobuf import json_format
    from pulumi_policy import policy

    if isinstance(policy.deserialize_properties, IdentityCache):
        return policy.json_format.MessageToDict, policy.deserialize_properties
    to_dict = ContentCache(json_format.MessageToDict)
    decode = IdentityCache(policy.deserialize_properties)
    # The SDK wraps the whole decoded tree in read-only, unknown-checking proxies for each policy.
    proxy = IdentityCache(policy.unknown_checking_proxy)
    # Only pulumi_policy.policy sees the cached functions; the protobuf module is untouched.
    policy.json_format = SimpleNamespace(MessageToDict=to_dict)
    policy.deserialize_properties = decode
    policy.unknown_checking_proxy = proxy
    servicer = policy._PolicyAnalyzerServicer
    for name in ("_get_resource_options", "_get_provider_resource"):
        setattr(servicer, name, per_request(getattr(servicer, name)))
    return to_dict, decode
