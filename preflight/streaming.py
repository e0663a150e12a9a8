"""Analyze each resource while the program is still registering the rest, as the engine does.

The pack starts in the background as soon as the project is loaded; every custom
registration is queued and sent to `Analyze` from a worker thread, so the pack works on
one core while the program runs on the other. The policy SDK re-deserialises a resource
once per policy, so analysis costs more CPU than the program itself: with two cores, two
instances of the pack (the same code, started and configured the same way) share the
`Analyze` calls and absorb that. `AnalyzeStack` goes to the first. `finish()` waits for the
last answer and re-raises whatever went wrong on the way.
"""
from __future__ import annotations

import collections
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from preflight.analyzer import Diagnostic, PolicyPackClient, Resource

_DONE = object()
# Requests queued in each pack so it never idles between two of them; bounded to cap memory.
IN_FLIGHT = 64


class StreamingAnalyzer:
    def __init__(self, start: Callable[[], PolicyPackClient], to_resource: Callable[[object], Resource],
                 instances: int = 1) -> None:
        self._start = start
        self._to_resource = to_resource
        self._instances = max(1, instances)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._error: Optional[BaseException] = None
        self.clients: list[PolicyPackClient] = []
        self.start_seconds = 0.0
        self.diagnostics: list[Diagnostic] = []
        self.not_applicable: list[tuple[str, str]] = []
        self._worker = threading.Thread(target=self._run, name="preflight-analyze", daemon=True)
        self._worker.start()

    def submit(self, registration) -> None:
        """Called by the monitor for every custom registration, in registration order."""
        self._queue.put(registration)

    def _start_all(self) -> None:
        clock = time.perf_counter()
        with ThreadPoolExecutor(self._instances) as pool:
            futures = [pool.submit(self._start) for _ in range(self._instances)]
        for f in futures:
            if f.exception() is None:
                self.clients.append(f.result())
            elif self._error is None:
                self._error = f.exception()
        self.start_seconds = time.perf_counter() - clock

    def _run(self) -> None:
        self._start_all()
        pending: collections.deque = collections.deque()
        sent = 0
        while (item := self._queue.get()) is not _DONE:
            if self._error is not None:
                continue
            try:
                client = self.clients[sent % len(self.clients)]
                pending.append(client.analyze_later(self._to_resource(item)))
                sent += 1
                while len(pending) > IN_FLIGHT * len(self.clients):
                    self._collect(pending.popleft())
            except BaseException as e:  # noqa: BLE001 - re-raised by finish() in the caller's thread
                self._error = e
        while pending and self._error is None:
            try:
                self._collect(pending.popleft())
            except BaseException as e:  # noqa: BLE001
                self._error = e

    def _collect(self, wait) -> None:
        result = wait()
        self.diagnostics += result.diagnostics
        self.not_applicable += result.not_applicable

    def check(self) -> None:
        """Raises what already went wrong (a pack that failed to start or refused its config), so the
        run stops without waiting for the program to finish."""
        if self._error is not None:
            raise self._error

    def finish(self) -> PolicyPackClient:
        """Waits for every queued resource; returns the first pack or raises the first error."""
        self._queue.put(_DONE)
        self._worker.join()
        if self._error is not None:
            raise self._error
        return self.clients[0]

    def abandon(self) -> None:
        """Stops the worker without raising (the program failed); the caller still stops the packs."""
        self._queue.put(_DONE)
        self._worker.join()
