"""Starts the program host (preflight/host.py) in its own process and follows it to the end.

The CLI runs a program in a language host process, never inside the engine; so does
preflight. That gives a program a fresh interpreter (its own virtualenv when the project
names one), and gives preflight what it needs to never hang or be fooled: a time limit,
a process group to kill, and a protocol that ends with `done` or `error` — a host that
stops without either has not finished, whatever its exit status.

A StackReference is a question from the host (`stack_reference`), answered on a second pipe by
`on_reference(name)` from a thread of its own: it may wait for another stack of the run to finish.
The time spent waiting is not the program's: `--program-timeout` counts without it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from preflight.fork_server import ForkServers
from preflight.monitor import Registration
from preflight.program import ProgramError, ProgramSpec, fold
from preflight.wire import FrameWriter, read_frame, registration_of

PACKAGE_DIR = Path(__file__).resolve().parent


class ProgramTimeout(ProgramError):
    pass


class _GraceOver(Exception):
    pass


@dataclass
class HostedRun:
    registrations: dict[str, Registration]
    unanswered_invokes: list[str] = field(default_factory=list)
    stack_references: list[str] = field(default_factory=list)
    accounts: dict[str, Optional[str]] = field(default_factory=dict)
    schema: dict = field(default_factory=dict)    # the host's provider-input-schema result (SchemaResult JSON)


def _no_answer(name: str) -> Optional[dict]:
    return None


class ProgramHost:
    """One program run. `on_register` is called (from a reader thread) for each custom registration;
    `on_reference(name)` (from a thread of its own) answers a StackReference: the referenced stack's
    StackReference state, or None when preflight has none (the reference is then listed). `schema=False`
    leaves out the host's provider-input-schema check (a known-parts run: the preview's check holds)."""

    def __init__(self, spec: ProgramSpec, mode: str, *, python: str,
                 on_register: Callable[[Registration], None], on_start: Callable[[int], None],
                 on_reference: Callable[[str], Optional[dict]] = _no_answer,
                 extra_env: Optional[dict[str, str]] = None, forks: Optional[ForkServers] = None,
                 schema: bool = True) -> None:
        self.spec, self._on_register, self._on_reference = spec, on_register, on_reference
        self._done: Optional[dict] = None
        self._error: Optional[dict] = None
        self._reader_error: Optional[BaseException] = None
        self._abort: Optional[BaseException] = None
        self._output: list[bytes] = []
        self._pause_lock = threading.Lock()
        self._paused = 0.0                          # seconds spent waiting for answers, finished waits
        self._pausing: dict[int, float] = {}        # waits under way: id -> start
        self._path_dir = tempfile.TemporaryDirectory(prefix="preflight-host-")
        # Only preflight itself joins the program's interpreter, never the site-packages it came from.
        os.symlink(PACKAGE_DIR, Path(self._path_dir.name) / "preflight")
        read_fd, write_fd = os.pipe()
        answer_read, answer_write = os.pipe()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env["PYTHONPATH"] = self._path_dir.name
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self._server = forks.get(python, dict(env)) if forks is not None else None
        env.update(extra_env or {})
        job = {"spec": spec.to_json(), "mode": mode, "schema": schema}
        forked = self._server.spawn(job, str(spec.directory), env, write_fd, answer_read) \
            if self._server is not None else None
        try:
            self.proc = forked or subprocess.Popen(
                [python, "-u", "-m", "preflight.host", str(write_fd), str(answer_read)], cwd=spec.directory,
                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(write_fd, answer_read), start_new_session=True)
        except OSError as e:
            for fd in (read_fd, write_fd, answer_read, answer_write):
                os.close(fd)
            self._path_dir.cleanup()
            raise ProgramError(f"cannot start the program's interpreter {python}: {e.strerror}") from None
        finally:
            if "proc" in self.__dict__:
                os.close(write_fd)
                os.close(answer_read)
        on_start(self.proc.pid)
        self._answers = FrameWriter(answer_write)
        self._answers_lock = threading.Lock()
        self._frames = os.fdopen(read_fd, "rb", buffering=1 << 16)
        self._reader = threading.Thread(target=self._read, name="preflight-program", daemon=True)
        self._reader.start()
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()
        if forked is not None:
            return
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(job).encode())
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the host died at once: wait() reports how

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        try:
            while (frame := read_frame(self._frames)) is not None:
                kind, body = frame["kind"], frame["body"]
                if kind == "registration":
                    self._on_register(registration_of(body))
                elif kind == "modules":
                    if self._server is not None:
                        self._server.learn(body)
                elif kind == "stack_reference":
                    threading.Thread(target=self._answer, args=(body,), name="preflight-reference",
                                     daemon=True).start()
                elif kind == "done":
                    self._done = body
                    return
                elif kind == "error":
                    self._error = body
                    return
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread by wait()
            self._reader_error = e

    def _answer(self, question: dict) -> None:
        ident = question["id"]
        with self._pause_lock:
            self._pausing[ident] = time.monotonic()
        try:
            outputs = self._on_reference(question["name"])
        except BaseException as e:  # noqa: BLE001 - e.g. a reference cycle: the run of this program ends here
            self._abort = e
            self.kill()
            return
        finally:
            with self._pause_lock:
                self._paused += time.monotonic() - self._pausing.pop(ident)
        try:
            with self._answers_lock:
                self._answers.send("answer", {"id": ident, "outputs": outputs})
        except (OSError, ValueError):
            pass  # the host is gone (stopped, or closed): wait() says why

    def _waited(self) -> tuple[float, bool]:
        """(seconds spent waiting for answers, whether a wait is under way now)."""
        with self._pause_lock:
            now = time.monotonic()
            return self._paused + sum(now - t for t in self._pausing.values()), bool(self._pausing)

    def _read_output(self) -> None:
        assert self.proc.stdout is not None
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            self._output.append(chunk)

    def output(self) -> str:
        return b"".join(self._output).decode(errors="replace")

    def wait(self, timeout: float, check: Callable[[], None] = lambda: None,
             own_error_grace: float = 0.0) -> HostedRun:
        """The finished run; raises ProgramError (or what `check` raises) and never waits past `timeout`.
        When `check` raises, a program that ends in an error of its own within `own_error_grace` seconds has
        that error raised instead (one cause, e.g. an interpreter without the SDK, then gives one line
        whichever process noticed it first)."""
        failed: list[BaseException] = []

        def checked() -> None:
            try:
                check()
            except BaseException as e:
                failed.append(e)
                raise
        try:
            return self._wait(timeout, checked)
        except BaseException as e:
            if not failed or e is not failed[0] or own_error_grace <= 0:
                raise
            end = time.monotonic() + own_error_grace

            def grace() -> None:       # a wall-clock bound, even while the program waits for an answer
                if time.monotonic() > end:
                    raise _GraceOver()
            try:
                self._wait(own_error_grace, grace)
            except (ProgramTimeout, _GraceOver):
                pass                    # still running: what `check` raised stands
            except ProgramError as own:
                raise own from None
            raise e

    def _wait(self, timeout: float, check: Callable[[], None]) -> HostedRun:
        deadline = time.monotonic() + timeout
        while self._reader.is_alive():
            check()
            waited, waiting = self._waited()
            if not waiting and time.monotonic() >= deadline + waited:
                self.kill()
                raise ProgramTimeout(f"the program did not finish within {timeout:g}s "
                                     "(--program-timeout); it was stopped")
            self._reader.join(0.05)
        if self._abort is not None:
            raise self._abort
        if self._reader_error is not None:
            raise self._reader_error
        if self._error is not None:
            raise ProgramError(self._error["message"], self._error.get("location"))
        if self._done is None:
            status = self._exit_status()
            last = fold(self.output().strip().splitlines()[-1]) if self.output().strip() else ""
            raise ProgramError(f"the program ended before it finished ({status})" + (f": {last}" if last else ""))
        done = self._done
        return HostedRun(registrations={b["urn"]: registration_of(b) for b in done["registrations"]},
                         unanswered_invokes=done["unanswered_invokes"],
                         stack_references=done["stack_references"], accounts=done["accounts"],
                         schema=done.get("schema") or {})

    def _exit_status(self) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it closed its channel and kept running"
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exit status {code}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """Always: the host ends itself after `done`, but leftovers of its group go too."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.kill()
        self._drain.join(timeout=2)
        with self._answers_lock:
            try:
                self._answers.close(end=True)
            except (OSError, ValueError):
                pass
        self._frames.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._path_dir.cleanup()


def program_python(virtualenv: Optional[Path], program_dir: Path,
                   progress: Callable[[str], None] = lambda s: None, install: bool = False) -> str:
    """The interpreter of the project's virtualenv, else the python on PATH, as the language host picks it.
    A virtualenv that is not there is refused as `pulumi preview` refuses it (toolchain pip.go
    NewVirtualEnvError), or with `install` built from the program's requirements.txt as `pulumi install`
    builds it (toolchain InstallDependencies, run in the program's directory), as the pack's is."""
    from preflight.pack_env import PackEnvError, base_python, ensure_venv, is_venv
    try:
        if virtualenv is None:
            return base_python()
        if install:
            ensure_venv(virtualenv, program_dir, progress=progress, owner="Pulumi.yaml", whose="the program's")
    except PackEnvError as e:
        raise ProgramError(str(e)) from None
    if not is_venv(virtualenv):
        state = "doesn't exist" if not virtualenv.exists() else "doesn't appear to be a virtual environment"
        raise ProgramError(f"The 'virtualenv' option in Pulumi.yaml is set to {str(virtualenv)!r}, but it {state}; "
                           f"run `pulumi install` (or preflight --install) to create it from {program_dir}/"
                           "requirements.txt")
    return str(virtualenv / "bin" / "python")
