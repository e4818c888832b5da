"""Decode each resource's properties once per request, not once per policy.

pulumi_policy's analyzer turns `request.properties` (a protobuf Struct) into Python values inside its
loop over policies: with 70+ policies, every resource is converted 70+ times, and the pack, not the
program, sets the pace of a preview. The Struct object is the same for every policy of one request, so
the conversion is memoized by identity (the cache holds the object, so an id cannot be reused while
cached). The values handed to policies are the same as without the cache; policies only read them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

#: Enough for AnalyzeStack over a large stack (each stack policy walks every resource).
MAX_ENTRIES = 8192


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
        entries: OrderedDict[int, tuple[Any, Any]] | None = getattr(self._local, "entries", None)
        if entries is None:
            entries = self._local.entries = OrderedDict()
        key = id(obj)
        found = entries.get(key)
        if found is not None and found[0] is obj:
            entries.move_to_end(key)
            self.hits += 1
            return found[1]
        self.misses += 1
        value = self.fn(obj)
        entries[key] = (obj, value)
        if len(entries) > self.max_entries:
            entries.popitem(last=False)
        return value


def install() -> tuple[IdentityCache, IdentityCache]:
    """Route pulumi_policy's own property decoding through identity caches (idempotent)."""
    from google.protobuf import json_format
    from pulumi_policy import policy

    if isinstance(policy.deserialize_properties, IdentityCache):
        return policy.json_format.MessageToDict, policy.deserialize_properties
    to_dict = IdentityCache(json_format.MessageToDict)
    decode = IdentityCache(policy.deserialize_properties)
    # Only pulumi_policy.policy sees the cached MessageToDict; the protobuf module is untouched.
    policy.json_format = SimpleNamespace(MessageToDict=to_dict)
    policy.deserialize_properties = decode
    return to_dict, decode
