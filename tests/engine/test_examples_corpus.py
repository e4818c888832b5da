"""Opt-in: plan the Python programs of a pulumi/examples checkout (bench/examples_corpus.py).

    LZ_EXAMPLES_CHECKOUT=/path/to/examples .venv/bin/python -m pytest tests/engine/test_examples_corpus.py

Slow (each program in a fresh process, the first run of each also creates its environment), so it runs
only when a checkout is named. None may crash; each plans (exit 0/1 with steps) or is refused in one line.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import pytest

from lz.testing import ROOT

pytestmark = pytest.mark.e2e

CHECKOUT = os.environ.get("LZ_EXAMPLES_CHECKOUT")
_spec = importlib.util.spec_from_file_location("examples_corpus", ROOT / "bench" / "examples_corpus.py")
corpus = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]


@pytest.mark.skipif(not CHECKOUT, reason="set LZ_EXAMPLES_CHECKOUT to a pulumi/examples checkout to run the corpus")
def test_every_python_example_plans_or_is_refused_in_one_line():
    checkout = Path(CHECKOUT).resolve()  # type: ignore[arg-type]
    programs = corpus.projects(checkout)
    assert len(programs) >= 30
    with tempfile.TemporaryDirectory(prefix="lz-corpus-") as scratch:
        rows = [corpus.plan_one(p, checkout, Path(scratch)) for p in programs]
    crashed = [(r["program"], r["message"]) for r in rows if r["result"] == "CRASH"]
    assert not crashed
    assert sum(1 for r in rows if r["result"] == "planned") >= 30, corpus.table(rows)


def test_the_stack_file_holds_provider_settings_and_readme_config():
    assert corpus.stack_file("aws-py-static-website", "site") == {"config": {
        "aws:region": "us-west-2", "site:targetDomain": "www.example.com", "site:pathToWebsiteContents": "www"}}
    assert corpus.stack_file("kubernetes-py-nginx", "nginx") == {"config": {}}
