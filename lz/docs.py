"""Keep generated documentation true: `python -m lz.docs` rewrites the generated sections, a test checks them.

Generated sections are marked `<!-- NAME:start -->` ... `<!-- NAME:end -->`: the guardrail table in
docs/guardrails.md (from the pack); the benchmark figures in docs/engine.md are written by hand from
`make bench` output and only checked for presence.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUARDRAILS_DOC = ROOT / "docs" / "guardrails.md"
ENGINE_DOC = ROOT / "docs" / "engine.md"


def guardrails_markdown() -> str:
    from .policies_cmd import DEFAULT_PACK, environment_levels, load_rules, render_markdown

    rules = load_rules(DEFAULT_PACK)
    return render_markdown(rules, environment_levels(DEFAULT_PACK, rules)).strip()


def section(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    if match is None:
        raise ValueError(f"no <!-- {name}:start --> ... <!-- {name}:end --> section")
    return match.group(1).strip()


def replace_section(text: str, name: str, body: str) -> str:
    section(text, name)  # it must exist
    return re.sub(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
                  lambda m: f"{m.group(1)}{body}\n{m.group(2)}", text, flags=re.S)


def main() -> int:
    GUARDRAILS_DOC.write_text(replace_section(GUARDRAILS_DOC.read_text(), "guardrails", guardrails_markdown()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
