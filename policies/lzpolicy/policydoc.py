"""AWS IAM policy documents as rules see them: parsed, normalised statements.

Documents arrive as JSON strings (what `json.dumps` or `aws.iam.get_policy_document(...).json`
produce) or, from some programs, as objects. `Action`, `Resource` and `Principal` may be a string
or a list; `Principal` may be "*" or a map of kind (AWS, Service, Federated) to string or list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .props import UnknownValueError, is_unknown

# Condition keys that pin a statement with a wildcard principal to the owner's organisation, account,
# network or calling service; with one of these a `Principal: *` is no longer public.
RESTRICTING_CONDITION_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp", "aws:VpcSourceIp",
    "kms:CallerAccount", "kms:ViaService", "aws:userid", "aws:username",
))


class PolicyDocumentError(ValueError):
    """A policy document that is not valid JSON or not shaped like an IAM policy."""


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()  # "*", or "<Kind>:<value>" such as "AWS:*" or "Service:eks.amazonaws.com"
    not_principals: tuple[str, ...] = ()
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sid: str = ""
    index: int = 0

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        return f"statement '{self.sid}'" if self.sid else f"statement {self.index + 1}"

    @property
    def public_principal(self) -> bool:
        # Allow + NotPrincipal grants everyone except the listed principals.
        return any(p in ("*", "AWS:*") for p in self.principals) or (self.allows and bool(self.not_principals))

    @property
    def restricted_by_condition(self) -> bool:
        keys = {key.lower() for block in self.conditions.values() if isinstance(block, Mapping) for key in block}
        return bool(keys & RESTRICTING_CONDITION_KEYS)

    def condition_values(self, operator_suffix: str, key: str) -> list[str]:
        """Values of `key` under every condition operator ending in `operator_suffix` (case-insensitive),
        e.g. ("Bool", "aws:SecureTransport") matches `Bool` and `ForAnyValue:Bool`."""
        out: list[str] = []
        for operator, block in self.conditions.items():
            if not operator.lower().endswith(operator_suffix.lower()) or not isinstance(block, Mapping):
                continue
            for k, v in block.items():
                if k.lower() == key.lower():
                    out.extend(str(x).lower() for x in (v if isinstance(v, list) else [v]))
        return out


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if is_unknown(value):
        raise UnknownValueError(value, [where])
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise PolicyDocumentError(f"{where} must be a string or a list of strings")


def _principals(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if value == "*":
        return ("*",)
    if isinstance(value, Mapping):
        return tuple(f"{kind}:{v}" for kind, vs in value.items() for v in _strings(vs, f"Principal.{kind}"))
    raise PolicyDocumentError("Principal must be \"*\" or a map of principal kind to values")


def parse(document: Any) -> list[Statement]:
    """Statements of a policy document given as a JSON string or an object; [] for None."""
    if document is None or document == "":
        return []
    if is_unknown(document):
        raise UnknownValueError(document, [])
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise PolicyDocumentError(f"not valid JSON ({exc})") from None
    if not isinstance(document, Mapping):
        raise PolicyDocumentError("a policy document must be a JSON object")
    raw = document.get("Statement", [])
    if is_unknown(raw):
        raise UnknownValueError(raw, ["Statement"])
    raw_statements = raw if isinstance(raw, list) else [raw]
    out: list[Statement] = []
    for i, st in enumerate(raw_statements):
        if not isinstance(st, Mapping):
            raise PolicyDocumentError(f"Statement[{i}] must be an object")
        conditions = st.get("Condition") or {}
        out.append(Statement(
            effect=str(st.get("Effect", "")),
            actions=_strings(st.get("Action"), "Action"),
            not_actions=_strings(st.get("NotAction"), "NotAction"),
            resources=_strings(st.get("Resource"), "Resource"),
            not_resources=_strings(st.get("NotResource"), "NotResource"),
            principals=_principals(st.get("Principal")),
            not_principals=_principals(st.get("NotPrincipal")),
            conditions=conditions if isinstance(conditions, Mapping) else {},
            sid=str(st.get("Sid") or ""),
            index=i,
        ))
    return out


# --- Resource policies: where each resource type keeps its document ------------------------------------------
# One table for every AWS resource whose input is a resource policy that names a `Principal`; the input
# names are pulumi-aws 7.x's (site-packages/pulumi_aws/<module>/<resource>.py, wire names camelCase).
# Read by rules/identity/resource_policy_no_public_principal.py.
def _resource_policy_inputs() -> dict[str, str]:
    from . import types as t

    by_input = {
        "assumeRolePolicy": t.IAM_ROLE,
        "policy": (*t.KMS_KEY, *t.KMS_KEY_POLICY, *t.S3_POLICY, *t.S3_BUCKET, *t.ECR_REPOSITORY_POLICY,
                   *t.ECR_REGISTRY_POLICY, *t.SQS_QUEUE, *t.SQS_QUEUE_POLICY, *t.SNS_TOPIC, *t.SNS_TOPIC_POLICY,
                   *t.EFS_POLICY, *t.SECRET, *t.SECRET_POLICY, *t.BACKUP_VAULT_POLICY),
        "accessPolicies": t.OPENSEARCH_DOMAIN_POLICY,
        "accessPolicy": t.GLACIER_VAULT,
        "policyDocument": t.LOG_RESOURCE_POLICY,
    }
    return {token: prop for prop, tokens in by_input.items() for token in tokens}


RESOURCE_POLICY_INPUTS: dict[str, str] = _resource_policy_inputs()


def public_statements(statements: list[Statement]) -> list[Statement]:
    """Allow statements that any AWS principal can use: `Principal: "*"`, `{"AWS": "*"}` or an Allow with
    `NotPrincipal`, without a condition that pins the caller (RESTRICTING_CONDITION_KEYS)."""
    return [st for st in statements if st.allows and st.public_principal and not st.restricted_by_condition]


def permission_statement(principal: Any, conditions: Mapping[str, Any]) -> Statement:
    """A Lambda permission (`aws.lambda_.Permission`) as the statement Lambda adds to the function's resource
    policy: its `principal`, and its `sourceArn` / `sourceAccount` / `principalOrgId` as the conditions they
    become (AWS Lambda developer guide, "Granting function access to other accounts / services")."""
    if is_unknown(principal):
        raise UnknownValueError(principal, ["principal"])
    block = {k: v for k, v in conditions.items() if v not in (None, "")}
    kind = "Service" if str(principal).endswith(".amazonaws.com") else "AWS"  # a service, else an account or ARN
    return Statement(effect="Allow", principals=("*",) if principal == "*" else (f"{kind}:{principal}",),
                     conditions={"StringEquals": block} if block else {})


__all__ = ["PolicyDocumentError", "RESOURCE_POLICY_INPUTS", "RESTRICTING_CONDITION_KEYS", "Statement", "parse",
           "permission_statement", "public_statements"]
