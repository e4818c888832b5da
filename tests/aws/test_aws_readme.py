"""The example in components/aws/README.md runs, and its assertions hold."""

from __future__ import annotations

import re

from lz.testing import ROOT

README = ROOT / "components" / "aws" / "README.md"


def test_readme_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1
    exec(compile(blocks[0], str(README), "exec"), {"__name__": "readme_example"})
