"""The policy pack processes of one run, started once and shared by its stacks.

A pack process analyzes for one stack at a time: `Configure` (the stack's pack config) and
`ConfigureStack` (its name, config, tags) set what the following `Analyze` / `AnalyzeStack` calls
read. So a stack *leases* processes for the whole of its analysis, configures them, and gives them
back after its `AnalyzeStack`; the next stack sends its own `ConfigureStack`. Stacks that run at
the same time lease different processes.

A process is handed only to a stack with the same pack config as the one it was configured with.
The CLI starts a pack for a single update, and packs keep what their config made for the life of
the process (aws-cicd-guardrails remembers every expired waiver it parsed, aws_cicd_guardrails/_waivers.py,
and reports them in AnalyzeStack): a process configured with another config would carry one stack's
findings into another's report. A process with another config is stopped and a new one started
in its place instead.

At most `cap` processes run at once. A lease waits for a process to come back; that cannot
deadlock a run of stacks that wait for one another, since a stack gives its processes back before
it waits for another stack (preflight/stacks.py). A process that failed to start fails every later
lease with the same error (it is the same pack).
"""
from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from preflight.analyzer import PolicyPackClient

WAIT_STEP = 0.05


class LeaseCancelled(RuntimeError):
    """The stack stopped (or the run did) while it waited for a pack process."""


class PackPool:
    def __init__(self, start: Callable[[Callable[[int], None]], PolicyPackClient], cap: int,
                 want: int = 1, shared: bool = False) -> None:
        """`start(on_start)` starts one process (calling `on_start(pid)` as soon as it exists) and asks
        for its GetAnalyzerInfo; a stack leases up to `want` processes (PREFLIGHT_PACK_INSTANCES);
        `shared`: the pool of a run of several stacks."""
        self._start = start
        self.want = max(1, want)
        self.shared = shared
        self._pids: list[int] = []
        self._starting: dict[str, list[int]] = {}      # holder -> pids of processes starting for it
        self._cancelled: set[str] = set()
        self.cap = max(1, cap)
        self._cond = threading.Condition()
        self._idle: list[PolicyPackClient] = []
        self._key: dict[int, str] = {}                 # id(client) -> the pack config it was configured with
        self._holders: dict[str, list[PolicyPackClient]] = {}
        self._alive = 0                                 # started or starting, not stopped
        self._failed: Optional[BaseException] = None
        self._closed = False
        self.started: list[PolicyPackClient] = []

    def lease(self, holder: str, key: str, want: int, configure: Callable[[PolicyPackClient, bool], None],
              cancelled: Callable[[], bool] = lambda: False) -> list[PolicyPackClient]:
        """1..want processes for `holder`, each passed to `configure(client, config_changed)`. Waits while
        every process is busy with a stack that is still running (until `cancelled()`); raises what a
        start or configure raised."""
        taken, to_start, evicted = self._reserve(key, max(1, want), cancelled)
        for client in evicted:
            client.close()
        try:
            taken += self._start_many(to_start, holder)
        except LeaseCancelled:
            with self._cond:
                self._idle += taken
                self._cond.notify_all()
            raise
        except BaseException:
            self._discard(holder, taken)
            raise
        try:
            for client in taken:
                configure(client, self._key.get(id(client)) != key)
                self._key[id(client)] = key
        except BaseException:
            self._discard(holder, taken)
            raise
        with self._cond:
            self._holders.setdefault(holder, []).extend(taken)
        return taken

    def cancel(self, holder: str) -> None:
        """The holder stopped (its program failed, or a signal). A run of one stack is over then: a process
        still starting for it is killed at once, so nothing waits out its --pack-start-timeout. In a run
        of several (`shared`) it goes on starting, for the other stacks; close() stops it on a signal."""
        with self._cond:
            self._cancelled.add(holder)
            starting = [] if self.shared else list(self._starting.get(holder, []))
        for pid in starting:
            _kill_group(pid)

    def _reserve(self, key: str, want: int, cancelled: Callable[[], bool]
                 ) -> tuple[list[PolicyPackClient], int, list[PolicyPackClient]]:
        with self._cond:
            while True:
                if self._closed or cancelled():
                    raise LeaseCancelled("no pack process is needed any more")
                if self._failed is not None:
                    raise self._failed
                same = [c for c in self._idle if self._key.get(id(c)) == key][:want]
                if same:
                    for client in same:
                        self._idle.remove(client)
                    extra = max(0, min(want - len(same), self.cap - self._alive))
                    self._alive += extra
                    return same, extra, []
                if self._alive < self.cap:
                    start = min(want, self.cap - self._alive)
                    self._alive += start
                    return [], start, []
                if self._idle:      # configured for another pack config: replaced, never re-configured
                    stale = self._idle.pop(0)
                    return [], 1, [stale]
                self._cond.wait(WAIT_STEP)

    def _start_one(self, holder: str) -> PolicyPackClient:
        pids: list[int] = []

        def on_start(pid: int) -> None:
            with self._cond:
                self._pids.append(pid)
                self._starting.setdefault(holder, []).append(pid)
                pids.append(pid)
                stop = self._closed or (holder in self._cancelled and not self.shared)
            if stop:
                _kill_group(pid)
        try:
            return self._start(on_start)
        finally:
            with self._cond:
                for pid in pids:
                    self._starting[holder].remove(pid)

    def _start_many(self, count: int, holder: str) -> list[PolicyPackClient]:
        if count == 0:
            return []
        with ThreadPoolExecutor(count) as pool:
            futures = [pool.submit(self._start_one, holder) for _ in range(count)]
        started, error = [], None
        for future in futures:
            if future.exception() is None:
                started.append(future.result())
            else:
                error = error or future.exception()
        with self._cond:
            self.started += started
            self._alive -= count - len(started)
            if self._closed or holder in self._cancelled:
                # Stopped (a signal, the stack's program failed) while these started: not the pack's fault.
                error = LeaseCancelled("no pack process is needed any more")
                if not self._closed:        # the others of the run may use what did start
                    self._idle += started
                    started = []
            elif error is not None:
                self._failed = self._failed or error
            self._cond.notify_all()
        if error is not None:
            for client in started:
                self._stop(client)
            raise error
        return started

    def give_back(self, holder: str, clients: list[PolicyPackClient], healthy: bool) -> None:
        """After the holder's AnalyzeStack (healthy), or after a failure: then the processes are stopped,
        since calls of the failed stack may still be under way in them."""
        if not healthy:
            self._discard(holder, clients)
            return
        with self._cond:
            leased = self._holders.get(holder, [])
            for client in clients:
                if client in leased:
                    leased.remove(client)
                if self._closed or client.proc.poll() is not None:
                    self._alive -= 1
                    threading.Thread(target=client.close, daemon=True).start()
                else:
                    self._idle.append(client)
            self._cond.notify_all()

    def _discard(self, holder: str, clients: list[PolicyPackClient]) -> None:
        with self._cond:
            leased = self._holders.get(holder, [])
            for client in clients:
                if client in leased:
                    leased.remove(client)
        for client in clients:
            self._stop(client)

    def _stop(self, client: PolicyPackClient) -> None:
        client.close()
        with self._cond:
            self._alive -= 1
            self._cond.notify_all()

    def close(self) -> None:
        """Stops every process of the run, leased or not."""
        with self._cond:
            self._closed = True
            clients = list(self.started)
            self._idle.clear()
            self._cond.notify_all()
        running = {c.pid for c in clients}
        for pid in self._pids:
            if pid not in running:
                _kill_group(pid)    # still starting: unblocks the thread reading its port
        for client in clients:
            client.close()


def _kill_group(pid: int) -> None:
    # SIGKILL: a pack that has not printed its port holds nothing worth a grace period, and may ignore SIGTERM.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
