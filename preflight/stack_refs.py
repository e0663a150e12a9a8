"""Stack references: which stack a name means, and the outputs that answer it offline.

Names resolve as the CLI's backends resolve them (pkg/backend/diy/store.go ParseReference, and
httpstate/backend.go ParseStackReference alike): `<stack>`, `<org>/<stack>`, `<org>/<project>/<stack>`;
a missing (or empty) org is the current one — preflight's ORGANIZATION, the diy backend's fixed
"organization" — and a missing project is the current project. So `base`, `organization/base` and
`organization/<project>/base` are one stack, while `other/base` is stack base of the org `other`
(not of a project `other`). A name that does not parse is never another stack of the run.

A report carries the stack's exports (the root stack's RegisterResourceOutputs) as
`{"value": v}`, `{"unknown": true}` (preview) or `{"secret": true}` (`"unknown": true` too when it
was unknown): a secret's value is never written. Read back (`--stack-outputs NAME=FILE`) a secret
is a secret again — SECRET_OUTPUT_PLACEHOLDER, as a `secure:` config value is a placeholder — and
an unknown is unknown. The engine's StackReference state is {name, outputs, secretOutputNames}
(pkg/resource/deploy/builtins.go readStackReference): an output holding a secret anywhere is named
in secretOutputNames, so the SDK keeps it secret in the consuming program.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from preflight.names import stack_name_error
from preflight.program import ORGANIZATION

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_OUTPUT_PLACEHOLDER = "[preflight: secret stack output, not written to the report]"


class StackOutputsError(ValueError):
    """A --stack-outputs argument preflight cannot use; one line for the user."""


def full_name(name: str, project: str) -> Optional[str]:
    """`org/project/stack` of a reference made from `project`, or None when the name does not parse."""
    parts = name.split("/")
    if len(parts) == 1:
        org, proj, stack = "", "", parts[0]
    elif len(parts) == 2:
        (org, stack), proj = parts, ""
    elif len(parts) == 3:
        org, proj, stack = parts
    else:
        return None
    if stack_name_error(stack):
        return None
    return f"{org or ORGANIZATION}/{proj or project}/{stack}"


def stack_of(project: str, stack: str) -> str:
    return f"{ORGANIZATION}/{project}/{stack}"


def _has(value: Any, test) -> bool:
    if test(value):
        return True
    if isinstance(value, Mapping):
        return any(_has(v, test) for v in value.values())
    if isinstance(value, list):
        return any(_has(v, test) for v in value)
    return False


def has_secret(value: Any) -> bool:
    return _has(value, lambda v: isinstance(v, Mapping) and v.get(SIG_KEY) == SECRET_SIG)


def has_unknown(value: Any) -> bool:
    return _has(value, lambda v: v == UNKNOWN)


def _plain(value: Any) -> Any:
    """Struct numbers are doubles: a whole one prints as an integer, as the CLI's JSON does."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def report_outputs(wire: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The exports as a report shows them: no secret's value, unknowns marked."""
    shown: dict[str, dict[str, Any]] = {}
    for name in sorted(wire):
        value = wire[name]
        if has_secret(value):
            shown[name] = {"secret": True, "unknown": True} if has_unknown(value) else {"secret": True}
        elif has_unknown(value):
            shown[name] = {"unknown": True}
        else:
            shown[name] = {"value": _plain(value)}
    return shown


def answer(wire: Mapping[str, Any]) -> dict[str, Any]:
    """The StackReference state the engine returns for a stack with these exports."""
    return {"outputs": dict(wire), "secretOutputNames": sorted(k for k, v in wire.items() if has_secret(v))}


def _wire_of(entry: Any, where: str) -> Any:
    if not isinstance(entry, dict) or not entry or set(entry) - {"value", "secret", "unknown"} \
            or ("value" in entry) == bool(entry.get("secret") or entry.get("unknown")):
        raise StackOutputsError(f"{where}: expected {{\"value\": ...}}, {{\"secret\": true}} or "
                                f"{{\"unknown\": true}}, got {json.dumps(entry)[:80]}")
    if entry.get("secret"):
        return {SIG_KEY: SECRET_SIG, "value": UNKNOWN if entry.get("unknown") else SECRET_OUTPUT_PLACEHOLDER}
    if entry.get("unknown"):
        return UNKNOWN
    return entry["value"]


@dataclass
class FileOutputs:
    """One --stack-outputs NAME=FILE: the outputs of stack `stack` (org/project/stack) read from `path`."""
    name: str
    stack: str
    path: Path
    wire: dict[str, Any]


def load(spec: str, project: str, mode: str) -> FileOutputs:
    """`NAME=FILE` of --stack-outputs, checked: FILE is a JSON report (one stack's, or a multi-stack
    report holding NAME's project/stack; NAME's org may be any), written with outputs, usable in `mode`."""
    name, sep, file = spec.partition("=")
    if not sep or not name or not file:
        raise StackOutputsError(f"--stack-outputs {spec}: expected NAME=FILE")
    stack = full_name(name, project)
    if stack is None:
        raise StackOutputsError(f"--stack-outputs {spec}: {name!r} is not a stack name "
                                "(<stack>, <org>/<stack> or <org>/<project>/<stack>)")
    path = Path(file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise StackOutputsError(f"--stack-outputs {spec}: {e.strerror or e}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StackOutputsError(f"--stack-outputs {spec}: not a preflight JSON report ({e})") from None
    candidates = data.get("stacks") if isinstance(data, dict) and "stacks" in data else [data]
    reports = [c for c in candidates or [] if isinstance(c, dict) and "stack" in c and "project" in c]
    # A report knows its project and stack, not the org a program names it by (Pulumi Cloud's, say).
    wanted = stack.split("/", 1)[1]
    report = next((r for r in reports if f"{r['project']}/{r['stack']}" == wanted), None)
    if report is None:
        found = ", ".join(f"{r['project']}/{r['stack']}" for r in reports) or "no stack report"
        raise StackOutputsError(f"--stack-outputs {spec}: {file} has no report of {wanted} (it has {found})")
    if not isinstance(report.get("outputs"), dict):
        raise StackOutputsError(f"--stack-outputs {spec}: the report of {stack} in {file} has no outputs "
                                "(written by a preflight without --stack-outputs)")
    wire = {key: _wire_of(entry, f"--stack-outputs {spec}: output {key!r}")
            for key, entry in report["outputs"].items()}
    unknown = sorted(k for k, v in wire.items() if has_unknown(v))
    if mode == "up" and unknown:
        # Outside a preview the SDK reads an unknown as None: a --mode up run would check a value that is not there.
        raise StackOutputsError(f"--stack-outputs {spec}: outputs {', '.join(unknown)} of {stack} are unknown "
                                "until apply (a --mode preview report); --mode up needs a --mode up report")
    return FileOutputs(name=name, stack=stack, path=path, wire=wire)


def load_all(specs: list[str], project: str, mode: str, in_run: set[str]) -> dict[str, FileOutputs]:
    """Every --stack-outputs, by the stack it answers; a stack of the run is answered by the run."""
    loaded: dict[str, FileOutputs] = {}
    for spec in specs:
        outputs = load(spec, project, mode)
        if outputs.stack in in_run:
            raise StackOutputsError(f"--stack-outputs {spec}: {outputs.stack} is a stack of this run; "
                                    "its outputs come from the run")
        if outputs.stack in loaded:
            raise StackOutputsError(f"--stack-outputs {spec}: {outputs.stack} is already answered by "
                                    f"--stack-outputs {loaded[outputs.stack].name}={loaded[outputs.stack].path}")
        loaded[outputs.stack] = outputs
    return loaded
