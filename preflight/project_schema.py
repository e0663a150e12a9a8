"""Pulumi.yaml validated against the CLI's own JSON schema, before anything else reads it.

Mirrors github.com/pulumi/pulumi sdk/go/common/workspace/project.go ValidateProject (the name checks it
makes first, then the schema in project_schema.json, with findClosestKey / getSchemaPathAttributes
suggestions). The CLI lists every schema error; one line here carries the most relevant one.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import jsonschema
from jsonschema.exceptions import best_match

_GO_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
             type(None): "null"}


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads((Path(__file__).with_name("project_schema.json")).read_text())


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def closest_key(needle: str, keys, max_distance: int = 2) -> str:
    """project.go findClosestKey: smallest case-insensitive Levenshtein distance, ties alphabetical."""
    match, best = "", max_distance + 1
    for key in sorted(keys):
        d = _distance(needle.lower(), key.lower())
        if d == 0:
            return key
        if d < best:
            match, best = key, d
    return match


def _attributes(path: list) -> dict:
    """project.go getSchemaPathAttributes: the properties the schema allows at an instance path."""
    root = _schema()
    node = root

    def deref(schema: dict) -> dict:
        ref = schema.get("$ref", "")
        return root["$defs"][ref.rsplit("/", 1)[-1]] if ref.startswith("#/$defs/") else schema

    for part in path:
        node = deref(node)
        if isinstance(part, str) and part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(part, int) and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            return {}
    return dict(deref(node).get("properties", {}))


def _message(error: jsonschema.ValidationError) -> str:
    kind = error.validator
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        msg = "additionalProperties " + ", ".join(f"'{k}'" for k in extra) + " not allowed"
        attributes = _attributes(list(error.absolute_path))
        closest = closest_key(extra[-1], attributes)
        if closest:
            return f"{msg}; did you mean '{closest}'?"
        valid = sorted(f"'{k}'" for k in attributes)
        if len(valid) > 1:
            return f"{msg}; the allowed attributes are {', '.join(valid[:-1])} and {valid[-1]}"
        return f"{msg}; the only allowed attribute is {valid[0]}" if valid else msg
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"expected {' or '.join(wanted)}, but got {_GO_TYPES.get(type(error.instance), 'unknown')}"
    if kind == "enum":
        return "value must be one of " + ", ".join(json.dumps(v) for v in error.validator_value)
    if kind == "oneOf":
        return "oneOf failed, none matched"
    if kind == "const":
        return f"value must be {json.dumps(error.validator_value)}"
    if kind == "minLength":
        return f"length must be >= {error.validator_value}, but got {len(error.instance)}"
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return "missing properties: " + ", ".join(f"'{k}'" for k in missing)
    return error.message


def validate(project: Any) -> Optional[tuple[str, tuple]]:
    """(message, instance path) of the first problem the CLI reports, or None."""
    if "name" not in project:
        closest = closest_key("name", project)
        if closest:
            return f"project is missing a 'name' attribute; found '{closest}' instead", ()
        return "project is missing a 'name' attribute", ()
    if not isinstance(project["name"], str) or project["name"] == "":
        return "project is missing a non-empty string 'name' attribute", ("name",)
    if "runtime" not in project:
        closest = closest_key("runtime", project)
        if closest:
            return f"project is missing a 'runtime' attribute; found '{closest}' instead", ()
        return "project is missing a 'runtime' attribute", ()
    validator = jsonschema.Draft202012Validator(_schema())
    error = best_match(validator.iter_errors(project))
    if error is None:
        return None
    path = tuple(error.absolute_path)
    return f"#/{'/'.join(map(str, path))}: {_message(error)}", path
