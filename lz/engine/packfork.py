"""Start Python policy packs by forking a warm interpreter: many stacks in one run pay the pack's
interpreter start and third-party imports once.

The engine starts a Python pack as `python -u -m pulumi.policy <engine-address> <pack-dir>` in the pack's
directory, with the stack in its environment (PULUMI_CONFIG, PULUMI_STACK, ...). A single plan does exactly
that (lz/engine/analyzer.py). `lz plan STACK STACK...` starts one *fork server* per pack instead: the same
interpreter, started the same way (`python -u -m lz.engine.packfork <socket>`, cwd the pack directory, so
`sys.path[0]` is the pack directory as under `-m pulumi.policy`), that imports only the third-party
modules the pack's sources name (the Pulumi SDK, pulumi_policy, grpc, pydantic...) and runs none of the
pack's own code. For each stack it forks a process that takes the stack's environment, arguments and
standard streams, then runs `pulumi.policy` as `-m` would: the pack's `__main__.py` and its own modules
run there, fresh, with that stack's environment, exactly as in a process of its own.

gRPC and fork: the server imports grpc but creates no channel or server before forking, which gRPC
Python supports ("if the application only instantiate gRPC Python objects after calling fork(), then
fork() will work normally", grpc/grpc doc/fork_support.md); each pack creates its server after the fork.

This module is the fork server's `__main__` too, so it imports only the standard library (and
lz/engine/warm.py, which does too) at the top.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import IO, Any

from .warm import import_prefixes, warm

#: What `pulumi.policy`'s own `__main__` imports; every Python pack pays for these.
_RUNTIME_MODULES = ("argparse", "runpy", "pulumi", "pulumi.runtime", "pulumi_policy")
_HEADER = struct.Struct("!I")  # the length of the JSON request that follows the descriptors


def _warm(pack_dir: Path) -> None:
    """Import what every Python pack imports (`pulumi.policy`'s own modules) and what this pack's sources
    import from outside the pack (lz/engine/warm.py). A module that cannot be imported here (it needs the
    pack's own sys.path changes, or is missing) is left for the pack to import, and to report, for real."""
    for name in _RUNTIME_MODULES:
        import_prefixes(name)
    warm(pack_dir)


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("the client closed the connection mid-request")
        data += chunk
    return data


def _run_pack(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked process: become `python -u -m pulumi.policy ARGS` for one stack, then exit."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (devnull, *fds):
            os.close(fd)
        # `-u`: unbuffered binary stdout and stderr (the pack writes its port to stdout.buffer, unflushed).
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [request["module"], *request["args"]]
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - printed to the pack's stderr, which the plan reports
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(socket_path: str) -> None:
    """The fork server: warm up, then fork one pack process per request until the listener closes."""
    pack_dir = Path.cwd()
    sys.path[0] = str(pack_dir)  # as under `python -m`: the working directory, as a full path
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    _warm(pack_dir)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the pack processes
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    parent = os.getppid()
    listener.settimeout(1.0)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the run that started it is gone (killed, say): so is the server
                return
            continue
        with conn:
            header, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 2)
            if len(header) < _HEADER.size or len(fds) != 2:
                for fd in fds:
                    os.close(fd)
                continue
            (size,) = _HEADER.unpack(header)
            request = json.loads(_recv_exact(conn, size))
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                _run_pack(request, fds)
            for fd in fds:
                os.close(fd)
            conn.sendall(f"{pid}\n".encode())


class ForkedPack:
    """A pack process forked by a fork server: what PolicyPack uses of `subprocess.Popen`. The fork
    server, not this process, is its parent (and reaps it): it has ended once its pid is gone, with
    the signal this object sent it (negative, as Popen reports it), else 0."""

    def __init__(self, pid: int, stdout: IO[bytes], stderr: IO[bytes]) -> None:
        self.pid, self.stdout, self.stderr = pid, stdout, stderr
        self.returncode: int | None = None
        self._sent = 0

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -self._sent
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"policy pack process {self.pid}", timeout or 0.0)
            time.sleep(0.01)
        return code

    def _signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
                self._sent = sig

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)


class PackForkServer:
    """A running fork server for one pack directory (started by `lz plan STACK STACK...`)."""

    def __init__(self, pack_dir: Path, python: str | None = None) -> None:
        self.pack_dir = pack_dir.resolve()
        self._tmp = tempfile.mkdtemp(prefix="lz-packfork-")
        self.socket_path = os.path.join(self._tmp, "server.sock")
        self.process = subprocess.Popen(
            [python or sys.executable, "-u", "-m", "lz.engine.packfork", self.socket_path], cwd=self.pack_dir,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def wait_ready(self) -> None:
        """Wait until the server has warmed up and listens; OSError if it could not start."""
        line = self.process.stdout.readline().decode().strip() if self.process.stdout else ""
        if line != "ready":
            stderr = self.process.stderr.read().decode() if self.process.stderr else ""
            self.close()
            raise OSError(f"the policy pack fork server for {self.pack_dir} did not start:\n{line}\n{stderr}".rstrip())

    def launch(self, cmd: list[str], cwd: Path, env: dict[str, str]) -> ForkedPack:
        """Fork a process that runs `cmd` (`python -u -m MODULE ARGS...`) in `cwd` with exactly `env`."""
        module_at = cmd.index("-m") + 1
        request = json.dumps({"module": cmd[module_at], "args": cmd[module_at + 1:], "cwd": str(cwd),
                              "env": env}).encode()
        self._wait_listening()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(self.socket_path)  # accepted once the server has warmed up
                socket.send_fds(conn, [_HEADER.pack(len(request))], [out_w, err_w])
                conn.sendall(request)
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = conn.recv(64)
                    if not chunk:
                        raise OSError(f"the policy pack fork server for {self.pack_dir} ended")
                    reply += chunk
        except BaseException:
            for fd in (out_r, err_r):
                os.close(fd)
            raise
        finally:
            os.close(out_w)
            os.close(err_w)
        return ForkedPack(int(reply), os.fdopen(out_r, "rb"), os.fdopen(err_r, "rb"))

    def _wait_listening(self, timeout: float = 60.0) -> None:
        """Wait for the server's socket: a plan may ask before the server has bound it. Liveness is read
        with a null signal, not `Popen.poll()`: a forked plan is not the server's parent."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.socket_path):
            try:
                os.kill(self.process.pid, 0)
            except ProcessLookupError:
                raise OSError(f"the policy pack fork server for {self.pack_dir} ended") from None
            if time.monotonic() > deadline:
                raise OSError(f"the policy pack fork server for {self.pack_dir} did not listen in {timeout:.0f} s")
            time.sleep(0.005)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
