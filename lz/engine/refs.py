"""Properties as the Pulumi engine sends them to analyzers (policy packs).

The engine marshals a resource's inputs for `Analyze`/`AnalyzeStack` with
`MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true}` and leaves
`KeepResources` and `KeepOutputValues` false (pulumi/pulumi `pkg/resource/plugin/analyzer_plugin.go`,
`Analyze` and `AnalyzeStack`). With those options `MarshalPropertyValue` (`pkg/resource/plugin/rpc.go`):

- sends a **resource reference** as its id when it has one (a custom resource; an unknown id stays
  unknown) and as its URN otherwise (a component), never as a `5cf8f730…` reference object, which
  `pulumi_policy` cannot decode ("Unrecognized signature");
- sends an **output value** as its value (secret-wrapped when secret), or as unknown when not known;
- drops **top-level internal keys** (`__defaults`, ...); nested ones are kept;
- keeps unknowns (`04da6b54-…`) and secrets (`{4dabf181…: 1b470612…, value}`) as they are.

The SDK's programs send references whenever the monitor supports `resourceReferences` (the mock
monitor does), so every registration that takes a resource object as an input needs this.
"""

from __future__ import annotations

from google.protobuf import struct_pb2

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_MARKERS = (RESOURCE_SIG.encode(), OUTPUT_VALUE_SIG.encode())


def needs_rewrite(props: struct_pb2.Struct) -> bool:
    """Cheap test (one C-level serialization) so plain registrations pay no Python walk."""
    if any(key.startswith("__") for key in props.fields):
        return True
    raw = props.SerializeToString()
    return any(marker in raw for marker in _MARKERS)


def for_analyzer(props: struct_pb2.Struct) -> struct_pb2.Struct:
    """The resource's properties as the engine marshals them for an analyzer."""
    if not needs_rewrite(props):
        return props
    out = struct_pb2.Struct()
    for key, value in props.fields.items():
        if key.startswith("__"):  # SkipInternalKeys: top level only, as the engine does
            continue
        out.fields[key].CopyFrom(_value(value))
    return out


def _string(text: str) -> struct_pb2.Value:
    return struct_pb2.Value(string_value=text)


def _value(value: struct_pb2.Value) -> struct_pb2.Value:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        sig = fields[SIG_KEY].string_value if SIG_KEY in fields else ""
        if sig == RESOURCE_SIG:
            return _resource_reference(value.struct_value)
        if sig == OUTPUT_VALUE_SIG:
            return _output_value(value.struct_value)
        out = struct_pb2.Value()
        out.struct_value.SetInParent()
        for key, item in fields.items():
            out.struct_value.fields[key].CopyFrom(_value(item))
        return out
    if kind == "list_value":
        out = struct_pb2.Value()
        out.list_value.SetInParent()
        for item in value.list_value.values:
            out.list_value.values.add().CopyFrom(_value(item))
        return out
    return value


def _resource_reference(ref: struct_pb2.Struct) -> struct_pb2.Value:
    # rpc.go, UnmarshalPropertyValue with KeepResources false: `id` present means a custom resource;
    # "" (or the unknown sentinel the Python SDK sends for an id not yet known) is an unknown id.
    if "id" in ref.fields:
        resource_id = ref.fields["id"].string_value
        return _string(UNKNOWN if resource_id in ("", UNKNOWN) else resource_id)
    return _string(ref.fields["urn"].string_value if "urn" in ref.fields else UNKNOWN)


def _output_value(output: struct_pb2.Struct) -> struct_pb2.Value:
    # rpc.go, MarshalPropertyValue with KeepOutputValues false: an unknown output is unknown; a known
    # one is its value, wrapped as a secret when the output is secret.
    if "value" not in output.fields:
        return _string(UNKNOWN)
    value = _value(output.fields["value"])
    if output.fields["secret"].bool_value if "secret" in output.fields else False:
        secret = struct_pb2.Value()
        secret.struct_value.fields[SIG_KEY].string_value = SECRET_SIG
        secret.struct_value.fields["value"].CopyFrom(value)
        return secret
    return value

