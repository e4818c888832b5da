"""Kubernetes objects as the tenancy rules see them: namespaces and the objects placed in them."""

from __future__ import annotations

from .rule import ResourceView, StackView

SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"]


def namespace_name(ns: ResourceView) -> str | None:
    """The namespace's name; None when it is auto-named and not known yet."""
    value = ns.known("metadata", "name")
    return value if isinstance(value, str) else None


def objects_in(view: StackView, ns: ResourceView, *types: str) -> list[ResourceView]:
    """Objects of `types` placed in namespace `ns`: their `metadata.namespace` is computed from the
    Namespace resource (a property dependency) or names it."""
    name = namespace_name(ns)
    return [o for o in view.of_type(*types)
            if o.depends_on(ns.urn, "metadata") or (name is not None and o.known("metadata", "namespace") == name)]


def exempt(ns: ResourceView, names: list[str]) -> bool:
    return namespace_name(ns) in names
