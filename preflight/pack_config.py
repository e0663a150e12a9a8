"""`--policy-pack-config` files, loaded, reconciled and validated as the Pulumi CLI does, and more.

The CLI accepts per policy either an enforcement level string or an object holding
`enforcementLevel` plus the policy's properties; `all` sets the level of every policy.
Defaults come from each policy's config schema, and the result is validated against it.
Beyond the CLI, as the pack itself does at Configure (policies/aws_cicd_guardrails/_config_check.py, with the
same messages): NaN and infinities, unknown policy names and properties, invalid regular
expressions (`"format": "regex"`) and dates, and waivers of a policy that has no `waivers`
property (it cannot be waived). The first problem is the one-line error.
"""
from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import jsonschema

VALID_LEVELS = ("advisory", "mandatory", "disabled", "remediate")
PREFIX = "policy pack config: "
MAX_DEPTH = 64
FORMATS = jsonschema.FormatChecker(formats=("regex", "date"))


class PackConfigError(ValueError):
    """A config file the CLI or the pack would refuse; the message is one line for the user."""


class _NonFinite(float):
    """NaN, Infinity or an overflowing number as written, refused with its path once parsed."""

    def __new__(cls, literal: str) -> "_NonFinite":
        value = super().__new__(cls, literal)
        value.literal = literal
        return value


def _number(literal: str) -> float:
    value = float(literal)
    return value if math.isfinite(value) else _NonFinite(literal)


def load(path: Optional[str | Path]) -> dict[str, dict[str, Any]]:
    """Parses a config file into {key: {"enforcementLevel"?: level, **properties}}."""
    if path is None:
        return {}
    p = Path(path)
    try:
        data = p.read_bytes()
        text = data.decode()
    except OSError as e:
        raise PackConfigError(f"policy pack config {p}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise PackConfigError(f"policy pack config {p}: not UTF-8 (byte 0x{data[e.start]:02x} on line {line})") from None
    if not text.strip():
        return {}
    try:
        raw = json.loads(text, parse_constant=_NonFinite, parse_float=_number)
    except json.JSONDecodeError as e:
        raise PackConfigError(f"policy pack config {p}:{e.lineno}:{e.colno}: {e.msg}") from None
    except RecursionError:
        raise PackConfigError(f"policy pack config {p}: nested too deeply to parse") from None
    if _too_deep(raw):
        # Checked here, iteratively: validation recurses, and protobuf refuses a Struct nested past 100.
        raise PackConfigError(f"policy pack config {p}: nested deeper than {MAX_DEPTH} levels")
    return normalise(raw, source=f"policy pack config {p}")


def _too_deep(raw: Any) -> bool:
    stack = [(raw, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack += [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, depth + 1) for v in value]
    return False


def normalise(raw: Any, source: str = "policy pack config") -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise PackConfigError(f"{source}: must be a JSON object, got {type(raw).__name__}")
    found = non_finite(raw)
    if found:
        raise PackConfigError(f"{source}: {found}")
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
    """Defaults from the schemas, then `all`, then per-policy values; validated like the CLI and the pack."""
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
    errors = validate(policies, {**result, **({"all": given["all"]} if "all" in given else {})})
    if errors:
        raise PackConfigError(PREFIX + errors[0])
    return result


def validate(policies: list[Mapping[str, Any]], config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every problem, first one first: non-finite numbers, unknown policies, then policy by policy."""
    props_of = {name: {k: v for k, v in (cfg or {}).items() if k != "enforcementLevel"}
                for name, cfg in config.items()}
    found = non_finite(props_of)
    errors = [found] if found else []
    schemas = {p["name"]: _ints(p.get("configSchema") or {}) for p in policies}
    errors += [unknown_policy(n, schemas) for n in sorted(config) if n != "all" and n not in schemas]
    for name in sorted(config):
        if name == "all":
            problem = unknown_property("all", sorted(props_of[name])[0], ()) if props_of[name] else None
        elif name in schemas:
            problem = _policy_problem(name, schemas[name], _ints(props_of[name]))
        else:
            continue
        if problem:
            errors.append(problem)
    return errors


def _policy_problem(name: str, schema: Mapping[str, Any], props: Mapping[str, Any]) -> Optional[str]:
    known = schema.get("properties") or {}
    if "waivers" in props and "waivers" not in known:
        return f"{name}: cannot be waived; remove its waivers"
    for key in sorted(props):
        if key not in known:
            return unknown_property(name, key, known)
    full = {"type": "object", "properties": known}
    if schema.get("required"):
        full["required"] = schema["required"]
    errors = sorted(jsonschema.Draft7Validator(full, format_checker=FORMATS).iter_errors(props), key=_order)
    return f"{where([name, *errors[0].absolute_path])}: {describe(errors[0])}" if errors else None


# ---- the wording, as policies/aws_cicd_guardrails/_config_messages.py has it -----------------

def where(parts: Sequence[Any]) -> str:
    return str(parts[0]) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts[1:])


def describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "format" and error.validator_value == "regex":
        return f"invalid regular expression {error.instance!r}: {error.cause}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{error.instance!r} is not a calendar date (YYYY-MM-DD)"
    if error.validator == "const":
        return f"must be {error.validator_value!r}, got {error.instance!r}"
    return error.message


def _order(e: jsonschema.ValidationError) -> tuple:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in e.absolute_path), e.validator, e.message


def non_finite(value: Any, parts: Sequence[Any] = ()) -> Optional[str]:
    if isinstance(value, float) and not math.isfinite(value):
        literal = getattr(value, "literal", None) or (
            "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
        return f"{where(parts)}: must be a finite number, got {literal}"
    if isinstance(value, Mapping):
        children: Iterable = ((k, value[k]) for k in sorted(value))
    elif isinstance(value, (list, tuple)):
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = non_finite(child, [*parts, key])
        if found:
            return found
    return None


def unknown_policy(name: str, known: Iterable[str]) -> str:
    hint = difflib.get_close_matches(name, [*known, "all"], n=1)
    return f"unknown policy {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")


def unknown_property(policy: str, key: str, known: Iterable[str]) -> str:
    known = sorted(known)
    hint = difflib.get_close_matches(key, [*known, "enforcementLevel"], n=1)
    if hint:
        tail = f"did you mean {hint[0]!r}?"
    elif known:
        tail = f"{policy} takes {', '.join(known)}"
    else:
        tail = f"{policy} takes no properties"
    return f"{policy}.{key}: unknown property; {tail}"


def _ints(value: Any) -> Any:
    """Whole doubles as integers: the schemas (and the pack's config) cross gRPC as Struct doubles."""
    if isinstance(value, Mapping):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
