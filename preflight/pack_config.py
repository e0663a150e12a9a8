"""`--policy-pack-config` files, loaded, reconciled and validated as the Pulumi CLI does.

The CLI accepts per policy either an enforcement level string or an object holding
`enforcementLevel` plus the policy's properties; `all` sets the level of every policy.
Defaults come from each policy's config schema, and the result is validated against it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Optional

import jsonschema

VALID_LEVELS = ("advisory", "mandatory", "disabled", "remediate")


class PackConfigError(ValueError):
    """A config file the CLI would refuse; the message is one line for the user."""


def load(path: Optional[str | Path]) -> dict[str, dict[str, Any]]:
    """Parses a config file into {key: {"enforcementLevel"?: level, **properties}}."""
    if path is None:
        return {}
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as e:
        raise PackConfigError(f"policy pack config {p}: {e.strerror}") from None
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise PackConfigError(f"policy pack config {p}:{e.lineno}:{e.colno}: {e.msg}") from None
    return normalise(raw, source=str(p))


def normalise(raw: Any, source: str = "policy pack config") -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise PackConfigError(f"{source}: must be a JSON object, got {type(raw).__name__}")
    out: dict[str, dict[str, Any]] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        elif not isinstance(value, dict):
            raise PackConfigError(f"{source}: parsing {key!r}: {json.dumps(value)} is not a valid value; "
                                  "must be a string or object")
        level = value.get("enforcementLevel")
        if level is not None and level not in VALID_LEVELS:
            raise PackConfigError(f"{source}: parsing enforcement level for {key!r}: "
                                  f"{json.dumps(level)} is not a valid enforcement level")
        if value:
            out[key] = dict(value)
    return out


def reconcile(policies: list[Mapping[str, Any]], given: Mapping[str, Mapping[str, Any]]) -> dict[str, dict]:
    """Defaults from the schemas, then `all`, then per-policy values; validated like the CLI."""
    result: dict[str, dict[str, Any]] = {}
    for p in policies:
        props = {k: v["default"] for k, v in (p.get("configSchema", {}).get("properties") or {}).items()
                 if isinstance(v, dict) and "default" in v}
        result[p["name"]] = {"enforcementLevel": p.get("enforcementLevel", "advisory"), **props}
    all_level = (given.get("all") or {}).get("enforcementLevel")
    if all_level:
        for cfg in result.values():
            cfg["enforcementLevel"] = all_level
    for name, cfg in given.items():
        if name == "all":
            continue
        result.setdefault(name, {}).update(cfg)
    errors = validate(policies, result)
    if errors:
        raise PackConfigError("policy pack config is invalid: " + "; ".join(errors))
    return result


def validate(policies: list[Mapping[str, Any]], config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    errors = []
    for p in policies:
        schema = p.get("configSchema") or {}
        if not schema.get("properties"):
            continue
        full = {"type": "object", "properties": schema["properties"]}
        if schema.get("required"):
            full["required"] = schema["required"]
        props = {k: v for k, v in (config.get(p["name"]) or {}).items() if k != "enforcementLevel"}
        for err in jsonschema.Draft7Validator(full).iter_errors(props):
            where = ".".join(str(x) for x in err.absolute_path)
            errors.append(f"{p['name']}: {where + ': ' if where else ''}{err.message}")
    return errors
