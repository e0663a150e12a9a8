"""The program host: runs one Pulumi program in its own process, as the CLI's language host does.

preflight starts `python -m preflight.host FD ANSWER_FD` (with the program's interpreter), writes
the job as JSON on stdin, and reads frames from FD: every custom registration as it happens, a
`stack_reference` question per StackReference the program makes, then `done` (every registration
with its outputs, the provider-input-schema findings, unanswered invokes, stack references,
accounts) or `error`. preflight answers each question on ANSWER_FD — the referenced stack's
outputs, or null when it has none to give — and the registration waits for its answer, as the
engine's builtin provider reads the other stack before it answers. The host then ends itself at
once: threads the program left behind, or an `os._exit` of its own, can then never make a run pass
without a report.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any, Optional


def main(argv: list[str]) -> None:
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    sys.stdin = open(os.devnull)        # noqa: SIM115 - the program reads nothing from us
    serve(job, int(argv[1]), int(argv[2]) if len(argv) > 2 else None)


def serve(job: dict, fd: int, answer_fd: Optional[int]) -> None:
    """Runs the job, writes its frames on `fd`, and ends the process (preflight/host_zygote.py forks here)."""
    sys.dont_write_bytecode = True      # nothing is written into the program's directory
    from preflight.wire import FrameWriter
    out = FrameWriter(fd)
    questions = StackReferenceQuestions(out, answer_fd) if answer_fd is not None else None
    try:
        _run(job, out, questions)
    except BaseException as e:  # noqa: BLE001 - reported to preflight, which prints one line
        out.send("error", {"message": f"{type(e).__name__}: {e}", "location": None, "internal": True})
    out.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# pulumi-language-python-exec's own words when the interpreter has no Pulumi SDK (sdk/python/cmd).
NO_SDK = ("It looks like the Pulumi SDK has not been installed. Have you run pip install? If you are running in a "
          "virtualenv, you must run pip install -r requirements.txt from inside the virtualenv.")


class StackReferenceQuestions:
    """Asks preflight for a referenced stack's outputs; one question per StackReference registration.

    Called from the SDK's registration threads (the program's event loop keeps running); each
    waits for its own answer, matched by id."""

    def __init__(self, out, fd: int) -> None:
        self._out = out
        self._answers = os.fdopen(fd, "rb")
        self._lock = threading.Lock()
        self._waiting: dict[int, tuple[threading.Event, list]] = {}
        self._next = 0
        self._closed = False
        threading.Thread(target=self._read, name="preflight-answers", daemon=True).start()

    def ask(self, name: str) -> Optional[dict[str, Any]]:
        """{"outputs": ..., "secretOutputNames": [...]} of the stack `name` means, or None: not answered."""
        event, slot = threading.Event(), []
        with self._lock:
            if self._closed:
                raise RuntimeError(f"stack reference {name}: preflight stopped answering")
            self._next += 1
            ident = self._next
            self._waiting[ident] = (event, slot)
        self._out.send("stack_reference", {"id": ident, "name": name})
        event.wait()
        if not slot:
            raise RuntimeError(f"stack reference {name}: preflight stopped answering")
        return slot[0]

    def _read(self) -> None:
        from preflight.wire import read_frame
        try:
            while (frame := read_frame(self._answers)) is not None:
                body = frame["body"]
                with self._lock:
                    event, slot = self._waiting.pop(body["id"])
                slot.append(body.get("outputs"))
                event.set()
        finally:
            with self._lock:
                self._closed = True
                waiting, self._waiting = self._waiting, {}
            for event, _ in waiting.values():
                event.set()


def _run(job: dict, out, questions: Optional[StackReferenceQuestions] = None) -> None:
    try:
        import pulumi.runtime  # noqa: F401
    except ImportError as e:
        out.send("error", {"message": f"{type(e).__name__}: {e}. {NO_SDK} (python: {sys.executable})",
                           "location": None, "internal": False})
        return
    from preflight.program import ProgramError, ProgramSpec, _program_error, run_program
    from preflight.wire import registration_body
    spec = ProgramSpec.from_json(job["spec"])
    try:
        modules = _ModuleNews(out)

        def on_register(reg) -> None:
            out.send("registration", registration_body(reg, outputs=False))
            modules.maybe_send()
        run = run_program(spec, job["mode"], on_register=on_register,
                          stack_outputs=questions.ask if questions is not None else None)
    except KeyboardInterrupt as e:  # no signal reaches this process group from a terminal: the program raised it
        err = _program_error(e, spec.directory)
        out.send("error", {"message": err.message, "location": err.location, "internal": False})
        return
    except ProgramError as e:
        out.send("error", {"message": e.message, "location": e.location, "internal": False})
        return
    modules.maybe_send(force=True)
    regs = list(run.monitor.registrations.values())
    accounts = {}
    for reg in regs:
        if reg.custom:
            ref = f"{reg.urn}::{reg.id}" if reg.is_provider else reg.provider
            accounts[reg.urn] = run.mocks.place(ref).account
    out.send("done", {
        "registrations": [registration_body(r, outputs=True) for r in regs],
        "schema": _schema(regs, list(run.mocks.unanswered)) if job.get("schema", True) else {},
        "unanswered_invokes": list(run.mocks.unanswered),
        "stack_references": list(run.mocks.stack_references),
        "accounts": accounts,
    })


class _ModuleNews:
    """Tells preflight, now and then, which preloadable modules the program has imported so far: its fork
    server (preflight/host_zygote.py) imports them while this run goes on, for the runs after it."""

    def __init__(self, out) -> None:
        from preflight.host_zygote import preloadable
        self._out, self._preloadable = out, preloadable
        self._sent: set[str] = set()
        self._last = 0.0

    def maybe_send(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.05:
            return
        self._last = now
        modules = sys.modules
        # A provider's lazily imported module counts once the program has used it (pulumi._utils._LazyModule).
        new = [m for m in list(modules) if m not in self._sent and type(modules.get(m)).__name__ != "_LazyModule"]
        self._sent.update(new)
        new = [m for m in new if self._preloadable(m)]
        if new:
            self._out.send("modules", new)


def _schema(regs: list, unanswered_invokes: list) -> dict:
    """The provider-input-schema check, here so it reads the provider package the program itself imported."""
    try:
        from preflight.schema.check import check_registrations
    except Exception as e:  # noqa: BLE001 - e.g. a pulumi SDK too old for the check: the report says so
        return {"unchecked": {"(all)": f"the check cannot run here: {type(e).__name__}: {e}"}}
    return check_registrations(regs, unanswered_invokes).to_json()


if __name__ == "__main__":
    main(sys.argv)
