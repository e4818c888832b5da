"""The program's own dependencies, provided as the Pulumi CLI provides them (lz/engine/deps.py)."""

from __future__ import annotations

import json
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from lz.cli import main
from lz.engine import deps
from lz.engine.deps import DependencyError, Requirement, canonical, needed, program_site_dirs, requirements

PY = f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.mark.parametrize("files, expected", [
    ({"requirements.txt": "pulumi>=3.0.0,<4.0.0\n# comment\npulumi_random>=4.2.0  # inline\n\n"
                          "--index-url https://example.invalid/simple\n-e ./local\n-r more.txt\n",
      "more.txt": "boto3==1.42.45\nmysql-connector-python>=1.0.0; python_version>'3'\n"},
     [("pulumi>=3.0.0,<4.0.0", "pulumi"), ("pulumi_random>=4.2.0", "pulumi-random"), ("boto3==1.42.45", "boto3"),
      ("mysql-connector-python>=1.0.0; python_version>'3'", "mysql-connector-python")]),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pulumi>=3", "Pulumi.Random>=4"]\n'},
     [("pulumi>=3", "pulumi"), ("Pulumi.Random>=4", "pulumi-random")]),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\npulumi = "^3.0.0"\nboto3 = ">=1.30"\n'},
     [("pulumi", "pulumi"), ("boto3>=1.30", "boto3")]),
    ({}, []),
])
def test_requirements_as_the_toolchains_declare_them(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert [(r.line, r.name) for r in requirements(tmp_path)] == expected


def test_only_what_lz_lacks_is_installed():
    reqs = [Requirement("pulumi>=3", "pulumi", "r"), Requirement("pulumi_aws<8", canonical("pulumi_aws"), "r"),
            Requirement("pulumi-random>=4", "pulumi-random", "r")]
    assert [r.line for r in needed(reqs, {"pulumi", "pulumi-aws"})] == ["pulumi-random>=4"]
    # lz's own interpreter provides the engine's SDK and providers.
    assert {"pulumi", "pulumi-aws", "pulumi-gcp", "pulumi-kubernetes"} <= deps.provided()


def test_the_projects_own_environment_when_lz_runs_from_it():
    # This repository: runtime.options.virtualenv is .venv, the interpreter running lz.
    assert program_site_dirs(Path(sys.prefix).parent, {"virtualenv": Path(sys.prefix).name}) == []


def _venv(path: Path, python: str = PY, module: str | None = None) -> Path:
    site = path / "lib" / python / "site-packages"
    site.mkdir(parents=True)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\n")
    if module:
        (site / f"{module}.py").write_text("VALUE = 'from the project venv'\n")
    return site


def test_an_existing_virtualenv_is_used(tmp_path):
    site = _venv(tmp_path / "venv", module="lzprobe_venv")
    assert program_site_dirs(tmp_path, {"virtualenv": "venv"}) == [str(site)]


def test_a_virtualenv_of_another_python_is_one_line(tmp_path):
    _venv(tmp_path / "venv", python="python3.7")
    with pytest.raises(DependencyError, match=f"made for python3.7 Python; lz plan runs {PY}"):
        program_site_dirs(tmp_path, {"virtualenv": "venv"})


def _project(tmp_path: Path, program: str, requirements_txt: str | None = None, virtualenv: bool = False) -> Path:
    runtime = "runtime:\n  name: python\n  options:\n    virtualenv: venv\n" if virtualenv else "runtime: python\n"
    (tmp_path / "Pulumi.yaml").write_text(f"name: deps\n{runtime}")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(program))
    if requirements_txt is not None:
        (tmp_path / "requirements.txt").write_text(requirements_txt)
    return tmp_path


PROGRAM = """
    import pulumi
    import {module}
    pulumi.export("value", {module}.VALUE)
"""


@pytest.mark.e2e
def test_a_program_imports_from_its_virtualenv(tmp_path, capsys):
    project = _project(tmp_path, PROGRAM.format(module="lzprobe_venv"), virtualenv=True)
    _venv(tmp_path / "venv", module="lzprobe_venv")
    assert main(["plan", "dev", "-C", str(project), "--no-policy", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["outputs"] == {"value": "from the project venv"}


def _wheel(directory: Path) -> Path:
    """A pure-Python wheel built by hand: installing it needs no index."""
    wheel = directory / "lzprobe_wheel-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("lzprobe_wheel.py", "VALUE = 'from requirements.txt'\n")
        zf.writestr("lzprobe_wheel-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: lzprobe-wheel\nVersion: 1.0\n")
        zf.writestr("lzprobe_wheel-1.0.dist-info/WHEEL",
                    "Wheel-Version: 1.0\nGenerator: lz-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr("lzprobe_wheel-1.0.dist-info/RECORD",
                    "lzprobe_wheel.py,,\nlzprobe_wheel-1.0.dist-info/METADATA,,\n"
                    "lzprobe_wheel-1.0.dist-info/WHEEL,,\nlzprobe_wheel-1.0.dist-info/RECORD,,\n")
    return wheel


@pytest.mark.e2e
def test_an_environment_is_created_from_requirements_and_cached(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LZ_CACHE_DIR", str(tmp_path / "cache"))
    wheel = _wheel(tmp_path)
    project = _project(tmp_path / "p" if (tmp_path / "p").mkdir() is None else tmp_path,
                       PROGRAM.format(module="lzprobe_wheel"),
                       requirements_txt=f"pulumi>=3.0.0,<4.0.0\nlzprobe-wheel @ {wheel.as_uri()}\n")
    assert main(["plan", "dev", "-C", str(project), "--no-policy", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["outputs"] == {"value": "from requirements.txt"}
    assert "creating the program's environment" in captured.err and "lzprobe-wheel @" in captured.err
    # pulumi is lz's own: never installed into the program's environment.
    [env] = (tmp_path / "cache" / "envs").iterdir()
    site = env / "lib" / PY / "site-packages"
    assert (site / "lzprobe_wheel.py").exists() and not (site / "pulumi").exists()
    assert not (project / "venv").exists()  # the project directory is not written to
    # The second plan uses the cached environment.
    assert main(["plan", "dev", "-C", str(project), "--no-policy", "--json", "-"]) == 0
    assert "creating" not in capsys.readouterr().err


@pytest.mark.e2e
def test_a_requirement_that_cannot_be_installed_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LZ_CACHE_DIR", str(tmp_path / "cache"))
    missing = (tmp_path / "nowhere-1.0-py3-none-any.whl").as_uri()
    project = _project(tmp_path, PROGRAM.format(module="nowhere"), requirements_txt=f"nowhere @ {missing}\n")
    assert main(["plan", "dev", "-C", str(project), "--no-policy"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("lz plan: creating")]
    assert len(err) == 1 and err[0].startswith(f"error: {project / 'requirements.txt'}: cannot install the "
                                                f"program's dependencies (nowhere @ {missing}): ")


@pytest.mark.e2e
def test_a_missing_module_is_one_line_without_traceback(tmp_path, capsys):
    project = _project(tmp_path, "import pulumi_not_installed_anywhere\n")
    assert main(["plan", "dev", "-C", str(project), "--no-policy", "--json", "-"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert err == (f"{project / '__main__.py'}: the program imports 'pulumi_not_installed_anywhere', which neither "
                   "lz nor the program's environment provides: add the distribution that provides "
                   f"'pulumi_not_installed_anywhere' to {project / 'requirements.txt'} (or runtime.options.virtualenv)")
