"""The prod layout - the foundation (Pulumi.prod.yaml) and its four service stacks - as one preflight run
checks it.

    preflight("--policy-pack-config", ..., *LAYOUT_ARGS)    # `--stack prod --stack prod-orders ...` (not dev)
    for spec, run in run_layout("preview"): ...              # in process, foundation first

`run_layout` runs each stack's program as `preflight.program.run_program` does, each StackReference to a stack
of the layout answered with that stack's exports, as a multi-stack run answers it (preflight/stacks.py: the
root stack's outputs in wire form, `stack_refs.answer`); a reference to any other stack fails the run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from preflight import program, project, stack_refs
from preflight.monitor import ROOT_STACK_TYPE

ROOT = Path(__file__).resolve().parents[1]
PROD_LAYOUT = ("prod", "prod-orders", "prod-payments", "prod-catalog", "prod-notifier")   # foundation first
PROD_SERVICE_STACKS = PROD_LAYOUT[1:]
PROD_PACK_CONFIG = ROOT / "policies" / "config" / "prod.json"      # the pack config of every prod* stack
LAYOUT_ARGS = tuple(arg for stack in PROD_LAYOUT for arg in ("--stack", stack))


def exports(run: program.ProgramRun) -> dict[str, Any]:
    """The stack's outputs in wire form, as its root stack registered them (preflight.runner.root_outputs)."""
    root = next((r for r in run.monitor.registrations.values() if r.type == ROOT_STACK_TYPE), None)
    return dict(root.outputs) if root is not None else {}


def run_layout(mode: str, directory: Path = ROOT) -> list[tuple[project.Project, program.ProgramRun]]:
    """(stack spec, its run) for each stack of the prod layout, in dependency order."""
    published: dict[str, dict[str, Any]] = {}
    runs = []
    for stack in PROD_LAYOUT:
        spec = project.load(directory, stack)

        def answer(name: str, _project: str = spec.name) -> Optional[dict]:
            wire = published.get(stack_refs.full_name(name, _project) or "")
            assert wire is not None, f"{stack} reads {name}: no stack of the prod layout run before it"
            return stack_refs.answer(wire)
        run = program.run_program(spec, mode, stack_outputs=answer)
        assert run.mocks.stack_references == [], (stack, run.mocks.stack_references)
        published[stack_refs.stack_of(spec.name, stack)] = exports(run)
        runs.append((spec, run))
    return runs


def program_with(tmp_path: Path, stack_name: str, edit: Callable[[dict], None]) -> Path:
    """This repository's program linked into tmp_path, with an edited copy of Pulumi.<stack_name>.yaml."""
    dest = tmp_path / "program"
    dest.mkdir()
    stack_file = f"Pulumi.{stack_name}.yaml"
    for entry in ROOT.iterdir():
        if entry.name != stack_file:
            (dest / entry.name).symlink_to(entry)
    stack = yaml.safe_load((ROOT / stack_file).read_text())
    edit(stack["config"])
    (dest / stack_file).write_text(yaml.safe_dump(stack, sort_keys=False))
    return dest
