"""IAM policy and trust documents as plain data."""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

VERSION = "2012-10-17"
Strs = Union[str, Sequence[str]]


def _one_or_many(values: Strs) -> Union[str, list[str]]:
    if isinstance(values, str):
        return values
    values = sorted(dict.fromkeys(values))
    return values[0] if len(values) == 1 else values


def statement(sid: str, actions: Strs, resources: Strs, *, effect: str = "Allow",
              conditions: Optional[Mapping[str, Mapping[str, Any]]] = None) -> dict[str, Any]:
    s: dict[str, Any] = {"Sid": sid, "Effect": effect, "Action": _one_or_many(actions),
                         "Resource": _one_or_many(resources)}
    if conditions:
        s["Condition"] = {op: dict(kv) for op, kv in conditions.items()}
    return s


def trust_statement(sid: str, principal: Mapping[str, Strs], *, action: str = "sts:AssumeRole",
                    conditions: Optional[Mapping[str, Mapping[str, Any]]] = None) -> dict[str, Any]:
    s: dict[str, Any] = {"Sid": sid, "Effect": "Allow",
                         "Principal": {k: _one_or_many(v) for k, v in principal.items()}, "Action": action}
    if conditions:
        s["Condition"] = {op: dict(kv) for op, kv in conditions.items()}
    return s


def document(statements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": [dict(s) for s in statements]}


def to_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False)
