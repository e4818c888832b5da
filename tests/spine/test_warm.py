"""lz/engine/warm.py: what a directory's sources import from outside it, imported ahead of a fork
(the many-stack parent, lz/multi.py; a policy pack's fork server, lz/engine/packfork.py)."""

from __future__ import annotations

import pytest

from lz.engine.warm import external_imports


@pytest.mark.parametrize(("files", "expected"), [
    # The directory's own modules and packages are not imported ahead: they run in each forked process.
    ({"__main__.py": "import rules\nfrom lzpolicy.registry import all_rules\nimport pulumi_policy\n",
      "lzpolicy/registry.py": "import yaml\nfrom . import rule\n", "rules/__init__.py": ""},
     ["pulumi_policy", "yaml"]),
    # A package without __init__.py (a namespace package) is the directory's own too.
    ({"__main__.py": "import nsdir.mod\nimport json\n", "nsdir/mod.py": "import os\n"}, ["json", "os"]),
    # `from m import n` names m and m.n (n may be a lazily loaded submodule); relative imports are local.
    ({"__main__.py": "from pulumi_policy import PolicyPack\nimport google.protobuf.struct_pb2\nfrom . import x\n"},
     ["pulumi_policy", "pulumi_policy.PolicyPack", "google.protobuf.struct_pb2"]),
    # Attribute chains through an alias reach the SDKs' lazy submodules.
    ({"__main__.py": "import pulumi_aws as aws\nvpc = aws.ec2.Vpc('v')\n"}, ["pulumi_aws", "pulumi_aws.ec2.Vpc"]),
    # A file that does not parse is skipped, not fatal: the process that runs it reports it.
    ({"__main__.py": "import json\n", "broken.py": "def (:\n"}, ["json"]),
    # Virtualenvs, tests and nested projects are not the directory's program.
    ({"__main__.py": "import json\n", "venv/lib/site.py": "import secret_lib\n", "tests/t.py": "import pytest\n",
      "sub/Pulumi.yaml": "name: sub\n", "sub/__main__.py": "import other\n"}, ["json"]),
])
def test_external_imports(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert external_imports(tmp_path) == expected
