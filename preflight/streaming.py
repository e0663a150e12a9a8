"""Analyze each resource while the program is still registering the rest, as the engine does.

The pack starts in the background as soon as the project is loaded; every custom
registration is queued and sent to `Analyze` from a worker thread, so the pack process
works on one core while the program runs on the other. `finish()` waits for the last
answer and re-raises whatever went wrong on the way.
"""
from __future__ import annotations

import queue
import threading
import time
from typing import Callable, Optional

from preflight.analyzer import Diagnostic, PolicyPackClient, Resource

_DONE = object()


class StreamingAnalyzer:
    def __init__(self, start: Callable[[], PolicyPackClient], to_resource: Callable[[object], Resource]) -> None:
        self._start = start
        self._to_resource = to_resource
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._error: Optional[BaseException] = None
        self.client: Optional[PolicyPackClient] = None
        self.start_seconds = 0.0
        self.diagnostics: list[Diagnostic] = []
        self.not_applicable: list[tuple[str, str]] = []
        self._worker = threading.Thread(target=self._run, name="preflight-analyze", daemon=True)
        self._worker.start()

    def submit(self, registration) -> None:
        """Called by the monitor for every custom registration, in registration order."""
        self._queue.put(registration)

    def _run(self) -> None:
        clock = time.perf_counter()
        try:
            self.client = self._start()
        except BaseException as e:  # noqa: BLE001 - re-raised by finish() in the caller's thread
            self._error = e
        self.start_seconds = time.perf_counter() - clock
        while (item := self._queue.get()) is not _DONE:
            if self._error is not None:
                continue
            try:
                result = self.client.analyze(self._to_resource(item))
            except BaseException as e:  # noqa: BLE001
                self._error = e
                continue
            self.diagnostics += result.diagnostics
            self.not_applicable += result.not_applicable

    def finish(self) -> PolicyPackClient:
        """Waits for every queued resource; returns the started client or raises the first error."""
        self._queue.put(_DONE)
        self._worker.join()
        if self._error is not None:
            raise self._error
        return self.client

    def abandon(self) -> None:
        """Stops the worker without raising (the program failed): the pack is still stopped by the caller."""
        self._queue.put(_DONE)
        self._worker.join()
