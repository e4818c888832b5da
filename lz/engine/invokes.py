"""Invokes the offline engine cannot answer from a cloud: pure functions, user answers, unknowns.

A real `pulumi preview` calls the provider for every invoke whose arguments are known and gets the
cloud's answer. Offline there is no cloud, so, in this order:

1. **Answers the user supplied** (`--invoke-answers FILE`) win.
2. **Pure functions** (`PURE`) compute their result from their arguments exactly as the provider
   does, since nothing outside the arguments is read (`aws.iam.get_policy_document`).
3. The engine's **documented table** (`lz.engine.mocks.INVOKES`) answers a few environment lookups.
4. Anything else returns what preview shows for a value it cannot know: **unknown**. Every output
   field of the function's result type (from the provider SDK) is the unknown sentinel, which the
   SDK turns into `pulumi.output.Unknown` during a preview; a resource input built from it is
   serialized as unknown, so the plan shows `[unknown]` where a value depends on the cloud.
   Each such invoke is listed in the plan. `--strict` refuses instead, naming the token.
"""

from __future__ import annotations

import importlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class InvokeAnswersError(Exception):
    """An `--invoke-answers` file that cannot be used (exit code 2)."""


# --- answers supplied by the user ----------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    token: str
    args: dict[str, Any] | None  # None: any arguments
    result: dict[str, Any]

    def matches(self, token: str, args: dict[str, Any]) -> bool:
        if token != self.token:
            return False
        return self.args is None or all(args.get(k) == v for k, v in self.args.items())


@dataclass
class InvokeAnswers:
    """`--invoke-answers FILE`: token -> result, or token -> [{args: {...}, result: {...}}, ...].

    Arguments and results use the invoke's wire names (camelCase, as `pulumi preview --json` shows
    them). An entry's `args` must equal the invoke's arguments on every key it names; the first
    matching entry answers. A token mapped to a bare object answers every call of that token.
    """

    answers: list[Answer] = field(default_factory=list)
    source: str = ""

    def find(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        for answer in self.answers:
            if answer.matches(token, args):
                return answer.result
        return None


def load_invoke_answers(path: Path) -> InvokeAnswers:
    try:
        text = path.read_text()
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InvokeAnswersError(f"{path}: cannot read invoke answers: {exc}") from None
    if not isinstance(doc, dict):
        raise InvokeAnswersError(f"{path}: must be a mapping of invoke token to result "
                                 "(or to a list of {args, result})")
    answers: list[Answer] = []
    for token, spec in doc.items():
        if not isinstance(token, str) or token.count(":") < 2:
            raise InvokeAnswersError(f"{path}: {token!r}: not an invoke token like aws:ec2/getAmi:getAmi")
        entries = spec if isinstance(spec, list) else [{"result": spec}]
        for i, entry in enumerate(entries):
            where = f"{path}: {token}[{i}]" if isinstance(spec, list) else f"{path}: {token}"
            if not isinstance(entry, dict) or not isinstance(entry.get("result"), dict):
                raise InvokeAnswersError(f"{where}.result: must be an object of result fields")
            args = entry.get("args")
            if args is not None and not isinstance(args, dict):
                raise InvokeAnswersError(f"{where}.args: must be an object of invoke arguments")
            unknown_keys = set(entry) - {"args", "result"}
            if isinstance(spec, list) and unknown_keys:
                raise InvokeAnswersError(f"{where}: unknown keys {sorted(unknown_keys)}; allowed: args, result")
            answers.append(Answer(token=token, args=args, result=entry["result"]))
    return InvokeAnswers(answers=answers, source=str(path))


# --- pure functions ------------------------------------------------------------------------------

def _go_json(value: Any, indent: bool) -> str:
    """encoding/json output: HTML-safe escapes, sorted map keys, two-space MarshalIndent."""
    text = (json.dumps(value, indent=2, ensure_ascii=False) if indent
            else json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _decode_strings(values: list[str]) -> Any:
    # policyDecodeConfigStrings: the single element as a string, else sorted in reverse order.
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _replace_vars(value: Any) -> Any:
    # dataSourcePolicyDocumentVarReplacer: "&{" becomes "${" (Terraform's escape for IAM variables).
    if isinstance(value, str):
        return value.replace("&{", "${")
    return [v.replace("&{", "${") for v in value]


def _principals(blocks: list[dict[str, Any]]) -> Any:
    # iamPolicyStatementPrincipalSet.MarshalJSON: {"*": ["*"]} alone is "*"; else type -> ids.
    if len(blocks) == 1 and blocks[0].get("type") == "*" and sorted(blocks[0].get("identifiers") or []) == ["*"]:
        return "*"
    raw: dict[str, Any] = {}
    for block in blocks:
        ids = _replace_vars(_decode_strings(list(block.get("identifiers") or [])))
        kind = block["type"]
        current = raw.get(kind)
        if isinstance(ids, list):
            raw[kind] = ([] if current is None else [current] if isinstance(current, str) else current) + ids
        elif current is None:
            raw[kind] = ids
        else:
            raw[kind] = ([current] if isinstance(current, str) else current) + [ids]
    return dict(sorted(raw.items()))


def _conditions(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    # iamPolicyStatementConditionSet.MarshalJSON: test -> variable -> values, single values flattened.
    raw: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        raw.setdefault(block["test"], {}).setdefault(block["variable"], []).extend(
            _replace_vars(list(block.get("values") or [])))
    return {test: {var: vals[0] if len(vals) == 1 else vals for var, vals in sorted(variables.items())}
            for test, variables in sorted(raw.items())}


def _statement(cfg: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}  # field order of iamPolicyStatement; empty fields omitted
    if cfg.get("sid"):
        out["Sid"] = cfg["sid"]
    out["Effect"] = cfg.get("effect") or "Allow"
    for key, name, replace in (("actions", "Action", False), ("notActions", "NotAction", False),
                               ("resources", "Resource", True), ("notResources", "NotResource", True)):
        values = sorted(set(cfg.get(key) or []))  # a TypeSet: duplicates collapse
        if values:
            decoded = _decode_strings(values)
            out[name] = _replace_vars(decoded) if replace else decoded
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if cfg.get(key):
            out[name] = _principals(cfg[key])
    if cfg.get("conditions"):
        out["Condition"] = _conditions(cfg["conditions"])
    return out


def _merge(doc: dict[str, Any], new: dict[str, Any]) -> None:
    # iamPolicyDoc.Merge: adopt Id, upgrade Version, replace statements with the same Sid.
    if new.get("Id"):
        doc["Id"] = new["Id"]
    if new.get("Version", "") > doc.get("Version", ""):
        doc["Version"] = new["Version"]
    statements = doc.setdefault("Statement", [])
    for statement in new.get("Statement") or []:
        sid = statement.get("Sid")
        for i, existing in enumerate(statements):
            if sid and existing.get("Sid") == sid:
                statements[i] = statement
                break
        else:
            statements.append(statement)


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: doc[k] for k in ("Version", "Id", "Statement") if doc.get(k)}
    return out


def aws_policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """`aws.iam.get_policy_document`, computed as the provider computes it (hashicorp/terraform-provider-aws
    internal/service/iam/policy_document_data_source.go and policy_model.go): source documents merged,
    then the statements, then override documents; `json` indented, `minifiedJson` compact, `id` the
    CRC-32 of `json` (create.StringHashcode)."""
    merged: dict[str, Any] = {}
    for source in args.get("sourcePolicyDocuments") or []:
        if source:
            _merge(merged, json.loads(source))
    version = args.get("version") or "2012-10-17"
    doc: dict[str, Any] = {"Version": version}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    if args.get("statements"):
        doc["Statement"] = [_statement(s) for s in args["statements"]]
    _merge(merged, doc)
    for override in args.get("overridePolicyDocuments") or []:
        if override:
            _merge(merged, json.loads(override))
    final = _ordered(merged)
    text = _go_json(final, indent=True)
    statements = [{**s, "effect": s.get("effect") or "Allow"} for s in args.get("statements") or []]
    result = {"id": str(zlib.crc32(text.encode())), "json": text, "minifiedJson": _go_json(final, indent=False),
              "version": version, "statements": statements}
    for key in ("policyId", "sourcePolicyDocuments", "overridePolicyDocuments"):
        if args.get(key) is not None:
            result[key] = args[key]
    return result


#: Invokes whose result depends only on their arguments: computed, never unknown.
PURE: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "aws:iam/getPolicyDocument:getPolicyDocument": aws_policy_document,
}


# --- unknown results -----------------------------------------------------------------------------

#: What a string field of an unanswered invoke's result holds. The SDK turns the bare sentinel into
#: `pulumi.output.Unknown` during a preview, which the typed result classes reject
#: ("Expected argument 'arn' to be a str"); this string passes them, flows through the program like
#: any string (f-strings included), and the recording monitor turns every input string containing
#: it into the unknown sentinel, as preview would show a value computed from an unknown.
UNKNOWN_TEXT = f"[unknown {UNKNOWN}]"


def result_types(token: str) -> dict[str, Any] | None:
    """Wire name -> Python type of the fields of an invoke's result type, from the provider's Python
    SDK (`pulumi_aws.ec2.GetAmiResult` for `aws:ec2/getAmi:getAmi`); None when the SDK has none."""
    from pulumi import _types

    try:
        package, module, function = token.split(":", 2)
    except ValueError:
        return None
    module_path = module.split("/")[0]
    base = f"pulumi_{package.replace('-', '_')}"
    names = [base] if module_path in ("index", "") else [f"{base}.{module_path.replace('-', '_')}", base]
    class_name = function[:1].upper() + function[1:] + "Result"
    for name in names:
        try:
            sdk = importlib.import_module(name)
        except ImportError:
            continue
        cls = getattr(sdk, class_name, None)
        if isinstance(cls, type) and _types.is_output_type(cls):
            return dict(_types.output_type_types(cls))
    return None


def _fits(value: Any, typ: Any) -> bool:
    """Whether an echoed argument has the result field's type (the provider converts it; lz does not:
    `most_recent="true"` is no bool, and the typed result would reject it)."""
    import typing

    if typ in (str, bool, int, float):
        return isinstance(value, typ) and not (typ is int and isinstance(value, bool))
    origin = typing.get_origin(typ)
    if origin is not None and getattr(origin, "__name__", "") in ("Sequence", "list", "List"):
        return isinstance(value, list)
    if origin is not None and getattr(origin, "__name__", "") in ("Mapping", "dict", "Dict"):
        return isinstance(value, dict)
    return False


def unknown_result(token: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """The result of an invoke nobody can answer offline: arguments echoed where the result has a field
    of the same name (data sources return their arguments), every other string field unknown
    (`UNKNOWN_TEXT`), every other field absent (None: the typed result accepts nothing else). None when
    the SDK has no result type."""
    types = result_types(token)
    if types is None:
        return None
    result: dict[str, Any] = {}
    for name, typ in types.items():
        if name in args and args[name] is not None and _fits(args[name], typ):
            result[name] = args[name]
        elif typ is str:
            result[name] = UNKNOWN_TEXT
    return result


def contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return UNKNOWN in value
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def unknown_paths(value: Any, prefix: str = "") -> list[str]:
    """Property paths (`tags.Name`, `ingress[0].cidrBlocks`) whose value is unknown, in wire form."""
    if isinstance(value, str):
        return [prefix or "(value)"] if UNKNOWN in value else []
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "4dabf18193072939515e22adb298388d":  # a secret's signature
                continue
            path = prefix if key == "value" and "4dabf18193072939515e22adb298388d" in value else (
                f"{prefix}.{key}" if prefix else key)
            out.extend(unknown_paths(item, path))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(unknown_paths(item, f"{prefix}[{i}]"))
    return out


# --- the monitor's hook --------------------------------------------------------------------------

@dataclass(frozen=True)
class Unanswered:
    """An invoke or read the plan could not answer: its result is unknown in the plan."""

    kind: str   # "invoke", "read" or "construct" (a multi-language component nobody constructs offline)
    token: str  # invoke token, or resource type for a read
    args: dict[str, Any]
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "token": self.token, "args": self.args}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class InvokeResolver:
    """What the recording monitor asks before its table: user answers, pure functions; and what it
    returns after the table has no answer: unknown results, or a refusal under `strict`."""

    answers: InvokeAnswers = field(default_factory=InvokeAnswers)
    strict: bool = False
    unanswered: list[Unanswered] = field(default_factory=list)

    def answer(self, token: str, args: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
        supplied = self.answers.find(token, args)
        if supplied is not None:
            return supplied, "answers"
        pure = PURE.get(token)
        if pure is not None:
            return pure(args), "pure"
        return None

    def unknown(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The result preview shows for an invoke it cannot answer (recorded); None: wholly unknown."""
        result = unknown_result(token, args)
        self.unanswered.append(Unanswered("invoke", token, _plain(args),
                                          "" if result is not None else "no result type in the provider SDK"))
        return result

    def unknown_read(self, type_: str, name: str, resource_id: str) -> None:
        known = resource_id and resource_id != UNKNOWN
        self.unanswered.append(Unanswered("read", type_, {"name": name, "id": resource_id if known else "[unknown]"},
                                          "state of an existing resource" if known else "id unknown during preview"))


def _plain(value: Any) -> Any:
    """Arguments as JSON can show them (Unknown objects and resources as `[unknown]` / their repr)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return "[unknown]" if value == UNKNOWN else value
    return "[unknown]" if type(value).__name__ == "Unknown" else repr(value)


def unknowns_summary(records: list[Any], unanswered: list[Unanswered]) -> dict[str, Any]:
    """What the plan cannot know: each unanswered invoke and read, and every input property that is
    unknown (`[unknown]` in preview), by URN, as wire-format paths."""
    properties: dict[str, list[str]] = {}
    for record in records:
        paths = sorted(unknown_paths(record.wire_inputs))
        if paths:
            properties[record.urn] = paths
    return {
        "invokes": [u.as_json() for u in unanswered if u.kind == "invoke"],
        "reads": [u.as_json() for u in unanswered if u.kind == "read"],
        "components": [u.as_json() for u in unanswered if u.kind == "construct"],
        "properties": properties,
    }


_UNKNOWN_BYTES = UNKNOWN.encode()


def settle_unknowns(props: Any) -> Any:
    """A registration's wire properties with every string that contains the unknown sentinel (an
    unanswered invoke's `UNKNOWN_TEXT`, or text built from it) replaced by the sentinel itself: the
    value the engine would see as unknown. The Struct is returned as is when nothing needs it."""
    from google.protobuf import struct_pb2

    if not isinstance(props, struct_pb2.Struct) or _UNKNOWN_BYTES not in props.SerializeToString():
        return props
    out = struct_pb2.Struct()
    for key, value in props.fields.items():
        out.fields[key].CopyFrom(_settle(value))
    return out


def _settle(value: Any) -> Any:
    from google.protobuf import struct_pb2

    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return struct_pb2.Value(string_value=UNKNOWN) if UNKNOWN in value.string_value else value
    out = struct_pb2.Value()
    if kind == "struct_value":
        out.struct_value.SetInParent()
        for key, item in value.struct_value.fields.items():
            out.struct_value.fields[key].CopyFrom(_settle(item))
        return out
    if kind == "list_value":
        out.list_value.SetInParent()
        for item in value.list_value.values:
            out.list_value.values.add().CopyFrom(_settle(item))
        return out
    return value
