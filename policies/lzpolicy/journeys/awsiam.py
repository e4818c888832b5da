"""AWS IAM evaluation for the journey steps: a role's identity policies (managed, inline, attached)
intersected with its permissions boundary; Allow with no unconditional Deny."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any

from .. import policydoc
from ..props import UnknownValueError
from ..rule import ResourceView, StackView
from ..types import IAM_POLICY_ATTACHMENTS
from .model import (
    IAM_MANAGED_POLICY,
    IAM_ROLE_POLICY,
    Unknown,
)


def _names_role(r: ResourceView, prop: str, role: ResourceView) -> bool:
    """`r.prop` is `role`: computed from it, or its known name given literally."""
    name = role.known("name")
    return r.depends_on(role.urn, prop) or (isinstance(name, str) and r.known(prop) == name)


def _documents_of_role(view: StackView, role: ResourceView) -> list[Any]:
    docs: list[Any] = [p.get("policy") for p in role.known("inlinePolicies", default=[]) or [] if isinstance(p, dict)]
    for rp in view.of_type(*IAM_ROLE_POLICY):
        if _names_role(rp, "role", role):
            docs.append(rp.get("policy"))
    policies = view.of_type(*IAM_MANAGED_POLICY)
    for att in view.of_type(*IAM_POLICY_ATTACHMENTS):
        if not (_names_role(att, "role", role) or att.depends_on(role.urn, "roles")):
            continue
        for policy in view.referenced(att, "policyArn", *IAM_MANAGED_POLICY) or [
                p for p in policies if p.known("arn") and p.known("arn") == att.known("policyArn")]:
            docs.append(policy.get("policy"))
    return docs


def _boundary_documents(view: StackView, role: ResourceView) -> list[Any] | None:
    """The permissions boundary's document(s), [] when the boundary is an AWS-managed policy whose text
    is not in the plan, None when the role has no boundary."""
    if not role.is_set("permissionsBoundary"):
        return None
    return [p.get("policy") for p in view.referenced(role, "permissionsBoundary", *IAM_MANAGED_POLICY)]


def statements(doc: Any) -> list[policydoc.Statement]:
    try:
        return policydoc.parse(doc)
    except UnknownValueError as exc:
        raise Unknown("a policy document") from exc


def action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def _resource_matches(patterns: Iterable[str], resource: str) -> bool:
    return any(fnmatch.fnmatchcase(resource, p) for p in patterns)


def _docs_allow(docs: Iterable[Any], action: str, resource: str, *, resource_any: bool = False) -> bool:
    """Allow and no unconditional Deny for (action, resource). With `resource_any`, any Allow of the
    action counts whatever its resources (Auto Scaling groups are named at apply time)."""
    allowed = False
    for doc in docs:
        for st in statements(doc):
            acts = (action_matches(st.actions, action) if st.actions
                    else bool(st.not_actions) and not action_matches(st.not_actions, action))
            if not acts:
                continue
            res = (resource_any and bool(st.resources)) or _resource_matches(st.resources, resource) or (
                bool(st.not_resources) and not _resource_matches(st.not_resources, resource))
            if not res:
                continue
            if st.effect == "Deny" and not st.conditions:
                return False
            if st.allows:
                allowed = True
    return allowed


def role_allows(view: StackView, role: ResourceView, action: str, resource: str, *,
                 resource_any: bool = False) -> bool:
    if not _docs_allow(_documents_of_role(view, role), action, resource, resource_any=resource_any):
        return False
    boundary = _boundary_documents(view, role)
    if boundary:  # the effective permissions are the intersection with the boundary
        return _docs_allow(boundary, action, resource, resource_any=resource_any)
    return True
