"""The README's generated parts match what the code says."""

from lz.docs import README, guardrails_markdown, section


def test_guardrail_table_is_generated_from_the_pack():
    assert section(README.read_text(), "guardrails") == guardrails_markdown(), "run `python -m lz.docs`"


def test_benchmark_section_has_figures():
    bench = section(README.read_text(), "bench")
    assert "synthetic 1000" in bench and "ratio" in bench
