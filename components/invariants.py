"""Invariants the config pipeline or a model guarantees, checked where code relies on them.

Unlike `assert`, these hold under `python -O`: a broken invariant is a bug in this project, reported with
what was expected, never a silent `None` passed on to a provider.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class InvariantError(RuntimeError):
    """A value the validated config (or a model) guarantees is missing: a bug, not a user error."""


def present(value: T | None, what: str) -> T:
    """`value`, or an `InvariantError` naming `what` guaranteed it."""
    if value is None or value == "":
        raise InvariantError(f"invariant broken: {what}")
    return value
