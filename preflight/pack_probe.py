"""Which policy a pack is stuck in, asked from outside when a call passes its deadline.

The pack is started through `bootstrap()`: a few lines, run by the pack's own interpreter
(which knows nothing of preflight), that start a thread waiting for SIGUSR1 and then run the
pack's `__main__.py` exactly as `python __main__.py` would. On SIGUSR1 that thread finds every
thread inside the policy SDK's Analyze/AnalyzeStack loop, reads the policy it is running (the
loop's `policy` local) and the innermost line of pack code, and writes one marker line on stderr.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Callable

MARKER = "PREFLIGHT-STUCK "
RAISED = "PREFLIGHT-RAISED "

_BOOTSTRAP = r'''
import json, logging, os, runpy, signal, sys, threading

def _preflight_stuck():
    here = os.getcwd() + os.sep
    found = []
    for f in sys._current_frames().values():
        policy, where, cur = None, None, f
        while cur is not None:
            code = cur.f_code
            if where is None and code.co_filename.startswith(here) and "site-packages" not in code.co_filename:
                where = "%s:%d in %s" % (code.co_filename[len(here):], cur.f_lineno, code.co_name)
            if code.co_name in ("Analyze", "AnalyzeStack") and "policy" in cur.f_locals:
                policy = getattr(cur.f_locals["policy"], "name", None)
            cur = cur.f_back
        if policy:
            found.append({"policy": policy, "where": where})
    sys.stderr.write(MARKER + json.dumps(found) + "\n")
    sys.stderr.flush()

def _preflight_watch():
    while True:
        signal.sigwait({signal.SIGUSR1})
        _preflight_stuck()

class _PreflightRaised(logging.Handler):
    """gRPC logs a servicer's exception before it answers UNKNOWN: name the policy that raised it."""

    def emit(self, record):
        if not record.exc_info or record.exc_info[1] is None:
            return
        exc, tb = record.exc_info[1], record.exc_info[2]
        here, policy, where = os.getcwd() + os.sep, None, None
        while tb is not None:
            frame = tb.tb_frame
            code = frame.f_code
            if code.co_name in ("Analyze", "AnalyzeStack") and "policy" in frame.f_locals:
                policy = getattr(frame.f_locals["policy"], "name", None)
            if code.co_filename.startswith(here) and "site-packages" not in code.co_filename:
                where = "%s:%d in %s" % (code.co_filename[len(here):], tb.tb_lineno, code.co_name)
            tb = tb.tb_next
        try:
            text = str(exc)
        except Exception:
            text = "<unprintable>"
        sys.stderr.write(RAISED + json.dumps({"policy": policy, "where": where,
                                              "error": type(exc).__name__ + (": " + text if text else "")}) + "\n")
        sys.stderr.flush()

logging.getLogger("grpc._server").addHandler(_PreflightRaised())

# Blocked before the pack starts a thread, so every thread inherits the mask and only the watcher
# takes the signal: a handler would run in the main thread, which sleeps a day at a time.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
threading.Thread(target=_preflight_watch, daemon=True).start()
sys.argv = [ENTRY]
runpy.run_path(os.path.abspath(ENTRY), run_name="__main__")
'''


def bootstrap(entry: str) -> str:
    return f"MARKER = {MARKER!r}\nRAISED = {RAISED!r}\nENTRY = {entry!r}\n" + _BOOTSTRAP


def ask(proc: subprocess.Popen, stderr_text: Callable[[], str], wait: float = 2.0) -> str:
    """'; policy X was still running (file:line in fn)', or '' when the pack could not say."""
    before = stderr_text().count(MARKER)
    try:
        os.kill(proc.pid, signal.SIGUSR1)
    except (ProcessLookupError, PermissionError):
        return ""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        lines = [ln for ln in stderr_text().splitlines() if ln.startswith(MARKER)]
        if len(lines) > before:
            try:
                found = json.loads(lines[-1][len(MARKER):])
            except ValueError:
                return ""
            return "".join(f"; policy '{s['policy']}' was still running"
                           + (f" ({s['where']})" if s.get("where") else "") for s in found)
        time.sleep(0.05)
    return ""


def raised(stderr_text: Callable[[], str], wait: float = 1.0) -> str:
    """"policy X raised E: msg (file:line in fn)" for the first exception a policy raised, or ''."""
    deadline = time.monotonic() + wait
    while True:
        line = next((ln for ln in stderr_text().splitlines() if ln.startswith(RAISED)), None)
        if line is not None or time.monotonic() >= deadline:
            break
        time.sleep(0.05)  # written before the pack answers, but read here by another thread
    if line is None:
        return ""
    try:
        found = json.loads(line[len(RAISED):])
    except ValueError:
        return ""
    who = f"policy '{found['policy']}'" if found.get("policy") else "the policy pack"
    return f"{who} raised {found['error']}" + (f" ({found['where']})" if found.get("where") else "")


def strip_markers(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith((MARKER, RAISED)))
