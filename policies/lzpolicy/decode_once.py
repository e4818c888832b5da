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


class IdentityCache:
    """A per-thread LRU of fn(obj) keyed by the identity of obj."""

    def __init__(self, fn: Callable[[Any], Any], max_entries: int = MAX_ENTRIES):
        self.fn = fn
        self.max_entries = max_entries
        self._local = threading.local()
        self.hits = 0
        self.misses = 0

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self.fn(obj, *args, **kwargs)
        local = self._local
        last = getattr(local, "last", None)
        if last is not None and last[0] is obj:  # Analyze: the same object for every policy in turn
            self.hits += 1
            return last[1]
        entries: OrderedDict[int, tuple[Any, Any]] | None = getattr(local, "entries", None)
        if entries is None:
            entries = local.entries = OrderedDict()
        key = id(obj)
        found = entries.get(key)
        if found is not None and found[0] is obj:
            entries.move_to_end(key)
            self.hits += 1
            local.last = found
            return found[1]
        self.misses += 1
        value = self.fn(obj)
        entries[key] = local.last = (obj, value)
        if len(entries) > self.max_entries:
            entries.popitem(last=False)
        return value


class ContentCache(IdentityCache):
    """fn(message) keyed by the message's deterministic wire bytes."""

    def __call__(self, message: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not hasattr(message, "SerializeToString"):
            return self.fn(message, *args, **kwargs)
        recent: list[tuple[Any, Any]] | None = getattr(self._local, "recent", None)
        if recent is None:
            recent = self._local.recent = []
        # Analyze: the same messages for every policy, in turn: the resource's properties, then its
        # provider's (pulumi_policy decodes both per policy), so more than the last one is remembered.
        for seen, value in recent:
            if seen is message:
                self.hits += 1
                return value
        entries: OrderedDict[Any, tuple[Any, Any]] | None = getattr(self._local, "entries", None)
        if entries is None:
            entries = self._local.entries = OrderedDict()
        key = message.SerializeToString(deterministic=True)
        found = entries.get(key)
        if found is not None:
            entries.move_to_end(key)
            self.hits += 1
            value = found[1]
        else:
            self.misses += 1
            value = self.fn(message)
            entries[key] = (None, value)
            if len(entries) > self.max_entries:
                entries.popitem(last=False)
        recent.insert(0, (message, value))
        del recent[RECENT:]
        return value


def per_request(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`method(self, request)` computed once per request message (by identity, per thread), not once per
    policy: pulumi_policy rebuilds a resource's options and provider for each of its policies."""
    local = threading.local()

    def once(self: Any, request: Any) -> Any:
        recent: list[tuple[Any, Any]] | None = getattr(local, "recent", None)
        if recent is None:
            recent = local.recent = []
        for seen, value in recent:
            if seen is request:
                return value
        value = method(self, request)
        recent.insert(0, (request, value))  # the cache holds the request, so its id is not reused
        del recent[RECENT:]
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
