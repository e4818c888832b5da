"""The generated parts of the documentation match what the code says, and the README's links resolve."""

import re

from lz.docs import ENGINE_DOC, GUARDRAILS_DOC, README, ROOT, guardrails_markdown, section


def test_guardrail_table_is_generated_from_the_pack():
    assert section(GUARDRAILS_DOC.read_text(), "guardrails") == guardrails_markdown(), "run `python -m lz.docs`"


def test_benchmark_section_has_figures():
    bench = section(ENGINE_DOC.read_text(), "bench")
    # Every example stack against its floor (bench/plan_bench.py), and the many-stacks run.
    assert all(f"stack {stack}" in bench for stack in ("dev", "prod", "gcp-dev", "gcp-prod", "onprem"))
    assert "ratio" in bench and "in one run" in bench


def test_every_relative_link_in_the_readme_and_docs_resolves():
    for doc in (README, *sorted((ROOT / "docs").glob("*.md"))):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text()):
            assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"
