"""Runs a Pulumi Python program in this process under the recording mock monitor.

The program sees what the CLI's language host would give it: its directory as cwd and
first on sys.path, its config in PULUMI_CONFIG, a fresh root stack, a new event loop.
Its own modules are imported fresh and removed afterwards, so programs that share module
names (`components`) can run one after another in one process.
"""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import runpy
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional

import pulumi
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func

from preflight.mocks import PreflightMocks
from preflight.monitor import RecordingMonitor, Registration, _is_program_file
ORGANIZATION = "organization"


@dataclass
class ProgramSpec:
    """What the language host knows of a program (a `project.Project` has the same attributes)."""
    name: str
    stack: str
    directory: Path
    main: Path
    config: Mapping[str, str]
    secret_keys: list[str]

    def namespace(self, ns: str) -> dict[str, str]:
        prefix = ns + ":"
        return {k[len(prefix):]: v for k, v in self.config.items() if k.startswith(prefix)}

    def to_json(self) -> dict:
        return {"name": self.name, "stack": self.stack, "directory": str(self.directory), "main": str(self.main),
                "config": dict(self.config), "secret_keys": list(self.secret_keys)}

    @classmethod
    def from_json(cls, data: dict) -> "ProgramSpec":
        return cls(name=data["name"], stack=data["stack"], directory=Path(data["directory"]),
                   main=Path(data["main"]), config=data["config"], secret_keys=list(data["secret_keys"]))


class ProgramError(Exception):
    """The program failed; `location` is the program file and line that raised, when known."""

    def __init__(self, message: str, location: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"program error{where}: {fold(self.message)}"


@dataclass
class ProgramRun:
    monitor: RecordingMonitor
    mocks: PreflightMocks


def run_program(project: ProgramSpec, mode: str,
                on_register: Optional[Callable[[Registration], None]] = None,
                stack_outputs: Optional[Callable[[str], Optional[dict]]] = None) -> ProgramRun:
    """`on_register` sees every custom resource (providers included) once its inputs are final;
    `stack_outputs(name)` answers a StackReference (None: not known offline, listed)."""
    mocks = PreflightMocks(mode, project.namespace("aws"))
    if stack_outputs is not None:
        mocks.stack_outputs = stack_outputs
    monitor = RecordingMonitor(mocks, project.directory, default_provider_inputs=project.namespace,
                               on_register=on_register)

    def provider_inputs(ref: str):
        reg = monitor.provider_registration(ref)
        return reg.inputs if reg is not None else None

    mocks.provider_inputs = provider_inputs
    previous_loop = _current_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with _cli_environment(project, mode), _isolated_imports(project.directory), \
                _stack_reference_outputs_one_by_one(mode), contextlib.redirect_stdout(sys.stderr):
            pulumi_settings.ROOT.set(None)
            pulumi_config.set_all_config(dict(project.config), list(project.secret_keys))
            pulumi_mocks.set_mocks(mocks, project=project.name, stack=project.stack, preview=mode == "preview",
                                   monitor=monitor, organization=ORGANIZATION)
            main = str(project.main)

            def program() -> None:
                runpy.run_path(main, run_name="__main__")
                _register_exports()
            try:
                loop.run_until_complete(run_pulumi_func(program))
            except (KeyboardInterrupt, ProgramError):
                raise
            except SystemExit as e:
                if e.code not in (None, 0):
                    raise _program_error(e, project.directory) from None
            except BaseException as e:  # noqa: BLE001 - any program failure becomes one message
                raise _program_error(e, project.directory) from None
    finally:
        _close_loop(loop)
        # Leave the caller's event loop as it was: code that runs Pulumi after us relies on it.
        asyncio.set_event_loop(previous_loop)
        pulumi_settings.ROOT.set(None)
    return ProgramRun(monitor=monitor, mocks=mocks)


def _register_exports() -> None:
    """The root stack's outputs, registered after the program as `pulumi up` does (runtime/stack.py
    run_in_stack finishes the Stack after the program). `set_mocks` creates and finishes the root stack
    before the program runs, so without this its exports never reach the monitor."""
    from pulumi.runtime.settings import get_root_resource
    from pulumi.runtime.stack import massage
    root = get_root_resource()
    outputs = getattr(root, "outputs", None)
    if root is not None and isinstance(outputs, dict) and outputs:
        root.register_outputs(massage(outputs, []))


def _current_loop() -> Optional[asyncio.AbstractEventLoop]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            return None


def _program_error(exc: BaseException, program_dir: Path) -> ProgramError:
    location = None
    for frame in traceback.extract_tb(exc.__traceback__):
        location = _program_location(frame.filename, frame.lineno, program_dir) or location
    if isinstance(exc, SyntaxError) and exc.filename:
        # The parser's error has no frame in the program: its file and line are on the exception.
        location = _program_location(exc.filename, exc.lineno, program_dir) or location
        message = f"{type(exc).__name__}: {exc.msg}"
    elif isinstance(exc, SystemExit):
        message = f"the program called sys.exit({exc.code!r})"
    elif isinstance(exc, pulumi.RunError):
        message = str(exc)
    else:
        try:
            text = str(exc)
        except Exception:  # noqa: BLE001 - the program's own __str__ failed: say so, not what it raised
            text = "<str() of the exception failed>"
        message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return ProgramError(fold(message), location)


def _program_location(filename: str, lineno: Optional[int], program_dir: Path) -> Optional[str]:
    if filename.startswith("<"):  # <frozen runpy>, <string>: no file of the program's
        return None
    path = Path(filename).resolve()
    if not _is_program_file(path, program_dir) or path.relative_to(program_dir).parts[0] == "preflight":
        return None
    return f"{path.relative_to(program_dir).as_posix()}:{lineno or 0}"


def fold(message: str) -> str:
    """One line: preflight's errors are read by CI logs and annotations line by line."""
    return " | ".join(line.strip() for line in str(message).splitlines() if line.strip())


@contextlib.contextmanager
def _cli_environment(project: ProgramSpec, mode: str) -> Iterator[None]:
    """The environment and process state the language host sets up for a program."""
    env = {
        "PULUMI_PROJECT": project.name, "PULUMI_STACK": project.stack, "PULUMI_ORGANIZATION": ORGANIZATION,
        "PULUMI_DRY_RUN": "true" if mode == "preview" else "false",
        "PULUMI_CONFIG": json.dumps(project.config), "PULUMI_CONFIG_SECRET_KEYS": json.dumps(project.secret_keys),
        "PULUMI_ROOT_DIRECTORY": str(project.directory),
    }
    saved_env = {k: os.environ.get(k) for k in env}
    saved_cwd, saved_path, saved_argv = os.getcwd(), list(sys.path), list(sys.argv)
    os.environ.update(env)
    os.chdir(project.directory)
    sys.path.insert(0, str(project.main.parent))
    sys.argv = [str(project.main)]
    try:
        yield
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.argv = saved_argv


@contextlib.contextmanager
def _stack_reference_outputs_one_by_one(mode: str) -> Iterator[None]:
    """In preview, `get_output(name)` of a StackReference is unknown only when that output is.

    The engine reads a referenced stack from its last deployment, where every output is known. A
    stack of the same preflight run is itself previewed, so some of its outputs are unknown; the
    SDK holds the whole `outputs` map unknown then (an Output whose value contains an unknown is
    unknown), and every `get_output` with it. Here each output is read on its own, with the SDK's
    own secretness rule (secretOutputNames), so what is known of the other stack stays known."""
    cls = pulumi.StackReference
    is_secret_name = getattr(cls, "_StackReference__is_secret_name", None)
    names = ("get_output", "require_output", "get_output_details")
    if mode != "preview" or is_secret_name is None or not all(n in cls.__dict__ for n in names) \
            or "run_with_unknowns" not in inspect.signature(pulumi.Output.apply).parameters:
        yield
        return
    from pulumi.output import Unknown, contains_unknowns
    from pulumi.stack_reference import StackReferenceOutputDetails

    def pick(key, outputs, required: bool):
        if not isinstance(outputs, dict) or contains_unknowns(key):
            return Unknown()
        return outputs[key] if required else outputs.get(key)

    def one(self, name, required: bool):
        value = pulumi.Output.all(pulumi.Output.from_input(name), self.outputs).apply(
            lambda pair: pick(pair[0], pair[1], required), run_with_unknowns=True)
        is_secret = asyncio.ensure_future(is_secret_name(self, name))
        return pulumi.Output(value.resources(), value.future(), value.is_known(), is_secret)

    async def get_output_details(self, name):
        is_secret = await asyncio.ensure_future(is_secret_name(self, name))
        value = self.outputs.apply(lambda outputs: pick(name, outputs, False), run_with_unknowns=True)
        if not await value.is_known():
            return StackReferenceOutputDetails()
        found = await value.future()
        return StackReferenceOutputDetails(secret_value=found) if is_secret else StackReferenceOutputDetails(value=found)

    saved = {n: cls.__dict__[n] for n in names}
    cls.get_output = lambda self, name: one(self, name, False)
    cls.require_output = lambda self, name: one(self, name, True)
    cls.get_output_details = get_output_details
    try:
        yield
    finally:
        for n, method in saved.items():
            setattr(cls, n, method)


def _top_level_names(directory: Path) -> set[str]:
    names = set()
    for entry in directory.iterdir():
        if entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return names - {"preflight", "__main__"}


@contextlib.contextmanager
def _isolated_imports(program_dir: Path) -> Iterator[None]:
    names = _top_level_names(program_dir)

    def owned(mod_name: str) -> bool:
        return mod_name.split(".")[0] in names

    stashed = {k: v for k, v in sys.modules.items() if owned(k)}
    for key in stashed:
        del sys.modules[key]
    try:
        yield
    finally:
        for key in [k for k in sys.modules if owned(k)]:
            del sys.modules[key]
        sys.modules.update(stashed)


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    with contextlib.suppress(BaseException):
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
