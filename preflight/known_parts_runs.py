"""The two salted `up` runs behind a preview's known-parts judgement (preflight/known_parts.py)."""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any, Callable, Optional

from preflight import known_parts
from preflight.fabricate import SALT_ENV
from preflight.fork_server import ForkServers
from preflight.model import Report, Violation
from preflight.pack_session import PackSession
from preflight.program import ProgramSpec
from preflight.program_host import ProgramHost


class Judge:
    """The salted runs, the first started once the preview's program is done (beside its analysis, forked
    from a server that imported what that program imported). `finish(pairs)` gives the violations that hold
    in every run on the pairs the preview could not evaluate; the second run starts only when the first
    found something there (a clean stack pays for one), and a run that did not finish judges nothing (a
    program that fails on made-up values): the second value is why. `cancel()` stops them."""

    def __init__(self, loaded: Any, pool: Any, *, on_start: Callable[[int], None],
                 on_host: Callable[[ProgramHost], None], forks: Optional[ForkServers] = None) -> None:
        self._reports: list[Optional[Report]] = [None] * len(known_parts.SALTS)
        self._errors: list[str] = []
        self._hosts: list[ProgramHost] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._cancelled = False

        def track(host: ProgramHost) -> None:
            with self._lock:
                self._hosts.append(host)
                cancelled = self._cancelled
            if cancelled:
                host.kill()
            on_host(host)

        def run(i: int) -> None:
            try:
                self._reports[i] = _run(loaded, pool, known_parts.SALTS[i], on_start=on_start, on_host=track,
                                        forks=forks)
            except Exception as e:  # noqa: BLE001 - a shadow run that fails only withholds its judgement
                self._errors.append(f"{type(e).__name__}: {e}")

        self._run = run
        self._start(0)

    def _start(self, i: int) -> threading.Thread:
        thread = threading.Thread(target=self._run, args=(i,), daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return thread

    def finish(self, pairs: set) -> tuple[list[Violation], Optional[str]]:
        for i in range(len(known_parts.SALTS)):
            if i > 0:
                self._start(i)
            self._threads[i].join()
            if self._errors or self._reports[i] is None:
                return [], (self._errors[0] if self._errors else "a run did not finish")
            found = known_parts.judged(pairs, [r.violations for r in self._reports[:i + 1]])
            if not found:
                return [], None
        return found, None

    def cancel(self) -> None:
        """The preview left nothing to judge, or failed: the runs stop, and their packs go back."""
        with self._lock:
            self._cancelled = True
            hosts, threads = list(self._hosts), list(self._threads)
        for host in hosts:
            host.kill()
        for t in threads:
            t.join()


def _run(loaded: Any, pool: Any, salt: str, *, on_start: Callable[[int], None],
         on_host: Callable[[ProgramHost], None], forks: Optional[ForkServers]) -> Report:
    opts = dataclasses.replace(loaded.opts, mode="up")
    project = loaded.project
    pack = PackSession(opts, project, loaded.given_config, pool, holder=f"{loaded.full_name}#known-parts{salt}")
    host, healthy = None, False
    try:
        spec = ProgramSpec(name=project.name, stack=project.stack, directory=project.directory,
                           main=project.main, config=project.config, secret_keys=list(project.secret_keys))
        host = ProgramHost(spec, "up", python=loaded.python, on_register=pack.submit, on_start=on_start,
                           extra_env={SALT_ENV: salt}, forks=forks, schema=False)   # the preview's check holds
        on_host(host)
        report = pack.report(host.wait(opts.program_timeout, check=pack.stream.check))
        healthy = True
        return report
    finally:
        if host is not None:
            host.close()
        pack.close(healthy)


def apply(report: Report, found: list[Violation], seconds: float) -> None:
    """Adds the judged violations; their checks are no longer listed as not evaluated."""
    report.timings["known_parts"] = seconds
    if not found:
        return
    report.violations = sorted(report.violations + found, key=lambda v: (v.urn or "", v.policy, v.message))
    judged = {(v.policy, v.resource_name) for v in found}
    report.not_applicable = [n for n in report.not_applicable
                             if not any(n.get("policy") == p and f" on {name}:" in n.get("reason", "")
                                        for p, name in judged)]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    clock = time.perf_counter()
    return fn(), time.perf_counter() - clock
