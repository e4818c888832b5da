"""Finds every rule: each module under rules/ defines exactly one `RULE`."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from functools import lru_cache

from .rule import ResourceRule, StackRule


@lru_cache(maxsize=1)
def all_rules() -> tuple[ResourceRule | StackRule, ...]:
    import rules

    found: dict[str, ResourceRule | StackRule] = {}
    for info in pkgutil.walk_packages(rules.__path__, prefix="rules."):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, (ResourceRule, StackRule)):
            raise TypeError(f"{info.name}: a rule module must define RULE (a ResourceRule or StackRule)")
        expected = info.name.rsplit(".", 1)[1].replace("_", "-")
        if rule.name != expected:
            raise TypeError(f"{info.name}: rule name {rule.name!r} must match its file name ({expected!r})")
        if rule.name in found:
            raise TypeError(f"duplicate rule name {rule.name!r}")
        # rules.<area>.<rule_name>: the folder is the area the guardrail table groups rules by.
        area = info.name.split(".")[1] if info.name.count(".") >= 2 else ""
        found[rule.name] = dataclasses.replace(rule, area=area)
    return tuple(found[name] for name in sorted(found))
