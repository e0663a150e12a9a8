"""The platform program run as preflight runs it (`preflight.program.run_program`), for the hygiene tests.

    run = run_stack("prod", {"notifications": {...}})   # top-level keys of the project (None deletes one)
    run.monitor.registrations                            # URN -> preflight.monitor.Registration (wire form)
    run = run(monolith_prod_spec())                      # the prod layout before the split: one stack
    run = run(stack_spec("prod-orders"), stack_outputs={"prod": exports(foundation_run)})

`CallOrder` records the order in which the *program* registers resources and component outputs. The monitor
cannot: the SDK sends both RPCs asynchronously (each waits for its own inputs), so on the wire a component's
outputs often arrive before children it created earlier.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi
import pulumi.resource
import yaml
from google.protobuf import json_format
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings

from preflight import program, project
from preflight.monitor import ROOT_STACK_TYPE, build_urn

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "aws-cicd-platform"
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def stack_spec(stack: str, overrides: Optional[Mapping[str, Any]] = None, *, directory: Path = ROOT,
               secret_keys: tuple[str, ...] = ()) -> project.Project:
    """The stack as the CLI hands it to the program, with top-level keys replaced (objects as JSON)."""
    spec = project.load(directory, stack)
    config = dict(spec.config)
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{NAMESPACE}:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value if isinstance(value, str) else json.dumps(value)
    return dataclasses.replace(spec, config=config, secret_keys=sorted({*spec.secret_keys, *secret_keys}))


def monolith_prod_spec() -> project.Project:
    """Stack prod with the monolith's config (tests/components/data/monolith_prod.yaml) in place of the
    foundation's: every key of the data file, and the scope keys at their Pulumi.yaml defaults."""
    data = yaml.safe_load((Path(__file__).parent / "data" / "monolith_prod.yaml").read_text())["config"]
    values = {**{k: None for k in project.load(ROOT, "prod").config if k.startswith(f"{NAMESPACE}:")},
              f"{NAMESPACE}:scope": "monolith", f"{NAMESPACE}:serviceStacks": {}, **data}
    return stack_spec("prod", values)


def run(spec: project.Project, mode: str = "preview",
        stack_outputs: Optional[Mapping[str, Mapping[str, Any]]] = None) -> program.ProgramRun:
    """`stack_outputs`: referenced stack name -> its exports in wire form, answering its StackReference as the
    engine does (pkg/resource/deploy/builtins.go readStackReference); any other reference reads no outputs."""
    # A run that failed leaves its pending RPCs and outputs in the SDK's process-wide settings, bound to its
    # closed event loop; the next in-process run would wait on them ("Event loop is closed").
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()
    if stack_outputs is None:
        return program.run_program(spec, mode)

    def answer(name: str) -> Optional[dict]:
        wire = stack_outputs.get(name)
        return None if wire is None else {"outputs": dict(wire), "secretOutputNames": []}
    return program.run_program(spec, mode, stack_outputs=answer)


def exports(run_: program.ProgramRun) -> dict[str, Any]:
    """The stack's outputs in wire form, as the root stack registered them (unknowns as the SDK's sentinel)."""
    root = next(r for r in run_.monitor.registrations.values() if r.type == ROOT_STACK_TYPE)
    return dict(root.outputs)


def run_stack(stack: str, overrides: Optional[Mapping[str, Any]] = None, mode: str = "preview",
              **kwargs) -> program.ProgramRun:
    return run(stack_spec(stack, overrides, **kwargs), mode)


@dataclasses.dataclass
class Call:
    seq: int
    urn: str
    type: str
    custom: bool
    parent_urn: str


class CallOrder:
    """Wraps the SDK functions `Resource.__init__` and `ComponentResource.register_outputs` call (their names in
    pulumi/resource.py) to number each registration and each outputs call in program order."""

    def __init__(self, stack: str, project_name: str = NAMESPACE) -> None:
        self.stack, self.project = stack, project_name
        self.calls: dict[int, Call] = {}          # id(resource) -> its registration
        self.outputs: dict[str, list[int]] = {}   # component URN -> seq of each register_outputs call
        self._seq = 0
        self._root_urn = ""
        self._alive: list[Any] = []               # keeps id() unique for the run

    def install(self, monkeypatch) -> None:
        register, register_outputs = pulumi.resource.register_resource, pulumi.resource.register_resource_outputs

        def recording_register(res, t, name, custom, remote, *rest):
            opts = rest[2] if len(rest) > 2 else None
            self._record(res, t, name, custom, getattr(opts, "parent", None))
            return register(res, t, name, custom, remote, *rest)

        def recording_outputs(res, outputs):
            self._seq += 1
            self.outputs.setdefault(self.calls[id(res)].urn, []).append(self._seq)
            return register_outputs(res, outputs)

        monkeypatch.setattr(pulumi.resource, "register_resource", recording_register)
        monkeypatch.setattr(pulumi.resource, "register_resource_outputs", recording_outputs)

    def _record(self, res, t: str, name: str, custom: bool, parent) -> None:
        self._seq += 1
        if t == ROOT_STACK_TYPE:
            urn = self._root_urn = build_urn(self.stack, self.project, "", t, name)
            parent_urn = ""
        else:
            # A resource without a parent is the root stack's child (the SDK fills it in later).
            parent_urn = self.calls[id(parent)].urn if parent is not None else self._root_urn
            urn = build_urn(self.stack, self.project, parent_urn, t, name)
        self.calls[id(res)] = Call(self._seq, urn, t, bool(custom), parent_urn)
        self._alive.append(res)

    def late_children(self) -> list[tuple[str, str]]:
        """(component URN, child URN) of every child registered after its component's register_outputs."""
        late = []
        for call in self.calls.values():
            done = self.outputs.get(call.parent_urn)
            if done and call.seq > done[0] and call.parent_urn != self._root_urn:
                late.append((call.parent_urn, call.urn))
        return sorted(late)

    def components(self) -> list[str]:
        """The program's components. Not the root stack: under the SDK's mocks (`set_mocks`) it is created and
        finished before the program runs; `pulumi up` finishes it after the program (runtime/stack.py)."""
        return sorted(c.urn for c in self.calls.values() if not c.custom and c.type != ROOT_STACK_TYPE)


class Exports:
    """Stack outputs in wire form (secrets in the SDK's signature), as `pulumi up` registers them. Under the SDK's
    mocks the root stack registers its outputs before the program runs, so exports never reach the monitor."""

    def __init__(self) -> None:
        self.wire: dict[str, Any] = {}

    def install(self, monkeypatch) -> None:
        export = pulumi.export

        def recording_export(name: str, value: Any) -> None:
            async def serialize() -> None:
                self.wire.update(json_format.MessageToDict(await rpc.serialize_properties({name: value}, {})))
            asyncio.ensure_future(pulumi_settings._get_rpc_manager().do_rpc("export", serialize)())
            export(name, value)

        monkeypatch.setattr(pulumi, "export", recording_export)


def plaintext_leaks(value: Any, needle: str) -> list[str]:
    """Paths in a wire value where `needle` appears outside a secret."""
    if isinstance(value, dict):
        if all(value.get(k) == v for k, v in SECRET_SIG.items()):
            return []
        return [f".{k}{p}" for k, v in value.items() for p in plaintext_leaks(v, needle)]
    if isinstance(value, list):
        return [f"[{i}]{p}" for i, v in enumerate(value) for p in plaintext_leaks(v, needle)]
    return [""] if isinstance(value, str) and needle in value else []
