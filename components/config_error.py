"""The one-line diagnostic of a broken config rule: `aws-cicd-platform:<key path>: <rule>, got <value>`, and its
translation from pydantic's errors (the key path in the user's own spelling)."""
from __future__ import annotations

import json
from typing import Any

import pulumi
from pydantic import ValidationError

NAMESPACE = "aws-cicd-platform"
SECRET = object()       # stands for a secret value, which a diagnostic never prints


class ConfigError(pulumi.RunError):
    """A config value broke a rule. `str()` is the one-line diagnostic; RunError prints without a traceback."""

    def __init__(self, path: str, rule: str, value: Any) -> None:
        self.path, self.rule, self.value = path, rule, value
        super().__init__(f"{NAMESPACE}:{path}: {rule}, got {show(value)}")


def show(value: Any) -> str:
    if value is None:
        return "nothing"
    if value is SECRET:
        return "[secret]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


_MESSAGES = {
    "missing": "is required", "extra_forbidden": "is not a known key", "int_parsing": "must be an integer",
    "int_type": "must be an integer", "int_from_float": "must be an integer", "bool_parsing": "must be true or false",
    "bool_type": "must be true or false", "string_type": "must be a string", "list_type": "must be a list",
    "dict_type": "must be an object", "model_type": "must be an object", "model_attributes_type": "must be an object",
    "union_tag_invalid": "must be one of ecs, lambda", "union_tag_not_found": "must be one of ecs, lambda",
}


def _path(loc: tuple, raw: Any, error_type: str) -> str:
    """Key path in the user's own spelling; skips discriminator tags pydantic inserts into `loc`."""
    parts, node = [], raw
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, list) and isinstance(item, int):
            parts.append(f"[{item}]")
            node = node[item] if item < len(node) else None
        elif isinstance(node, dict) and (item in node or last):
            parts.append(f".{item}")
            node = node.get(item)
        # else: a union tag such as "ecs", not a key of the user's data
    if error_type in ("union_tag_invalid", "union_tag_not_found"):
        parts.append(".kind")
    return "".join(parts).lstrip(".")


def first_error(exc: ValidationError, raw: dict) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    kind = err["type"]
    if kind == "value_error":
        rule = str(err["ctx"]["error"])
    elif kind == "literal_error":
        rule = f"must be {err['ctx']['expected']}"
    elif kind == "too_short":
        rule = f"must have at least {err['ctx']['min_length']} item(s)"
    else:
        rule = _MESSAGES.get(kind, err["msg"][0].lower() + err["msg"][1:])
    value = None if kind == "missing" else err.get("input")
    if kind in ("union_tag_invalid", "union_tag_not_found") and isinstance(value, dict):
        value = value.get("kind")
    return ConfigError(_path(tuple(err["loc"]), raw, kind), rule, value)
