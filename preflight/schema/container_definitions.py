"""ECS containerDefinitions (aws:ecs/taskDefinition:TaskDefinition) against ECS's API model.

What the provider does with the JSON (terraform-provider-aws internal/service/ecs/container_definitions.go,
expandContainerDefinitions, run by the container_definitions ValidateFunc, so at `pulumi preview`): Go
encoding/json into aws-sdk-go-v2 types.ContainerDefinition. Hence:
- not JSON, a wrong JSON kind (a string "256" for the integer cpu, a float for an integer, "true" for a
  boolean, an object for a list), an integer beyond int32, an empty container: preview refuses it;
- an unknown key (a typo such as containerPot) is silently dropped: no error anywhere, the setting never
  reaches ECS. It is still a finding: the program says something AWS never hears;
- key case is folded (encoding/json matches field names case-insensitively): `CPU` is read as cpu;
- enum values (other than versionConsistency) and required members are not looked at by the provider:
  RegisterTaskDefinition refuses them at `pulumi up`.
The model is botocore's, already in preflight's virtualenv (parliament -> boto3 -> botocore): it costs
nothing extra and follows the API as botocore ships it.
"""
from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from typing import Any, Optional

import botocore.loaders

from preflight.protocol import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN

# Go's int32/int64, which the SDK uses for the model's integer/long.
_INT_RANGES = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}
# Required by the ECS task definition parameters reference, though the API model leaves them optional
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
_DOCUMENTED_REQUIRED = {"ContainerDefinition": ("name", "image")}
PREVIEW = "pulumi preview refuses it"
UP = "RegisterTaskDefinition refuses it at pulumi up"
DROPPED = "the provider drops it silently, so ECS never sees it"
# Enums the provider itself checks before calling AWS (isValidVersionConsistency).
_PROVIDER_ENUMS = {"versionConsistency"}
# The SDK's non-pointer fields, whose zero value counts as absent when the provider asks whether a
# container is empty; every other member decodes to a pointer, slice or map that is set once given.
_ZERO = {"cpu": 0, "versionConsistency": ""}


@dataclass(frozen=True)
class _Mode:
    fold_case: bool       # encoding/json's case-insensitive field match
    reveal: bool          # values may be quoted in messages (not when the document was a secret)
    preview: str
    up: str
    dropped: str
    undecodable: str      # why a wrong JSON kind is refused


def check_container_definitions(value: Any) -> list[tuple[str, str]]:
    """(path relative to the container list, message), e.g. ('[0].portMappings[0].containerPot', ...)."""
    value, secret = _plain(value)
    if not isinstance(value, str) or value == UNKNOWN:
        return []
    mode = _Mode(True, not secret, PREVIEW, UP, DROPPED, f"the provider cannot decode it, so {PREVIEW}")
    try:
        doc = json.loads(value, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        return [("", f"not valid JSON ({e.msg} at line {e.lineno} column {e.colno}); {mode.undecodable}")]
    except ValueError as e:
        return [("", f"not valid JSON ({e}); {mode.undecodable}")]
    if not isinstance(doc, list):
        return _wrong(doc, "a JSON array of container definitions", "", mode)
    if not doc:
        return [("", f"no container definitions; {UP}")]
    findings = []
    for i, container in enumerate(doc):
        if container is None or isinstance(container, dict) and not _meaningful(container, mode):
            findings.append((f"[{i}]", f"an empty container definition; {PREVIEW} (the provider checks it)"))
        if container is not None:
            findings += _check("ContainerDefinition", container, f"[{i}]", mode)
    return findings


def check_task_definition_template(doc: Any) -> list[tuple[str, str]]:
    """The taskdef.json CodeDeployToECS registers, against RegisterTaskDefinitionRequest."""
    where = "RegisterTaskDefinition refuses it when the deploy action registers the template"
    mode = _Mode(False, True, where, where, "ECS has no such field", where)
    return _check("RegisterTaskDefinitionRequest", doc, "", mode)


@functools.lru_cache(maxsize=1)
def _shapes() -> dict:
    return botocore.loaders.create_loader().load_service_model("ecs", "service-2")["shapes"]


def _plain(value: Any) -> tuple[Any, bool]:
    secret = False
    while isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG:
        value, secret = value.get("value"), True
    return value, secret


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _meaningful(container: dict, mode: _Mode) -> bool:
    """Whether anything of the container survives decoding (the provider refuses an all-zero one)."""
    members = _shapes()["ContainerDefinition"]["members"]
    for key, value in container.items():
        member = _member(key, members, mode)
        if member and value is not None and not (member in _ZERO and value == _ZERO[member]):
            return True
    return False


def _member(key: str, members: dict, mode: _Mode) -> Optional[str]:
    if key in members:
        return key
    if mode.fold_case:
        return next((m for m in members if m.lower() == key.lower()), None)
    return None


def _check(shape_name: str, value: Any, path: str, mode: _Mode) -> list[tuple[str, str]]:
    if value is None or value == UNKNOWN:
        return []
    shape = _shapes()[shape_name]
    kind = shape["type"]
    if kind == "structure":
        return _check_structure(shape_name, shape, value, path, mode)
    if kind == "list":
        if not isinstance(value, list):
            return _wrong(value, "an array", path, mode)
        return [f for i, item in enumerate(value) for f in _check(shape["member"]["shape"], item,
                                                                   f"{path}[{i}]", mode)]
    if kind == "map":
        if not isinstance(value, dict):
            return _wrong(value, f"an object of {shape['value']['shape']} values", path, mode)
        return [f for k, v in value.items() for f in _check(shape["value"]["shape"], v, f"{path}.{k}", mode)]
    return _check_scalar(shape, value, path, mode)


def _check_structure(name: str, shape: dict, value: Any, path: str, mode: _Mode) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return _wrong(value, f"a {name} object", path, mode)
    members, findings, present = shape["members"], [], set()
    prefix = f"{path}." if path else ""
    for key, item in value.items():
        member = _member(key, members, mode)
        if member is None:
            hint = _did_you_mean(key, members)
            findings.append((f"{prefix}{key}", f"{key!r} is not a {name} member{hint}; {mode.dropped}"))
            continue
        if item is not None:
            present.add(member)
        found = _check(members[member]["shape"], item, f"{prefix}{key}", mode)
        if member in _PROVIDER_ENUMS and mode.fold_case:
            found = [(p, m.replace(mode.up, f"{mode.preview} (the provider checks it)")) for p, m in found]
        findings += found
    for member in (*shape.get("required", ()), *_DOCUMENTED_REQUIRED.get(name, ())):
        if member not in present:
            findings.append((f"{prefix}{member}", f"{name} needs {member}; {mode.up}"))
    return findings


def _check_scalar(shape: dict, value: Any, path: str, mode: _Mode) -> list[tuple[str, str]]:
    kind = shape["type"]
    if kind == "string":
        if not isinstance(value, str):
            return _wrong(value, "a string", path, mode)
        if "enum" in shape and value not in shape["enum"]:
            shown = repr(value) if mode.reveal else "the secret value"
            return [(path, f"{shown} is not one of {'|'.join(shape['enum'])}; {mode.up}")]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else _wrong(value, "true|false", path, mode)
    if kind in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong(value, "an integer", path, mode)
        low, high = _INT_RANGES[kind]
        if not low <= value <= high:
            return [(path, f"{value} is out of the {kind} range; {mode.undecodable}")]
        low, high = shape.get("min", low), shape.get("max", high)
        return [] if low <= value <= high else [(path, f"{value} is not within {low}-{high}; {mode.up}")]
    return []


def _did_you_mean(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _wrong(value: Any, wanted: str, path: str, mode: _Mode) -> list[tuple[str, str]]:
    return [(path, f"{_kind(value, mode.reveal)} where {wanted} belongs; {mode.undecodable}")]


def _kind(value: Any, reveal: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float, str)):
        kind = "boolean" if isinstance(value, bool) else "string" if isinstance(value, str) else "number"
        return f"the {kind} {json.dumps(value)}" if reveal else f"a {kind}"
    return "an array" if isinstance(value, list) else "an object"
