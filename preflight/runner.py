"""One preflight run: project → program under mocks → policy pack over gRPC → Report.

`run` checks one stack. `load` + `run_loaded` are its two halves, which preflight/stacks.py
calls for each stack of a multi-stack run, sharing one PackPool and answering StackReferences.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from preflight import known_parts_runs, limits, pack_config, pack_env, project as project_mod, stack_refs
from preflight.analyzer import PackError, PolicyPackClient
from preflight.model import Report
from preflight.monitor import ROOT_STACK_TYPE
from preflight.pack_pool import PackPool
# _resource and _split_unknowns: tests/policies/corpus builds Analyze requests with them.
from preflight.pack_session import PackSession, _resource, _split_unknowns  # noqa: F401
from preflight.fork_server import ForkServers
from preflight.program import ProgramError, ProgramSpec
from preflight.program_host import HostedRun, ProgramHost, program_python
from preflight.schema import policy as schema_policy
from preflight.schema.check import SchemaResult
from preflight.schema.documents import DocumentChecks

PID_FILE_ENV = "PREFLIGHT_PID_FILE"

# pids of every process the most recent run started: packs and the program host (tests check they are gone).
last_pids: list[int] = []
last_pack_pids: list[int] = []
last_fork_server_pids: list[int] = []
INSTANCES_ENV = "PREFLIGHT_PACK_INSTANCES"
_pid_lock = threading.Lock()


def _track_pid(pid: int, *, pack: bool = False, fork_server: bool = False) -> None:
    with _pid_lock:
        last_pids.append(pid)
        if pack:
            last_pack_pids.append(pid)
        if fork_server:
            last_fork_server_pids.append(pid)
        path = os.environ.get(PID_FILE_ENV)
        if path:
            with open(path, "a") as f:
                f.write(f"{pid}\n")


def forget_pids() -> None:
    """A new run: `last_pids` / `last_pack_pids` list what it starts."""
    with _pid_lock:
        last_pids.clear()
        last_pack_pids.clear()
        last_fork_server_pids.clear()


def pack_instances() -> int:
    raw = os.environ.get(INSTANCES_ENV)
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise PreflightError(f"{INSTANCES_ENV}={raw!r} is not a positive whole number")
        return int(raw)
    return 2 if (os.cpu_count() or 1) >= 2 else 1


class PreflightError(Exception):
    """The program, its config or the pack could not run (exit 2); str() is one line for the user."""


@dataclass
class RunOptions:
    program: Path
    stack: str = "dev"
    policy_pack: Optional[Path] = None
    policy_pack_config: Optional[Path] = None
    mode: str = "preview"
    program_timeout: float = limits.PROGRAM_TIMEOUT
    pack_start_timeout: float = limits.PACK_START_TIMEOUT
    analyze_timeout: float = limits.ANALYZE_TIMEOUT
    progress: Callable[[str], None] = field(default=lambda message: None, repr=False)
    stack_outputs: list[str] = field(default_factory=list)     # --stack-outputs NAME=FILE
    known_parts: bool = True    # preview: judge what unknown values' known parts decide (preflight/known_parts.py)
    install: bool = False       # build the program's missing virtualenv first, as `pulumi install` does

    @property
    def pack_dir(self) -> Path:
        return (self.policy_pack or self.program / "policies").resolve()


@dataclass
class Loaded:
    """One stack, ready to run: its project and config, its pack config, its program's interpreter."""
    opts: RunOptions
    project: project_mod.Project
    given_config: dict
    python: str
    seconds: float = 0.0

    @property
    def full_name(self) -> str:
        return stack_refs.stack_of(self.project.name, self.project.stack)


# A StackReference's answer: (the StackReference state, how the report names the answer), or None.
Answer = Optional[tuple[dict, dict[str, str]]]
# answer(name, waiting): `waiting()` is called before the answer waits for another stack.
Answerer = Callable[[str, Callable[[], None]], Answer]


def run(opts: RunOptions) -> Report:
    """One stack; PreflightError (exit 2) when it cannot give a verdict."""
    clock = time.perf_counter()
    runtime = _Runtime()
    loaded = load(opts, runtime)
    try:
        files = stack_refs.load_all(opts.stack_outputs, loaded.project.name, opts.mode, set())
    except stack_refs.StackOutputsError as e:
        raise PreflightError(str(e)) from None
    instances = pack_instances()
    loaded.seconds = time.perf_counter() - clock
    forget_pids()
    pool = new_pool(opts, runtime.get(opts), cap=instances, want=instances)
    forks = ForkServers(on_start=lambda pid: _track_pid(pid, fork_server=True))
    try:
        return run_loaded(loaded, pool, answer=file_answerer(loaded, files), forks=forks)
    finally:
        pool.close()
        forks.close()


class _Runtime:
    """The pack's interpreter, resolved (and its virtualenv built) once for every stack of a run."""

    def __init__(self) -> None:
        self._runtime: Optional[pack_env.PackRuntime] = None

    def get(self, opts: RunOptions) -> pack_env.PackRuntime:
        if self._runtime is None:
            try:
                self._runtime = pack_env.resolve(opts.pack_dir, progress=opts.progress)
            except pack_env.PackEnvError as e:
                raise PreflightError(str(e)) from None
        return self._runtime


def load(opts: RunOptions, runtime: Optional[_Runtime] = None) -> Loaded:
    """The stack's project, config and pack config (and the pack's runtime, in the CLI's order)."""
    try:
        project = project_mod.load(opts.program, opts.stack)
        given_config = pack_config.load(opts.policy_pack_config)
        if runtime is not None:
            runtime.get(opts)
        program_dir = project.main if project.main.is_dir() else project.main.parent
        python = program_python(project.virtualenv, program_dir, progress=opts.progress, install=opts.install)
    except (project_mod.ProjectError, pack_config.PackConfigError, ProgramError) as e:
        raise PreflightError(str(e)) from None
    return Loaded(opts=opts, project=project, given_config=given_config, python=python)


def file_answerer(loaded: Loaded, files: dict[str, stack_refs.FileOutputs]) -> Answerer:
    """Answers from --stack-outputs files; a reference to the stack itself reads its last deployment
    under the CLI, which preflight has only from such a file too."""

    def answer(name: str, waiting: Callable[[], None] = lambda: None) -> Answer:
        full = stack_refs.full_name(name, loaded.project.name)
        found = files.get(full) if full else None
        if found is None:
            return None
        return stack_refs.answer(found.wire), {"name": name, "stack": full, "source": str(found.path)}
    return answer


def new_pool(opts: RunOptions, runtime: pack_env.PackRuntime, cap: int, want: int,
             shared: bool = False) -> PackPool:
    # Taken now, as the CLI hands it to the pack: preflight's environment with the pack's virtualenv active.
    python, env = runtime.python, runtime.environ(os.environ)

    def start(on_start: Callable[[int], None]) -> PolicyPackClient:
        client = PolicyPackClient(opts.pack_dir, python=python, env=env, start_timeout=opts.pack_start_timeout,
                                  call_timeout=opts.analyze_timeout,
                                  on_start=lambda pid: (on_start(pid), _track_pid(pid, pack=True)))
        try:
            client.info()
        except BaseException:
            client.close()
            raise
        return client
    return PackPool(start, cap, want, shared)


def run_loaded(loaded: Loaded, pool: PackPool, *, answer: Answerer = lambda name, waiting: None,
               on_outputs: Callable[[dict], None] = lambda outputs: None,
               on_host: Callable[[ProgramHost], None] = lambda host: None,
               forks: Optional[ForkServers] = None) -> Report:
    """Runs the stack's program and its analysis. `answer(name, waiting)` answers a StackReference (it may
    wait for another stack: the packs go back to the pool meanwhile); `on_outputs` gets the stack's
    exports (wire form) as soon as the program is done."""
    opts, project = loaded.opts, loaded.project
    timings: dict[str, float] = {"load": loaded.seconds}
    clock = time.perf_counter()
    pack = PackSession(opts, project, loaded.given_config, pool, holder=loaded.full_name)
    answered: dict[str, dict[str, str]] = {}

    def on_reference(name: str) -> Optional[dict]:
        found = answer(name, pack.stream.release)
        if found is None:
            return None
        answered.setdefault(name, found[1])
        return found[0]

    host = None
    healthy = False
    judging = opts.mode == "preview" and opts.known_parts
    judge: Optional[known_parts_runs.Judge] = None

    def new_judge() -> known_parts_runs.Judge:
        return known_parts_runs.Judge(loaded, pool, on_start=_track_pid, on_host=on_host, forks=forks)
    try:
        try:
            spec = ProgramSpec(name=project.name, stack=project.stack, directory=project.directory,
                               main=project.main, config=project.config, secret_keys=list(project.secret_keys))
            host = ProgramHost(spec, opts.mode, python=loaded.python, on_register=pack.submit, on_start=_track_pid,
                               on_reference=on_reference, forks=forks)
            on_host(host)
            program = host.wait(opts.program_timeout, check=pack.stream.check, own_error_grace=PROGRAM_ERROR_GRACE)
            if judging and pack.seen_unknowns():     # already something to judge: beside this run's analysis
                judge = new_judge()
        except ProgramError as e:
            note = project_mod.placeholder_note(str(e), project)
            raise PreflightError(f"{e} {note}" if note else str(e)) from None
        finally:
            timings["program"], clock = time.perf_counter() - clock, time.perf_counter()
        outputs = root_outputs(program)
        on_outputs(outputs)
        report = pack.report(program)
        report.outputs = stack_refs.report_outputs(outputs)
        report.answered_stack_references = [answered[name] for name in sorted(answered)]
        timings["schema"] = _add_schema_findings(report, program)
        output = host.output()
        if output.strip():
            sys.stderr.write(output if output.endswith("\n") else output + "\n")
        healthy = True
    except (PackError, pack_config.PackConfigError) as e:
        raise PreflightError(str(e)) from None
    finally:
        if host is not None:
            host.close()
        pack.close(healthy)
        if judge is not None and not (healthy and pack.unknown_pairs):
            judge.cancel()
    timings["pack_start"] = pack.stream.start_seconds
    timings["analysis"] = time.perf_counter() - clock
    report.timings = timings
    if judging and pack.unknown_pairs:
        if judge is None:
            judge = new_judge()
        (found, _), seconds = known_parts_runs.timed(lambda: judge.finish(pack.unknown_pairs))
        known_parts_runs.apply(report, found, seconds)
    return report


# How long a program may still end in an error of its own once the pack has failed (ProgramHost.wait).
PROGRAM_ERROR_GRACE = 2.0


def root_outputs(program: HostedRun) -> dict[str, Any]:
    """The stack's exports: the root stack's RegisterResourceOutputs, in wire form (secrets wrapped)."""
    root = next((r for r in program.registrations.values() if r.type == ROOT_STACK_TYPE), None)
    return dict(root.outputs) if root is not None else {}


def _add_schema_findings(report: Report, program: HostedRun) -> float:
    """provider-input-schema: the host's SDK-type walk and the recorded-input document checks, as
    mandatory violations; returns the seconds both spent."""
    clock = time.perf_counter()
    hosted = SchemaResult.from_json(program.schema)
    documents = DocumentChecks().run(report.resources)
    by_urn = {r.urn: r for r in report.resources}
    found = schema_policy.violations(hosted.findings + documents.findings, by_urn)
    report.violations = sorted(report.violations + found, key=lambda v: (v.urn or "", v.policy, v.message))
    report.policies.append(schema_policy.META)
    report.schema_unchecked = dict(sorted({**hosted.unchecked, **documents.unchecked}.items()))
    report.schema_stats = {"resources": hosted.resources, "resource_types": hosted.resource_types,
                           "nested_types": hosted.nested_types, "host_seconds": hosted.seconds}
    return hosted.seconds + time.perf_counter() - clock


