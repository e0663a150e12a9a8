"""preflight's side of the host fork server (preflight/host_zygote.py): one per program interpreter and run.

`ForkServers.get(python, env)` starts the server on first use; `spawn(...)` returns a process handle that
ProgramHost drives as it drives a Popen (pid, stdout, poll, wait), or None when the server cannot fork
(not started, dead, or refusing): ProgramHost then starts the host the ordinary way. `learn(modules)`
forwards the modules a host reported, for the server to import before the next fork.

PREFLIGHT_FORK_HOSTS=0 turns it off: every host is then a fresh interpreter, as before.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

ENV = "PREFLIGHT_FORK_HOSTS"
PACKAGE_DIR = Path(__file__).resolve().parent


def enabled() -> bool:
    return os.environ.get(ENV, "1") != "0"


class ForkedProcess:
    """A host forked by the server: the subset of Popen that ProgramHost uses."""

    def __init__(self, server: "ForkServer", pid: int, stdout) -> None:
        self._server, self.pid, self.stdout = server, pid, stdout
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        if self.returncode is None:
            self.returncode = self._server.status(self.pid)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        code = self._server.status(self.pid, deadline=deadline, block=True)
        if code is None:
            raise subprocess.TimeoutExpired("forked program host", timeout or 0)
        self.returncode = code
        return code


class ForkServer:
    def __init__(self, python: str, env: dict[str, str], on_start: Callable[[int], None]) -> None:
        self._path_dir = tempfile.TemporaryDirectory(prefix="preflight-forks-")
        os.symlink(PACKAGE_DIR, Path(self._path_dir.name) / "preflight")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**env, "PYTHONPATH": self._path_dir.name, "PYTHONDONTWRITEBYTECODE": "1"}
        self._cond = threading.Condition()
        self._replies: list[dict] = []
        self._exits: dict[int, int] = {}
        self._children: set[int] = set()
        self._loaded: set[str] = set()
        self._send_lock = threading.Lock()
        self._alive = True
        try:
            self.proc = subprocess.Popen([python, "-u", "-m", "preflight.host_zygote", str(theirs.fileno())],
                                         env=env, cwd=self._path_dir.name, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         pass_fds=(theirs.fileno(),), start_new_session=True)
        except OSError:
            self._alive = False
            ours.close()
            return
        finally:
            theirs.close()
        on_start(self.proc.pid)
        self._sock = ours
        threading.Thread(target=self._read, name="preflight-fork-server", daemon=True).start()

    def _read(self) -> None:
        try:
            while (msg := self._sock.recv(1 << 16)):
                body = json.loads(msg)
                with self._cond:
                    if "exit" in body:
                        self._exits[body["exit"]] = os.waitstatus_to_exitcode(body["status"])
                    else:
                        self._replies.append(body)
                    self._cond.notify_all()
        except OSError:
            pass
        with self._cond:
            self._alive = False
            self._cond.notify_all()

    def learn(self, modules: list[str]) -> None:
        new = [m for m in modules if m not in self._loaded]
        if new and self._alive:
            self._loaded.update(new)
            self._send({"op": "preload", "modules": new})

    def spawn(self, job: dict, cwd: str, env: dict[str, str], frames_fd: int, answers_fd: int
              ) -> Optional[ForkedProcess]:
        """A host forked for `job`, writing its frames on `frames_fd`, reading answers on `answers_fd`."""
        out_read, out_write = os.pipe()
        try:
            with self._send_lock:
                with self._cond:
                    if not self._alive:
                        return None
                try:
                    socket.send_fds(self._sock, [json.dumps({"op": "run", "job": job, "cwd": cwd, "env": env})
                                                 .encode()], [out_write, frames_fd, answers_fd])
                except OSError:
                    return None
                with self._cond:
                    self._cond.wait_for(lambda: self._replies or not self._alive, timeout=30)
                    reply = self._replies.pop(0) if self._replies else None
                    if reply is None:       # no answer in time: a late one must never pair with another job
                        self._alive = False
        finally:
            os.close(out_write)
        if reply is None or "pid" not in reply:
            os.close(out_read)
            return None
        with self._cond:
            self._children.add(reply["pid"])
        return ForkedProcess(self, reply["pid"], os.fdopen(out_read, "rb"))

    def status(self, pid: int, deadline: Optional[float] = None, block: bool = False) -> Optional[int]:
        with self._cond:
            while pid not in self._exits and block and self._alive:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cond.wait(left)
            if pid in self._exits:
                return self._exits[pid]
            if not self._alive:
                return -9           # the server is gone; its children were killed with their groups
            return None

    def _send(self, body: dict) -> None:
        with self._send_lock:
            try:
                self._sock.send(json.dumps(body).encode())
            except OSError:
                pass

    def close(self) -> None:
        """After the hosts were closed: waits for the server to reap them, then stops it."""
        if "proc" not in self.__dict__:
            self._path_dir.cleanup()
            return
        deadline = time.monotonic() + 2
        with self._cond:
            self._cond.wait_for(lambda: self._children <= set(self._exits) or not self._alive,
                                timeout=max(0.0, deadline - time.monotonic()))
        try:
            self._sock.shutdown(socket.SHUT_RDWR)   # wakes our reader; the server reads its end and exits
        except OSError:
            pass
        self._sock.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
        self._path_dir.cleanup()


class ForkServers:
    """One fork server per program interpreter for the whole run (every stack of a program shares one)."""

    def __init__(self, on_start: Callable[[int], None]) -> None:
        self._on_start = on_start
        self._servers: dict[str, ForkServer] = {}
        self._lock = threading.Lock()

    def get(self, python: str, env: dict[str, str]) -> Optional[ForkServer]:
        if not enabled():
            return None
        with self._lock:
            if python not in self._servers:
                self._servers[python] = ForkServer(python, env, self._on_start)
            return self._servers[python]

    def close(self) -> None:
        with self._lock:
            servers, self._servers = list(self._servers.values()), {}
        for server in servers:
            server.close()
