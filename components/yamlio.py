"""YAML reading, in one place: libyaml's safe loader when PyYAML was built with it.

`yaml.CSafeLoader` accepts exactly the safe subset `yaml.SafeLoader` does (same constructor and
resolver; only the scanner and parser are libyaml's C code) and is about 10x faster; the hardware
catalog and the price book are parsed on every plan. PyYAML documents the C loaders in
https://pyyaml.org/wiki/PyYAMLDocumentation ("LibYAML bindings").
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, with libyaml when available; raises `yaml.YAMLError` alike."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader

