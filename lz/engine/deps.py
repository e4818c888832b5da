"""The program's own dependencies, as the Pulumi CLI provides them, for an in-process plan.

The CLI runs a Python program with the interpreter of the project's `runtime.options.virtualenv` and,
when that environment is missing, creates it: `python -m venv DIR`, then `pip install -r
requirements.txt` from the project directory (pulumi/pulumi `sdk/python/toolchain/pip.go`,
`InstallDependencies`); the poetry and uv toolchains install from `pyproject.toml` instead.

`lz plan` runs the program in its own process, so the engine, the mock monitor and the analyzer client
stay lz's own, and with them the `pulumi` SDK and the providers lz has installed (a package cannot be
loaded twice in one interpreter). What the program needs beyond those (`pulumi_random`, `boto3`, ...)
comes from its environment, appended to `sys.path` after lz's own:

- the project's `virtualenv`, when it exists (what `pulumi up` would use);
- otherwise an environment lz creates once and caches under `$LZ_CACHE_DIR` (default
  `~/.cache/lz/envs/`), keyed by the requirements: only the requirements lz's interpreter does not
  already provide are installed, so the cached environment never shadows the engine's SDK, and the
  project directory is never written to (the CLI's own venv, created later, stays complete).

A requirement that cannot be installed, or an interpreter-version mismatch, is one line and exit 2.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - lz requires 3.11
    tomllib = None  # type: ignore[assignment]


class DependencyError(Exception):
    """The program's dependencies cannot be provided (exit code 2)."""


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
PY_VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"


def canonical(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    line: str   # as pip takes it
    name: str   # canonical distribution name
    source: str  # file it came from


def _requirements_txt(path: Path, seen: set[Path] | None = None) -> list[Requirement]:
    seen = seen or set()
    if path in seen:
        return []
    seen.add(path)
    out: list[Requirement] = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            out.extend(_requirements_txt((path.parent / line.split(None, 1)[1]).resolve(), seen))
            continue
        if line.startswith("-"):  # index options, editable installs: not something lz installs
            continue
        match = _NAME.match(line)
        if match:
            out.append(Requirement(line=line, name=canonical(match.group(1)), source=path.name))
    return out


def _poetry_line(name: str, spec: Any) -> str:
    # Poetry's caret/tilde constraints are not PEP 440; the name alone lets pip choose (lz's own
    # distributions are never installed, see `needed`).
    if isinstance(spec, str) and spec.strip() and spec.strip()[0] in "<>=!" and "^" not in spec:
        return f"{name}{spec}"
    return name


def _pyproject(path: Path) -> list[Requirement]:
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DependencyError(f"{path}: cannot read: {exc}") from None
    out: list[Requirement] = []
    for line in (doc.get("project") or {}).get("dependencies") or []:
        match = _NAME.match(line)
        if match:
            out.append(Requirement(line=line, name=canonical(match.group(1)), source=path.name))
    poetry = ((doc.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
    for name, spec in poetry.items():
        if name.lower() != "python":
            out.append(Requirement(line=_poetry_line(name, spec), name=canonical(name), source=path.name))
    return out


def requirements(project_dir: Path) -> list[Requirement]:
    """What the project declares: requirements.txt (pip), else pyproject.toml (poetry, uv)."""
    txt = project_dir / "requirements.txt"
    if txt.exists():
        return _requirements_txt(txt.resolve())
    toml = project_dir / "pyproject.toml"
    if toml.exists():
        return _pyproject(toml)
    return []


def provided() -> set[str]:
    """Distributions lz's own interpreter already has (the engine's SDK and providers among them)."""
    return {canonical(d.metadata["Name"]) for d in importlib.metadata.distributions() if d.metadata["Name"]}


def needed(reqs: list[Requirement], have: set[str] | None = None) -> list[Requirement]:
    have = provided() if have is None else have
    return [r for r in reqs if r.name not in have]


def site_packages(venv: Path) -> Path:
    return venv / "lib" / PY_VERSION / "site-packages"


def cache_root() -> Path:
    return Path(os.environ.get("LZ_CACHE_DIR") or Path.home() / ".cache" / "lz") / "envs"


def env_key(reqs: list[Requirement]) -> str:
    text = "\n".join(sorted(r.line for r in reqs)) + f"\n{PY_VERSION}\n{sys.prefix}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def _pip_failure(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return (errors[0] if errors else lines[-1] if lines else "pip failed").removeprefix("ERROR: ")


def create_env(project_dir: Path, reqs: list[Requirement], say: Callable[[str], None]) -> Path:
    """Create (once) the cached environment holding `reqs`; returns its site-packages."""
    venv = cache_root() / env_key(reqs)
    done = venv / ".lz-complete"
    if done.exists():
        return site_packages(venv)
    names = ", ".join(r.line for r in reqs)
    message = f"creating the program's environment in {venv} (first run only): {names}"
    say(message)
    print(f"lz plan: {message}", file=sys.stderr, flush=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    # As the CLI does: `python -m venv DIR`, then pip install (toolchain/pip.go); lz's own site-packages
    # are visible to pip through a .pth file, so what lz provides is never installed again.
    result = _run([sys.executable, "-m", "venv", str(venv)], project_dir)
    if result.returncode != 0:
        raise DependencyError(f"cannot create a virtual environment at {venv}: {_pip_failure(result.stderr)}")
    own = sysconfig.get_paths()["purelib"]
    (site_packages(venv) / "_lz_engine.pth").write_text(own + "\n")
    result = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                   "--progress-bar", "off", *[r.line for r in reqs]], project_dir)
    if result.returncode != 0:
        source = reqs[0].source if reqs else "requirements"
        raise DependencyError(f"{project_dir / source}: cannot install the program's dependencies "
                              f"({names}): {_pip_failure(result.stderr)}")
    done.write_text(names + "\n")
    return site_packages(venv)


def program_site_dirs(project_dir: Path, runtime_options: dict[str, Any],
                      say: Callable[[str], None] = lambda message: None) -> list[str]:
    """The site-packages directories to append to `sys.path` while the program runs."""
    virtualenv = runtime_options.get("virtualenv")
    if isinstance(virtualenv, str) and virtualenv:
        venv = (project_dir / virtualenv).resolve()
        if venv == Path(sys.prefix).resolve():
            return []  # lz runs from the project's own environment (this repository's .venv)
        if (venv / "bin" / "python").exists() or (venv / "pyvenv.cfg").exists():
            site = site_packages(venv)
            if not site.is_dir():
                found = sorted(p.parent.name for p in (venv / "lib").glob("python*/site-packages"))
                raise DependencyError(f"{venv}: runtime.options.virtualenv was made for {', '.join(found) or 'another'}"
                                      f" Python; lz plan runs {PY_VERSION}: recreate it or remove it")
            return [str(site)]
    reqs = needed(requirements(project_dir))
    if not reqs:
        return []
    return [str(create_env(project_dir, reqs, say))]


def program_failure(exc: BaseException, project: Any, monitor: Any) -> str | None:
    """One line for a program failure the user can act on without a traceback, else None:
    a module the program imports that no environment provides, or a failure after invokes the plan
    could not answer (their results were unknown, which the program may not expect)."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        return (f"{project.program}: the program imports '{exc.name}', which neither lz nor the program's "
                f"environment provides: add the distribution that provides '{top}' to "
                f"{project.dir / 'requirements.txt'} (or runtime.options.virtualenv)")
    resolver = getattr(monitor, "resolver", None)
    unanswered = [u.token for u in getattr(resolver, "unanswered", [])]
    if unanswered:
        where = ""
        tb = exc.__traceback__
        while tb is not None:  # the program's own innermost frame
            if str(tb.tb_frame.f_code.co_filename).startswith(str(project.dir)):
                where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
            tb = tb.tb_next
        return (f"program failed{where} with {type(exc).__name__}: {exc} (note: {len(unanswered)} invoke(s), "
                f"read(s) or component(s) had no offline answer and were unknown in this plan: {', '.join(sorted(set(unanswered)))}; "
                "if the failure comes from one, answer it with --invoke-answers FILE)")
    return None
