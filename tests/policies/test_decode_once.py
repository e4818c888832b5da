"""The pack's decode-once caches change nothing but speed: equal messages give equal values, different
messages different ones, and the SDK functions are routed through them."""

import sys

from google.protobuf import struct_pb2

from lz.testing import ROOT

sys.path.insert(0, str(ROOT / "policies"))

from lzpolicy.decode_once import ContentCache, IdentityCache, install  # noqa: E402


def _struct(values):
    out = struct_pb2.Struct()
    out.update(values)
    return out


def test_content_cache_hits_equal_messages_and_misses_different_ones():
    from google.protobuf import json_format

    cache = ContentCache(json_format.MessageToDict)
    a, a_again, b = _struct({"x": 1, "tags": {"team": "a"}}), _struct({"tags": {"team": "a"}, "x": 1}), _struct({"x": 2})
    first = cache(a)
    assert cache(a_again) is first            # another wrapper of equal content: AnalyzeStack's case
    assert cache(b) == {"x": 2.0} and cache(b) is not first
    assert (cache.hits, cache.misses) == (2, 2)


def test_identity_cache_never_confuses_objects():
    calls = []
    cache = IdentityCache(lambda d: calls.append(d) or dict(d), max_entries=2)
    one, two, three = {"a": 1}, {"a": 1}, {"b": 2}
    assert cache(one) is cache(one)
    assert cache(two) == one and cache(two) is not cache(one)
    cache(three)  # evicts the least recently used entry (two): a later call recomputes it
    assert len(calls) == 3
    assert cache(two) == {"a": 1}
    assert len(calls) == 4


def test_install_routes_the_sdk_through_the_caches():
    from pulumi_policy import policy

    to_dict, decode = install()
    assert policy.json_format.MessageToDict is to_dict and policy.deserialize_properties is decode
    assert isinstance(policy.unknown_checking_proxy, IdentityCache)
    assert install() == (to_dict, decode)  # idempotent
    message = _struct({"secret": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                  "value": "s3cr3t"}})
    assert decode(to_dict(message)) == {"secret": "s3cr3t"}


def test_alternating_messages_are_not_serialized_again():
    # pulumi_policy decodes a resource's properties and then its provider's, for every policy in turn:
    # remembering only the last message made each call serialize its message again to look it up.
    from google.protobuf import json_format

    serialized = []

    class Counting:  # a message that counts its serializations (protobuf classes cannot be subclassed)
        def __init__(self, values):
            self.message = _struct(values)

        def SerializeToString(self, **kwargs):  # noqa: N802 - protobuf's name
            serialized.append(self)
            return self.message.SerializeToString(**kwargs)

    props, provider = Counting({"x": 1}), Counting({"region": "us-east-1"})
    cache = ContentCache(lambda m: json_format.MessageToDict(m.message))
    for _ in range(100):  # 100 policies
        assert cache(props) == {"x": 1.0}
        assert cache(provider) == {"region": "us-east-1"}
    assert len(serialized) == 2


def test_per_request_builds_options_and_provider_once_per_request():
    from lzpolicy.decode_once import per_request

    built = []

    class Servicer:
        @per_request
        def options(self, request):
            built.append(request)
            return {"of": request["urn"]}

    servicer, one, two = Servicer(), {"urn": "a"}, {"urn": "a"}
    first = servicer.options(one)
    assert all(servicer.options(one) is first for _ in range(100))
    assert servicer.options(two) == first and servicer.options(two) is not first  # equal, not the same
    assert built == [one, two]
