"""The provider-input-schema check over a program's registrations, run in the program host.

It runs in the program's own interpreter (preflight/host.py) so the provider package it reads is
the version the program registered with; what it finds travels to preflight in the `done` frame as
plain JSON (`SchemaResult.to_json`). A type it cannot resolve is listed as unchecked, never guessed;
a failure of the check itself becomes one unchecked note, so the run still ends with `done`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from preflight.schema.resolve import resolve
from preflight.schema.shapes import Catalog
from preflight.schema.walk import REQUIRED_MISSING, Walker

ALL_TYPES = "(all)"
# Inputs a provider takes in a form its SDK's types do not declare: (type token, path) -> the form.
PROVIDER_ACCEPTS = {
    # pulumi-docker provider/image.go marshalBuildAndApplyDefaults: "build can be nil, a string or an object".
    ("docker:index/image:Image", "build"): str,
}


@dataclass
class SchemaResult:
    findings: list[dict[str, str]] = field(default_factory=list)     # {"urn", "path", "message"}
    unchecked: dict[str, str] = field(default_factory=dict)          # type token -> reason
    resource_types: int = 0                                          # distinct types checked
    nested_types: int = 0                                            # distinct input types walked
    resources: int = 0                                               # registrations checked
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"findings": self.findings, "unchecked": self.unchecked, "resource_types": self.resource_types,
                "nested_types": self.nested_types, "resources": self.resources, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: Any) -> "SchemaResult":
        if not isinstance(data, dict):
            return cls(unchecked={ALL_TYPES: "the program host sent no schema result"})
        return cls(findings=list(data.get("findings") or []), unchecked=dict(data.get("unchecked") or {}),
                   resource_types=int(data.get("resource_types") or 0),
                   nested_types=int(data.get("nested_types") or 0), resources=int(data.get("resources") or 0),
                   seconds=float(data.get("seconds") or 0.0))


def check_registrations(registrations: Iterable[Any], unanswered_invokes: Sequence[str] = ()) -> SchemaResult:
    """Every custom, non-provider registration (objects with urn, type, custom, inputs). With invokes preflight
    could not answer, a missing required key may be one the invoke's real result would fill: listed, not a
    finding (pulumi/examples aws-py-fargate's subnets come from ec2.get_subnets)."""
    clock = time.perf_counter()
    try:
        result = _check(registrations)
        if unanswered_invokes:
            _defer_required(result, unanswered_invokes)
    except Exception as e:  # noqa: BLE001 - the run goes on; the report says what was not checked
        result = SchemaResult(unchecked={ALL_TYPES: f"the check failed: {type(e).__name__}: {e}"})
    result.seconds = time.perf_counter() - clock
    return result


def _check(registrations: Iterable[Any]) -> SchemaResult:
    result = SchemaResult()
    catalog = Catalog()
    walker = Walker(catalog)
    args_by_type: dict[str, Any] = {}
    for reg in registrations:
        if not reg.custom or reg.type.startswith("pulumi:providers:"):
            continue
        if reg.type not in args_by_type:
            resolved = resolve(reg.type)
            args_by_type[reg.type] = resolved.args_cls
            if resolved.args_cls is None:
                result.unchecked[reg.type] = resolved.reason
        args_cls = args_by_type[reg.type]
        if args_cls is None:
            continue
        try:
            found = list(walker.check_object(reg.inputs, args_cls, ""))
        except Exception as e:  # noqa: BLE001 - one type the walk cannot read leaves the others checked
            args_by_type[reg.type] = None
            result.unchecked[reg.type] = f"the check failed: {type(e).__name__}: {e}"
            continue
        result.resources += 1
        result.findings.extend({"urn": reg.urn, "path": path, "message": message} for path, message in found
                               if not _accepted(reg, path))
    result.resource_types = sum(1 for cls in args_by_type.values() if cls is not None)
    result.nested_types = max(catalog.types_resolved - result.resource_types, 0)
    return result


def _accepted(reg: Any, path: str) -> bool:
    form = PROVIDER_ACCEPTS.get((reg.type, path))
    return form is not None and isinstance(reg.inputs.get(path), form)


def _defer_required(result: SchemaResult, unanswered_invokes: Sequence[str]) -> None:
    kept = []
    for finding in result.findings:
        if finding["message"] == REQUIRED_MISSING:
            name = finding["urn"].rsplit("::", 1)[-1]
            result.unchecked[f"{finding['urn'].split('::')[2]} {name} {finding['path']}"] = (
                f"{REQUIRED_MISSING}, but the program made invokes preflight cannot answer offline "
                f"({', '.join(sorted(set(unanswered_invokes)))}); their results may fill it")
        else:
            kept.append(finding)
    result.findings = kept
