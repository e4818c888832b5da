"""lz/engine/packfork.py: the fork server that starts Python policy packs for many stacks in one run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lz.engine.packfork import PackForkServer

PROBE = textwrap.dedent('''
    import json, os, sys, time
    sys.stderr.write("to stderr\\n")
    sys.stdout.buffer.write(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "env": os.environ.get("PROBE"),
                                        "home": os.environ.get("HOME"), "path0": sys.path[0]}).encode() + b"\\n")
    if "--exit" in sys.argv:
        sys.exit(int(sys.argv[-1]))
    time.sleep(60)
''')


@pytest.fixture
def server(tmp_path):
    (tmp_path / "probe_module.py").write_text(PROBE)
    server = PackForkServer(tmp_path)
    server.wait_ready()
    yield server
    server.close()


def test_a_forked_process_gets_exactly_the_command_directory_environment_and_streams(server, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    child = server.launch([sys.executable, "-u", "-m", "probe_module", "engine:1", str(tmp_path)], work,
                          {"PROBE": "stack-a"})
    seen = json.loads(child.stdout.readline())  # unbuffered, unflushed write, as the pack's port is
    assert seen == {"argv": ["engine:1", str(tmp_path)], "cwd": str(work), "env": "stack-a", "home": None,
                    "path0": str(tmp_path)}
    assert child.poll() is None
    child.terminate()
    assert child.wait(timeout=5) == -15
    assert child.stderr.read() == b"to stderr\n"  # every write end closed: the reader sees the end


def test_a_process_that_exits_is_seen_as_ended(server, tmp_path):
    child = server.launch([sys.executable, "-u", "-m", "probe_module", "--exit", "3"], tmp_path, {})
    json.loads(child.stdout.readline())
    assert child.wait(timeout=5) == 0  # reaped by the server (its parent), so the status is not ours
    assert child.poll() == 0


def test_a_server_that_cannot_start_says_so(tmp_path):
    # A pack directory with a package of its own called `lz` shadows the fork server's module: the run
    # then starts that pack as a process of its own (lz/multi.py), as a single plan does.
    (tmp_path / "lz").mkdir()
    (tmp_path / "lz" / "__init__.py").write_text("raise ImportError('not the toolkit')\n")
    server = PackForkServer(tmp_path)
    with pytest.raises(OSError, match="did not start(.|\n)*not the toolkit"):
        server.wait_ready()
    with pytest.raises(OSError):
        PackForkServer(tmp_path / "missing")


def test_closing_the_server_leaves_no_socket(server):
    directory = Path(server.socket_path).parent
    server.close()
    deadline = time.monotonic() + 5
    while directory.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not directory.exists()
    assert server.process.poll() is not None


def test_the_server_ends_when_the_run_that_started_it_is_gone(tmp_path):
    # A run killed outright (SIGKILL) cannot close its server: the server notices it has been orphaned.
    (tmp_path / "probe_module.py").write_text(PROBE)
    starter = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from lz.engine.packfork import PackForkServer
        server = PackForkServer(Path({str(tmp_path)!r}))
        server.wait_ready()
        print(server.process.pid, flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", starter], capture_output=True, text=True, timeout=60, check=True)
    pid = int(out.stdout)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail(f"fork server {pid} outlived the process that started it")
