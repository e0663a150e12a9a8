"""Several stacks of one program in one run (`--stack a --stack b`, `--all-stacks`), in dependency order.

Which stack reads which is only known by running the programs: a `StackReference` is made by code,
with a name computed at run time. So the stacks run concurrently and a StackReference to a stack of
the run waits, in its program host, until that stack's program has finished and its exports are
known: the host asks preflight over the frame channel (preflight/host.py) and the answer comes when
there is one. Each program runs once; the alternative — discover the references in a first pass,
then run again in order — costs a second run of every program that reads another, and a reference
made only on some path would still be missed by the first pass.

- Order: a stack waiting for another gives up its slot (at most os.cpu_count() programs run at
  once, a slot is taken back when the answer comes) and its `--program-timeout` does not count the
  wait. The reports come in dependency order: a stack after the stacks of the run it read.
- Deadlock: a stack can only wait for a stack that is running or yet to start, so the run is stuck
  exactly when the waits form a cycle; the wait that closes one is refused, and the stacks of the
  cycle stop with one line naming it (exit 2). A stack referencing itself reads its own last
  deployment under the CLI, which this run does not have: it is answered like a reference outside it.
- Answers: the referenced stack's exports as its program registered them (preview: what is known in
  preview, unknowns stay unknown; secrets stay secret, preflight/stack_refs.py). A reference to a
  stack of the run that could not run is listed as unanswered, like one outside the run.
- Packs: one PackPool for the run (preflight/pack_pool.py): processes are started once and leased
  by one stack at a time, re-sent ConfigureStack for each. A stack that waits for another gives its
  processes back first (after the answers to what it sent), so a wait never holds a pack.
- Failures: a stack that cannot load or run is one line (exit 2); the others still run and are
  reported. On SIGINT/SIGTERM every program host and pack is stopped and reaped before preflight exits.
"""
from __future__ import annotations

import heapq
import itertools
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from preflight import project as project_mod, runner, stack_refs
from preflight.fork_server import ForkServers
from preflight.model import MultiReport, Report, StackFailure
from preflight.program_host import ProgramHost
from preflight.runner import (Answer, Loaded, PreflightError, RunOptions, _Runtime, file_answerer, forget_pids,
                              load, new_pool, pack_instances, run_loaded)

STEP = 0.05


class ReferenceCycle(PreflightError):
    """Stacks of the run whose StackReferences wait for one another."""


@dataclass
class _Stack:
    opts: RunOptions
    loaded: Optional[Loaded] = None
    full: str = ""
    outputs: Optional[dict] = None        # wire form, once its program finished
    over: bool = False                    # reported or failed
    holds_slot: bool = False
    waits_for: list[str] = field(default_factory=list)
    cycle: Optional[str] = None
    report: Optional[Report] = None
    failure: Optional[str] = None

    @property
    def name(self) -> str:
        return self.opts.stack


class _Slots:
    """At most `size` programs at once; a stack resuming after a wait goes before one yet to start."""

    def __init__(self, size: int, aborted: threading.Event) -> None:
        self._free = size
        self._cond = threading.Condition()
        self._queue: list[tuple[int, int]] = []
        self._seq = itertools.count()
        self._aborted = aborted

    def acquire(self, resumed: bool) -> None:
        ticket = (0 if resumed else 1, next(self._seq))
        with self._cond:
            heapq.heappush(self._queue, ticket)
            try:
                while self._queue[0] != ticket or self._free == 0:
                    if self._aborted.is_set():
                        raise PreflightError("stopped")
                    self._cond.wait(STEP)
            except BaseException:
                self._queue.remove(ticket)
                heapq.heapify(self._queue)
                self._cond.notify_all()
                raise
            heapq.heappop(self._queue)
            self._free -= 1

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()


class _Run:
    def __init__(self, stacks: list[_Stack], files: dict[str, stack_refs.FileOutputs], slots: int) -> None:
        self.stacks = stacks
        self.by_full = {s.full: s for s in stacks if s.full}
        self.files = files
        self.cond = threading.Condition()
        self.aborted = threading.Event()
        self.slots = _Slots(slots, self.aborted)
        self.hosts: list[ProgramHost] = []
        self.forks = ForkServers(on_start=lambda pid: runner._track_pid(pid, fork_server=True))
        self.reads: dict[str, list[str]] = {s.name: [] for s in stacks}

    # -- answering StackReferences ------------------------------------------------------------
    def answer(self, stack: _Stack, name: str, waiting: Callable[[], None]) -> Answer:
        project = stack.loaded.project.name
        full = stack_refs.full_name(name, project)
        target = self.by_full.get(full) if full else None
        if target is None or target is stack:
            return file_answerer(stack.loaded, self.files)(name)
        with self.cond:
            if target.name not in self.reads[stack.name]:
                self.reads[stack.name].append(target.name)
            if target.outputs is None and not target.over:
                waiting()
                self._wait(stack, target)
        if target.outputs is None:
            return None         # it could not run: listed as unanswered
        return stack_refs.answer(target.outputs), {"name": name, "stack": full, "source": "run"}

    def _wait(self, stack: _Stack, target: _Stack) -> None:
        """Under self.cond: waits (without a slot) until `target` has its exports or gave up."""
        stack.waits_for.append(target.full)
        self._drop_slot(stack)
        try:
            cycle = self._cycle(stack, target)
            if cycle is not None:
                for member in cycle[:-1]:
                    self.by_full[member].cycle = self._cycle_line(cycle)
                self.cond.notify_all()
            while target.outputs is None and not target.over and stack.cycle is None and not stack.over:
                if self.aborted.is_set():
                    raise PreflightError("stopped")
                self.cond.wait(STEP)
            if stack.cycle is not None:
                raise ReferenceCycle(stack.cycle)
            if stack.over:          # its program ended meanwhile (it failed): nobody to answer
                raise PreflightError("stopped")
        finally:
            stack.waits_for.remove(target.full)
        if not stack.waits_for:     # the last of its program's waits: it runs again
            self._take_slot(stack)

    def _drop_slot(self, stack: _Stack) -> None:
        if stack.holds_slot:
            stack.holds_slot = False
            self.slots.release()

    def _take_slot(self, stack: _Stack) -> None:
        self.cond.release()
        try:
            self.slots.acquire(resumed=True)
        finally:
            self.cond.acquire()
        stack.holds_slot = True
        if stack.waits_for or stack.over:   # another reference began to wait meanwhile, or it ended
            self._drop_slot(stack)

    def _cycle(self, stack: _Stack, target: _Stack) -> Optional[list[str]]:
        """The waits from `target` back to `stack`, as [stack, target, ..., stack], if there are."""
        path, seen = [stack.full, target.full], {target.full}

        def walk(current: str) -> bool:
            for nxt in self.by_full[current].waits_for:
                if nxt == stack.full:
                    path.append(nxt)
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    path.append(nxt)
                    if walk(nxt):
                        return True
                    path.pop()
            return False
        return path if walk(target.full) else None

    def _cycle_line(self, cycle: list[str]) -> str:
        names = [self.by_full[f].name for f in cycle[:-1]]
        start = names.index(min(names))
        names = names[start:] + names[:start]
        return (f"stack reference cycle: {' -> '.join(names + names[:1])}: each stack waits for the next one's "
                "outputs; answer one of them with --stack-outputs NAME=FILE")

    # -- running ------------------------------------------------------------------------------
    def run_one(self, stack: _Stack, pool) -> None:
        try:
            self.slots.acquire(resumed=False)
            with self.cond:
                stack.holds_slot = True
            stack.report = run_loaded(stack.loaded, pool,
                                      answer=lambda name, waiting: self.answer(stack, name, waiting),
                                      on_outputs=lambda outputs: self._published(stack, outputs),
                                      on_host=self._started, forks=self.forks)
        except PreflightError as e:
            stack.failure = str(e)
        except BaseException as e:  # noqa: BLE001 - one stack's internal error must not hide the others
            stack.failure = f"internal error: {type(e).__name__}: {e}"
        finally:
            with self.cond:
                stack.over = True
                self._drop_slot(stack)
                self.cond.notify_all()

    def _published(self, stack: _Stack, outputs: dict) -> None:
        with self.cond:
            stack.outputs = outputs
            self._drop_slot(stack)      # its program is done: the next one may start while it is analyzed
            self.cond.notify_all()

    def _started(self, host: ProgramHost) -> None:
        with self.cond:
            self.hosts.append(host)
        if self.aborted.is_set():
            host.kill()

    def abort(self) -> None:
        self.aborted.set()
        with self.cond:
            hosts = list(self.hosts)
            self.cond.notify_all()
        for host in hosts:
            host.kill()


def discover(program: Path) -> list[str]:
    """`--all-stacks`: the stack of every `Pulumi.<stack>.<ext>` in the project's stackConfigDir, where the
    CLI looks for a stack's config (project.load: the project file's extension, stackConfigDir or its
    deprecated spelling `config: <dir>`), sorted by name."""
    directory = program.resolve()
    try:
        project_file = project_mod._project_file(directory)
        meta, pfile = project_mod._read(project_file, what="project")
        folder = Path(os.path.normpath(os.path.join(directory, project_mod._stack_config_dir(meta, pfile))))
    except project_mod.ProjectError as e:
        raise PreflightError(str(e)) from None
    prefix, suffix = "Pulumi.", project_file.suffix
    try:
        names = [entry.name for entry in folder.iterdir() if not entry.is_dir()]
    except OSError as e:
        raise PreflightError(f"--all-stacks: {folder}: {e.strerror or e}") from None
    stacks = sorted(n[len(prefix):-len(suffix)] for n in names
                    if n.startswith(prefix) and n.endswith(suffix) and len(n) > len(prefix) + len(suffix))
    if not stacks:
        raise PreflightError(f"--all-stacks: no stack file Pulumi.<stack>{suffix} in {folder}")
    return stacks


def run_stacks(opts_list: list[RunOptions]) -> MultiReport:
    """Every stack of `opts_list` (one program, one pack, one mode; each stack its own pack config)."""
    clock = time.perf_counter()
    forget_pids()
    runtime = _Runtime()
    stacks = [_Stack(opts=o) for o in opts_list]
    for stack in stacks:
        started = time.perf_counter()
        try:
            stack.loaded = load(stack.opts)
            stack.loaded.seconds = time.perf_counter() - started
            stack.full = stack.loaded.full_name
        except PreflightError as e:
            stack.failure, stack.over = str(e), True
    loaded = [s for s in stacks if s.loaded is not None]
    project = loaded[0].loaded.project.name if loaded else ""
    for stack in stacks:
        if stack.loaded is None and project:
            stack.full = stack_refs.stack_of(project, stack.name)     # a reference to it is answered: unanswered
    first = opts_list[0]
    try:
        files = stack_refs.load_all(first.stack_outputs, project, first.mode, {s.full for s in stacks if s.full}) \
            if loaded else {}
    except stack_refs.StackOutputsError as e:
        raise PreflightError(str(e)) from None
    slots = max(1, min(os.cpu_count() or 1, len(loaded) or 1))
    run = _Run(stacks, files, slots)
    if loaded:
        want = pack_instances()
        pool = new_pool(first, runtime.get(first), cap=max(want, slots), want=want, shared=True)
        threads = [threading.Thread(target=run.run_one, args=(s, pool), name=f"preflight-stack-{s.name}",
                                    daemon=True) for s in loaded]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.1)
        finally:
            if any(t.is_alive() for t in threads):
                run.abort()
            pool.close()
            deadline = time.monotonic() + 3     # within limits.SIGNAL_GRACE of a signal, all in all
            for thread in threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
            run.forks.close()
            _reap(list(runner.last_pids))
    report = MultiReport(project=project, mode=first.mode, reads={s.name: list(run.reads[s.name]) for s in stacks})
    report.order = _dependency_order([s.name for s in stacks], report.reads)
    by_name = {s.name: s for s in stacks}
    for name in report.order:
        stack = by_name[name]
        if stack.report is not None:
            report.reports.append(stack.report)
        else:
            line = stack.failure if stack.failure and stack.cycle and stack.failure == stack.cycle \
                else f"stack {name}: {stack.failure or 'stopped'}"
            report.failures.append(StackFailure(stack=name, line=line))
    report.timings = {"total": time.perf_counter() - clock}
    return report


def _reap(pids: list[int]) -> None:
    """After a signal, a thread stopped mid-way may leave a child of ours unwaited: stop and reap what is
    still ours (waitpid only answers for our own children, so no other process is touched)."""
    for pid in pids:
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError, PermissionError):
            pass


def _dependency_order(given: list[str], reads: dict[str, list[str]]) -> list[str]:
    """Each stack after the stacks it read, otherwise in the order given (stacks of a cycle as given)."""
    done: list[str] = []
    left = list(given)
    while left:
        ready = next((s for s in left if all(t in done or t not in given for t in reads.get(s, []))), None)
        if ready is None:
            done += left
            break
        done.append(ready)
        left.remove(ready)
    return done
