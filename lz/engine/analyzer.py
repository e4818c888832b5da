"""Run CrossGuard policy packs the way the Pulumi engine does: as their own process, over gRPC.

The engine starts a Python pack as `python -u -m pulumi.policy <engine-address> <pack-dir>`; the
pack prints the port of its Analyzer service and the engine calls GetAnalyzerInfo, Configure,
ConfigureStack, then Analyze for each resource as it is registered and AnalyzeStack at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import jsonschema
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from components.yamlio import safe_load

from . import nodepack
from .monitor import Registration
from .packfork import ForkedPack, PackForkServer
from .project import StackConfig
from .refs import for_analyzer

ENFORCEMENT = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
ENFORCEMENT_BY_NAME = {v: k for k, v in ENFORCEMENT.items()}
_MAX_MESSAGE = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE),
                    ("grpc.max_send_message_length", _MAX_MESSAGE)]


class PolicyPackError(Exception):
    """A pack that cannot start, or a pack config it rejects (exit code 2)."""


@dataclass(frozen=True)
class Violation:
    policy_pack: str
    policy_name: str
    enforcement_level: str
    message: str
    urn: str
    description: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"policyPack": self.policy_pack, "policyName": self.policy_name,
                "enforcementLevel": self.enforcement_level, "message": self.message, "urn": self.urn,
                "description": self.description}


class _Engine(engine_pb2_grpc.EngineServicer):
    """The slice of the Engine service a policy pack may call back into: logging."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, str]] = []
        self._root = ""

    def Log(self, request, context):
        self.messages.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):
        return engine_pb2.GetRootResourceResponse(urn=self._root)

    def SetRootResource(self, request, context):
        self._root = request.urn
        return engine_pb2.SetRootResourceResponse()


class EngineServer:
    def __init__(self) -> None:
        self.engine = _Engine()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=_CHANNEL_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.stop(0)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def duration_seconds(text: str) -> float:
    """A Go duration as Pulumi custom timeouts are written ("1h30m", "5m") in seconds."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise PolicyPackError(f"custom timeout {text!r} is not a duration like 5m or 1h30m")
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def _own_message(message: str, description: str) -> str:
    """pulumi_policy sends "<description>\n<message>"; the engine shows the two apart, and so do we."""
    prefix = description + "\n"
    return message[len(prefix):] if description and message.startswith(prefix) else message


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(values)
    return out


def load_pack_config(path: Path) -> dict[str, Any]:
    """A `--policy-pack-config` file: `{"all": level, "<policy>": level | {enforcementLevel, ...}}`."""
    try:
        text = path.read_text()
        data = json.loads(text) if path.suffix == ".json" else safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise PolicyPackError(f"{path}: cannot read policy pack config: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyPackError(f"{path}: policy pack config must be an object of policy name to settings")
    return data


#: Fork servers by pack directory (lz/engine/packfork.py), set up by `lz plan STACK STACK...` before it
#: forks a process per stack; empty for a single plan, whose pack starts as a process of its own.
FORK_SERVERS: dict[Path, PackForkServer] = {}

_VALIDATORS: dict[str, Any] = {}


def _validator(schema: dict[str, Any]) -> Any:
    """A validator for a policy's config schema, the schema itself checked against its metaschema once.

    `jsonschema.validate` re-checks the schema on every call (about 3 ms each); a pack's rules mostly
    share one schema, so a pack of 123 rules paid 0.4 s of CPU for the same check, on the thread that
    runs the program."""
    key = json.dumps(schema, sort_keys=True)
    if key not in _VALIDATORS:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _VALIDATORS[key] = cls(schema)
    return _VALIDATORS[key]


class PolicyPack:
    """One running pack process and its Analyzer client."""

    def __init__(self, pack_dir: Path, engine: EngineServer, project: str, stack: str,
                 config: StackConfig, python: str | None = None):
        self.dir = pack_dir.resolve()
        if not (self.dir / "PulumiPolicy.yaml").exists():
            raise PolicyPackError(f"{self.dir}: not a policy pack (no PulumiPolicy.yaml)")
        env = dict(os.environ)
        env.update({
            "PULUMI_CONFIG": json.dumps(config.values),
            "PULUMI_CONFIG_SECRET_KEYS": json.dumps(config.secret_keys),
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true",
            "PYTHONUNBUFFERED": "1",
        })
        if nodepack.is_node(self.dir):  # runtime: nodejs: run-policy-pack from the pack's node_modules
            try:
                cmd = nodepack.command(self.dir, engine.address)
            except nodepack.NodePackError as exc:
                raise PolicyPackError(str(exc)) from None
            env.update(nodepack.environment(project, stack))
        else:
            cmd = [python or sys.executable, "-u", "-m", "pulumi.policy", engine.address, str(self.dir)]
        server = FORK_SERVERS.get(self.dir) if python is None and not nodepack.is_node(self.dir) else None
        forked: ForkedPack | None = None
        if server is not None:  # many stacks in one run: the same command, forked from a warm interpreter
            with contextlib.suppress(OSError):  # a server that could not start: a process of its own
                forked = server.launch(cmd, self.dir, env)
        self.process: subprocess.Popen[bytes] | ForkedPack = forked or subprocess.Popen(
            cmd, cwd=self.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.process.stdout.readline().decode().strip() if self.process.stdout else ""
        if not line.isdigit():
            stderr = self.process.stderr.read().decode() if self.process.stderr else ""
            self.process.kill()
            raise PolicyPackError(f"policy pack {self.dir} did not start:\n{line}\n{stderr}".rstrip())
        self._stderr: list[str] = []
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{line}", options=_CHANNEL_OPTIONS)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        self.info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        manifest = safe_load((self.dir / "PulumiPolicy.yaml").read_text()) or {}
        # As the CLI does: a Python pack's version comes from PulumiPolicy.yaml (the SDK reports 0.0.1).
        self.version = str(manifest.get("version") or self.info.version)
        self.plugin_version = self.stub.GetPluginInfo(empty_pb2.Empty()).version
        self.policies = {p.name: p for p in self.info.policies}
        self.levels: dict[str, str] = {}
        self.stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization="organization", dry_run=True,
            config=config.values, config_secret_keys=config.secret_keys))
        self._pending: list[tuple[str, grpc.Future]] = []

    def _drain(self) -> None:
        stderr = self.process.stderr
        if stderr is None:  # started with stderr=PIPE; nothing to drain otherwise
            return
        for raw in stderr:
            self._stderr.append(raw.decode(errors="replace"))

    @property
    def name(self) -> str:
        return self.info.name

    def configure(self, file_config: dict[str, Any], source: str = "policy pack config") -> None:
        """Resolve enforcement levels and properties as the engine does, validate them against each
        policy's config schema, and send them with Configure."""
        unknown = sorted(set(file_config) - set(self.policies) - {"all"})
        if unknown:
            raise PolicyPackError(f"{source}: {', '.join(unknown)}: no such policy in pack {self.name} "
                                  f"(policies: {', '.join(sorted(self.policies))})")
        all_level = file_config.get("all")
        if isinstance(all_level, dict):
            all_level = all_level.get("enforcementLevel")
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, policy in self.policies.items():
            level = ENFORCEMENT[policy.enforcementLevel]
            properties: dict[str, Any] = {}
            schema = json_format.MessageToDict(policy.configSchema.properties) if policy.configSchema else {}
            for prop, prop_schema in schema.items():
                if isinstance(prop_schema, dict) and "default" in prop_schema:
                    properties[prop] = prop_schema["default"]
            initial = self.info.initialConfig.get(name) if name in self.info.initialConfig else None
            if initial is not None:
                if initial.enforcementLevel:
                    level = ENFORCEMENT[initial.enforcementLevel]
                properties.update(json_format.MessageToDict(initial.properties))
            if all_level:
                level = all_level
            entry = file_config.get(name)
            if isinstance(entry, str):
                level = entry
            elif isinstance(entry, dict):
                entry = dict(entry)
                level = entry.pop("enforcementLevel", level)
                properties.update(entry)
            if level not in ENFORCEMENT_BY_NAME:
                raise PolicyPackError(f"{source}: {name}: enforcementLevel must be one of "
                                      f"{', '.join(ENFORCEMENT_BY_NAME)} (got {level!r})")
            if schema:
                full_schema = {"type": "object", "properties": schema,
                               "required": list(policy.configSchema.required), "additionalProperties": False}
                error = jsonschema.exceptions.best_match(_validator(full_schema).iter_errors(properties))
                if error is not None:  # what jsonschema.validate would raise, one schema check per schema
                    where = ".".join(str(p) for p in error.absolute_path) or "(root)"
                    raise PolicyPackError(f"{source}: {name}.{where}: {error.message}")
            self.levels[name] = level
            request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(
                enforcementLevel=ENFORCEMENT_BY_NAME[level], properties=_struct(properties)))
        self.stub.Configure(request)

    # -- analysis ---------------------------------------------------------------------------------
    def violations_from(self, response: analyzer_pb2.AnalyzeResponse, default_urn: str) -> list[Violation]:
        return [Violation(policy_pack=d.policyPackName or self.name, policy_name=d.policyName,
                          enforcement_level=ENFORCEMENT.get(d.enforcementLevel, "advisory"),
                          message=_own_message(d.message, d.description), urn=d.urn or default_urn,
                          description=d.description)
                for d in response.diagnostics]

    @staticmethod
    def analyzer_options(r: Registration) -> analyzer_pb2.AnalyzerResourceOptions:
        timeouts = (analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            **{k: duration_seconds(v) for k, v in r.custom_timeouts.items()}) if r.custom_timeouts else None)
        return analyzer_pb2.AnalyzerResourceOptions(
            protect=r.protect, ignoreChanges=r.ignore_changes, deleteBeforeReplace=r.delete_before_replace,
            deleteBeforeReplaceDefined=r.delete_before_replace,
            additionalSecretOutputs=r.additional_secret_outputs,
            aliases=[a for a in r.aliases if isinstance(a, str)], customTimeouts=timeouts, parent=r.parent)

    def analyzer_provider(self, r: Registration, records: dict[str, Registration]) -> analyzer_pb2.AnalyzerProviderResource | None:
        if not r.provider:
            return None
        provider = records.get(r.provider.rsplit("::", 1)[0])
        if provider is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(type=provider.type, properties=for_analyzer(provider.inputs),
                                                     urn=provider.urn, name=provider.name)

    def analyze_async(self, r: Registration, records: dict[str, Registration]) -> None:
        """Send Analyze without waiting: gRPC's core carries the call, so the program thread (which
        holds the GIL most of the time) never waits for the pack. Errors surface in collect()."""
        request = analyzer_pb2.AnalyzeRequest(type=r.type, properties=for_analyzer(r.inputs), urn=r.urn, name=r.name,
                                              options=self.analyzer_options(r), provider=self.analyzer_provider(r, records))
        self._pending.append((r.urn, self.stub.Analyze.future(request)))

    def collect(self) -> list[Violation]:
        out: list[Violation] = []
        for urn, call in self._pending:
            out.extend(self.violations_from(call.result(), urn))
        self._pending.clear()
        return out

    def analyze_stack(self, records: list[Registration]) -> list[Violation]:
        by_urn = {r.urn: r for r in records}
        resources = [analyzer_pb2.AnalyzerResource(
            type=r.type, properties=for_analyzer(r.inputs), urn=r.urn, name=r.name, options=self.analyzer_options(r),
            provider=self.analyzer_provider(r, by_urn), parent=r.parent, dependencies=r.dependencies,
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in r.property_dependencies.items()},
        ) for r in records]
        response = self.stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
        return self.violations_from(response, "")

    def close(self) -> None:
        for _, call in self._pending:
            call.cancel()
        self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    @property
    def stderr(self) -> str:
        """What the pack printed to stderr; all of it once the process has exited."""
        if self.process.poll() is not None:
            self._drainer.join(timeout=5)
        return "".join(self._stderr)


