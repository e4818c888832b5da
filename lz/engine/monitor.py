"""A MockMonitor that records every registration the way the Pulumi engine would see it."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2

from .invokes import UNKNOWN, InvokeResolver, Unanswered, contains_unknown, settle_unknowns
from .mocks import Environment, OfflineEngineError, OfflineMocks, synthesize_outputs
from .refs import for_analyzer
from .sdk_private import ensure_event_loop, sync_await

STACK_TYPE = "pulumi:pulumi:Stack"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"


@dataclass
class Registration:
    """One resource as the engine records it: identity, wire-format inputs and options."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    id: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    inputs: struct_pb2.Struct = field(default_factory=struct_pb2.Struct)
    outputs: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    aliases: list[Any] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    version: str = ""

    @property
    def wire_inputs(self) -> dict[str, Any]:
        return json_format.MessageToDict(self.inputs)

    @property
    def package(self) -> str:
        if self.type.startswith("pulumi:providers:"):
            return self.type.split(":", 2)[2]
        return self.type.split(":", 1)[0]


def unwrap_secrets(value: Any) -> Any:
    """Wire-format values with every secret replaced by its plain value (for pricing and tests, never
    for output: `lz.report.redact` shows secrets as "[secret]")."""
    if isinstance(value, dict):
        if SECRET_SIG in value and "value" in value:
            return unwrap_secrets(value["value"])
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def _optional_bool(request: Any, name: str) -> bool:
    try:
        return request.HasField(name) and bool(getattr(request, name))
    except ValueError:  # not an `optional` field in this protocol version
        return bool(getattr(request, name))


def qualified_type(urn: str) -> str:
    return urn.split("::")[2]


class RecordingMonitor(MockMonitor):
    """Registers resources under real-engine URNs and records what the engine would persist.

    The stock monitor prefixes `pulumi:pulumi:Stack$` to the type of every child of the stack and
    keeps only the last parent type; the engine omits the root stack and keeps the full chain
    (`parent$qualified$type`). Resources without an explicit provider get the engine's default
    provider (`pulumi:providers:<pkg>::default_<version>`), configured from `<pkg>:*` config keys.
    """

    def __init__(self, env: Environment, on_register: Callable[[Registration], None] | None = None,
                 stack_outputs: dict[str, dict[str, Any]] | None = None,
                 resolver: InvokeResolver | None = None):
        super().__init__(OfflineMocks(env))
        self.resolver = resolver  # None: every invoke outside the table fails the plan
        self.env = env
        self.records: list[Registration] = []
        self.by_urn: dict[str, Registration] = {}
        self.stack_urn = ""
        self.stack_outputs: struct_pb2.Struct | None = None
        self.errors: list[str] = []
        self.invokes: list[str] = []
        self._referenced_stacks = stack_outputs or {}
        self._lock = threading.Lock()
        self._providers_lock = threading.Lock()
        self._on_register = on_register

    # -- identity ---------------------------------------------------------------------------------
    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent and parent != self.stack_urn and qualified_type(parent) != STACK_TYPE:
            type_ = f"{qualified_type(parent)}${type_}"
        return f"urn:pulumi:{self.env.stack}::{self.env.project}::{type_}::{name}"

    def _default_provider(self, package: str, version: str) -> str:
        suffix = ("_" + version.replace(".", "_").replace("-", "_")) if version else ""
        urn = f"urn:pulumi:{self.env.stack}::{self.env.project}::pulumi:providers:{package}::default{suffix}"
        # Resources register from the SDK's thread pool: the first two of a package must not both create
        # its default provider (the second would fail as a duplicate URN).
        with self._providers_lock:
            return self._default_provider_locked(urn, package, version, suffix)

    def _default_provider_locked(self, urn: str, package: str, version: str, suffix: str) -> str:
        with self._lock:
            existing = self.by_urn.get(urn)
        if existing is None:
            inputs = {k: v for k, v in self.env.provider_config.get(package, {}).items()}
            if version:
                inputs["version"] = version
            struct = struct_pb2.Struct()
            struct.update(inputs)
            existing = Registration(
                urn=urn, type=f"pulumi:providers:{package}", name=f"default{suffix}", custom=True,
                parent=self.stack_urn, provider="", id=str(uuid.UUID(hashlib.md5(urn.encode()).hexdigest())),
                inputs=struct, outputs=dict(inputs), version=version,
            )
            self._record(existing)
        return f"{existing.urn}::{existing.id}"

    def _record(self, registration: Registration) -> None:
        with self._lock:
            if registration.urn in self.by_urn:
                raise OfflineEngineError(
                    f"duplicate resource URN {registration.urn}: two resources of type {registration.type} "
                    f"are named {registration.name!r} under the same parent"
                )
            self.records.append(registration)
            self.by_urn[registration.urn] = registration
            self.resources[registration.urn] = MockMonitor.ResourceRegistration(
                registration.urn, registration.id, registration.outputs)
        if self._on_register is not None:
            self._on_register(registration)

    def _fail(self, message: str) -> OfflineEngineError:
        with self._lock:
            self.errors.append(message)
        return OfflineEngineError(message)

    # -- resource monitor RPCs --------------------------------------------------------------------
    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE and not request.parent:
            self.stack_urn = urn
            self._record(Registration(urn=urn, type=STACK_TYPE, name=request.name, custom=False,
                                      parent="", provider=""))
            return resource_pb2.RegisterResourceResponse(urn=urn)

        ensure_event_loop()
        provider = request.provider
        if request.custom and not provider and not request.type.startswith("pulumi:providers:"):
            provider = self._default_provider(request.type.split(":", 1)[0], request.version)

        # The provider sees (and echoes back as outputs) the id or URN of a resource passed as an input,
        # not a reference; deserializing a reference here would also construct a Resource on this
        # executor thread's event loop, whose getResource RPC the program's loop then cannot await.
        inputs = rpc.deserialize_properties(for_analyzer(request.object))
        resource_id, state = synthesize_outputs(self.env, request.type, request.name, urn, inputs,
                                                bool(request.custom))
        if request.remote:
            # A multi-language component (awsx, eks): the engine has its provider Construct it and
            # returns what Construct returns; offline nobody constructs it, so every output is unknown
            # (the SDK resolves outputs missing from a preview response as unknown).
            state = {}
            if self.resolver is not None:
                self.resolver.unanswered.append(Unanswered(
                    "construct", request.type, {"name": request.name},
                    "multi-language component: its children and outputs are unknown offline"))
        if request.importId:
            resource_id = request.importId
        registration = Registration(
            urn=urn, type=request.type, name=request.name, custom=bool(request.custom),
            parent=request.parent, provider=provider, id=resource_id,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            inputs=settle_unknowns(request.object), outputs=state,
            protect=_optional_bool(request, "protect"),
            retain_on_delete=_optional_bool(request, "retainOnDelete"),
            ignore_changes=list(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            aliases=([json_format.MessageToDict(a) for a in request.aliases] if request.aliases else [])
            + list(request.aliasURNs),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            custom_timeouts={k: v for k in ("create", "update", "delete")
                             if (v := getattr(request.customTimeouts, k))},
            version=request.version,
        )
        self._record(registration)
        obj_proto = sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=obj_proto)

    def RegisterResourceOutputs(self, request):
        if request.urn == self.stack_urn:
            self.stack_outputs = settle_unknowns(request.outputs)
        return empty_pb2.Empty()

    def ReadResource(self, request):
        ensure_event_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:StackReference":
            name = request.id or rpc.deserialize_properties(request.properties).get("name", request.name)
            outputs = self._referenced_stacks.get(name)
            if outputs is None:
                raise self._fail(
                    f"StackReference '{name}' has no outputs: pass --stack-outputs {name}=FILE")
            state = {"name": name, "outputs": outputs, "secretOutputNames": []}
            self._record(Registration(urn=urn, type=request.type, name=request.name, custom=True,
                                      parent=request.parent, provider=request.provider, id=name,
                                      inputs=request.properties, outputs=state))
            props = sync_await(rpc.serialize_properties(state, {}))
            return resource_pb2.ReadResourceResponse(urn=urn, properties=props)
        if self.resolver is not None and not self.resolver.strict:
            # As preview does for a read it skips: no id, no state; the SDK resolves every output
            # unknown (pulumi/runtime/resource.py read_resource, rpc.resolve_outputs in a dry run).
            # The id the program passed is known (a read looks a resource up by it); its state is not.
            self.resolver.unknown_read(request.type, request.name, request.id)
            known_id = request.id if request.id and UNKNOWN not in request.id else ""
            return resource_pb2.ReadResourceResponse(urn=urn, id=known_id)
        raise self._fail(
            f"reading existing resource {request.type} '{request.name}' (id {request.id!r}) needs a cloud; "
            "the offline engine cannot look it up. Pass its attributes through stack config instead."
        )

    def Invoke(self, request):
        with self._lock:
            self.invokes.append(request.tok)
        resolver = self.resolver
        if resolver is None or request.tok == "pulumi:pulumi:getResource":
            try:
                return super().Invoke(request)
            except OfflineEngineError as exc:
                raise self._fail(str(exc)) from None
        ensure_event_loop()
        args = rpc.deserialize_properties(request.args)
        # Arguments computed from an unanswered invoke are unknown, and so is the result, as the SDK
        # has it for unknown arguments (pulumi/runtime/invoke.py: struct_contains_unknowns).
        if not contains_unknown(args):
            answered = resolver.answer(request.tok, args)  # --invoke-answers, then pure functions
            if answered is not None:
                ret = sync_await(rpc.serialize_properties(answered[0], {}))
                return resource_pb2.ResourceInvokeResponse(**{"return": ret})
            try:
                return super().Invoke(request)  # the documented table (mocks.INVOKES)
            except OfflineEngineError as exc:
                if resolver.strict:
                    raise self._fail(str(exc)) from None
        elif resolver.strict:
            raise self._fail(f"invoke '{request.tok}' has arguments computed from an unanswered invoke")
        result = resolver.unknown(request.tok, args)
        if result is None:  # no result type to fill: the SDK makes the whole result unknown
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        ret = sync_await(rpc.serialize_properties(result, {}))
        return resource_pb2.ResourceInvokeResponse(**{"return": ret})

    def Call(self, request):
        raise self._fail(f"method call '{request.tok}' has no offline answer")
