"""Analyze each resource while the program is still registering the rest, as the engine does.

The pack starts in the background as soon as the project is loaded; every custom
registration is queued and sent to `Analyze` from a worker thread, so the pack works on
one core while the program runs on the other. The policy SDK re-deserialises a resource
once per policy, so analysis costs more CPU than the program itself: with two cores, two
instances of the pack (the same code, started and configured the same way) share the
`Analyze` calls and absorb that. `lease(cancelled)` gives the instances, configured for this stack
(preflight/pack_pool.py: started for it, or kept from a stack before it). `AnalyzeStack` goes
to the first. `finish()` waits for the last answer and re-raises whatever went wrong on the way.
"""
from __future__ import annotations

import collections
import queue
import threading
import time
from typing import Callable, Optional

from preflight.analyzer import Diagnostic, PolicyPackClient, Resource

_DONE = object()
_RELEASE = object()
# Requests queued in each pack so it never idles between two of them; bounded to cap memory.
IN_FLIGHT = 64


class StreamingAnalyzer:
    def __init__(self, lease: Callable[[Callable[[], bool]], list[PolicyPackClient]],
                 to_resource: Callable[[object], Resource],
                 give_back: Callable[[list[PolicyPackClient]], None] = lambda clients: None) -> None:
        self._lease = lease
        self._give_back = give_back
        self._to_resource = to_resource
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._error: Optional[BaseException] = None
        self.clients: list[PolicyPackClient] = []
        self.start_seconds = 0.0
        self.diagnostics: list[Diagnostic] = []
        self.not_applicable: list[tuple[str, str]] = []
        self._cancelled = threading.Event()
        self._worker = threading.Thread(target=self._run, name="preflight-analyze", daemon=True)
        self._worker.start()

    def submit(self, registration) -> None:
        """Called by the monitor for every custom registration, in registration order."""
        self._queue.put(registration)

    def release(self) -> None:
        """The program waits for another stack: once what was sent is answered, the packs go back to the
        pool for other stacks; the next registration leases again."""
        self._queue.put(_RELEASE)

    def _acquire(self) -> None:
        clock = time.perf_counter()
        try:
            self.clients = list(self._lease(self._cancelled.is_set))
        finally:
            self.start_seconds += time.perf_counter() - clock

    def _run(self) -> None:
        pending: collections.deque = collections.deque()
        try:
            self._acquire()     # at once: the pack starts while the program does
        except BaseException as e:  # noqa: BLE001 - re-raised by check() / finish() in the caller's thread
            self._error = e
        sent = 0
        while (item := self._queue.get()) is not _DONE:
            if self._error is not None:
                continue
            try:
                if item is _RELEASE:
                    self._drain(pending)
                    clients, self.clients = self.clients, []
                    if clients:
                        self._give_back(clients)
                    continue
                if not self.clients:
                    self._acquire()
                client = self.clients[sent % len(self.clients)]
                pending.append(client.analyze_later(self._to_resource(item)))
                sent += 1
                while len(pending) > IN_FLIGHT * len(self.clients):
                    self._collect(pending.popleft())
            except BaseException as e:  # noqa: BLE001 - re-raised by finish() in the caller's thread
                self._error = e
        try:
            self._drain(pending)
            if not self.clients and self._error is None and not self._cancelled.is_set():
                self._acquire()     # AnalyzeStack needs one
        except BaseException as e:  # noqa: BLE001
            self._error = self._error or e

    def _drain(self, pending: collections.deque) -> None:
        while pending and self._error is None:
            self._collect(pending.popleft())

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

    @property
    def clean(self) -> bool:
        """Nothing went wrong: after finish() or abandon(), every call sent has its answer."""
        return self._error is None

    def abandon(self) -> None:
        """Stops the worker without raising (the program failed); the caller still stops the packs."""
        self._cancelled.set()       # a lease still waiting for a pack process gives up
        self._queue.put(_DONE)
        self._worker.join()
