"""The two salted `up` runs behind a preview's known-parts judgement (preflight/known_parts.py)."""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any, Callable, Optional

from preflight import known_parts
from preflight.fabricate import SALT_ENV
from preflight.model import Report, Violation
from preflight.pack_session import PackSession
from preflight.program import ProgramSpec
from preflight.program_host import ProgramHost


def judge(loaded: Any, pool: Any, pairs: set, *, on_start: Callable[[int], None],
          on_host: Callable[[ProgramHost], None]) -> tuple[list[Violation], Optional[str]]:
    """Violations that hold in both salted runs on the pairs the preview could not evaluate, and why there
    are none when a run did not finish (a program that fails on made-up values judges nothing)."""
    reports: list[Optional[Report]] = [None] * len(known_parts.SALTS)
    errors: list[str] = []

    def run(i: int, salt: str) -> None:
        try:
            reports[i] = _run(loaded, pool, salt, on_start=on_start, on_host=on_host)
        except Exception as e:  # noqa: BLE001 - a shadow run that fails only withholds its judgement
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=run, args=(i, salt), daemon=True)
               for i, salt in enumerate(known_parts.SALTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors or any(r is None for r in reports):
        return [], (errors[0] if errors else "a run did not finish")
    return known_parts.judged(pairs, [r.violations for r in reports]), None


def _run(loaded: Any, pool: Any, salt: str, *, on_start: Callable[[int], None],
         on_host: Callable[[ProgramHost], None]) -> Report:
    opts = dataclasses.replace(loaded.opts, mode="up")
    project = loaded.project
    pack = PackSession(opts, project, loaded.given_config, pool, holder=f"{loaded.full_name}#known-parts{salt}")
    host, healthy = None, False
    try:
        spec = ProgramSpec(name=project.name, stack=project.stack, directory=project.directory,
                           main=project.main, config=project.config, secret_keys=list(project.secret_keys))
        host = ProgramHost(spec, "up", python=loaded.python, on_register=pack.submit, on_start=on_start,
                           extra_env={SALT_ENV: salt})
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
