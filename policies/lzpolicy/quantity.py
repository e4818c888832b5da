"""Kubernetes resource quantities ("500m", "64", "256Gi", "1e3", "1G") as exact fractions.

https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/ : binary suffixes
Ki Mi Gi Ti Pi Ei, decimal suffixes n u m "" k M G T P E, and decimal exponents (1e3).
"""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
            "P": Fraction(10**15), "E": Fraction(10**18)}
_QUANTITY = re.compile(r"^([+-]?[0-9]*\.?[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE]?)$")


def parse_quantity(value: object) -> Fraction | None:
    """The quantity's value (cores for CPU, bytes for memory, a count otherwise); None if malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Fraction(value).limit_denominator(10**9)
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip())
    if not match:
        return None
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix[:1] in ("e", "E"):
        return number * Fraction(10) ** int(suffix[1:])
    return number * _DECIMAL[suffix]


def show(value: Fraction, resource: str) -> str:
    """A quantity for a message: cores as a decimal, memory in Gi, counts as integers."""
    if resource.endswith("memory") or resource.endswith("storage"):
        gib = value / _BINARY["Gi"]
        return f"{float(gib):g}Gi"
    return f"{float(value):g}"
