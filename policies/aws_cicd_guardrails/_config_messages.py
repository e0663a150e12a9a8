"""The one-line messages for a bad policy pack config, in one wording.

preflight (preflight/pack_config.py) words its refusals the same way, without importing this
pack: a user gets one text whether preflight or the pack under `pulumi preview` refuses.
Paths read `<policy>.<property>[<index>].<key>`.
"""
from __future__ import annotations

import difflib
import math
from typing import Any, Iterable, Mapping, Optional, Sequence

import jsonschema

PREFIX = "policy pack config: "
# Only the formats the rules' schemas use; the full checker would also judge emails, URIs, ...
FORMATS = jsonschema.FormatChecker(formats=("regex", "date"))


def where(parts: Sequence[Any]) -> str:
    head, rest = str(parts[0]), parts[1:]
    return head + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest)


def describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "format" and error.validator_value == "regex":
        return f"invalid regular expression {error.instance!r}: {error.cause}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{error.instance!r} is not a calendar date (YYYY-MM-DD)"
    if error.validator == "const":
        return f"must be {error.validator_value!r}, got {error.instance!r}"
    return error.message


def first_schema_error(validator: jsonschema.Draft7Validator, instance: Any, root: Sequence[Any]) -> Optional[str]:
    """The first error by path (then keyword), so preflight and the pack pick the same one."""
    errors = sorted(validator.iter_errors(instance), key=_order)
    if not errors:
        return None
    e = errors[0]
    return f"{where([*root, *e.absolute_path])}: {describe(e)}"


def _order(e: jsonschema.ValidationError) -> tuple:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in e.absolute_path), e.validator, e.message


def non_finite(value: Any, parts: Sequence[Any] = ()) -> Optional[str]:
    """JSON has no NaN or Infinity; a config holding one (Python's json reads both) is refused."""
    if isinstance(value, float) and not math.isfinite(value):
        literal = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
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


def cannot_be_waived(policy: str) -> str:
    return f"{policy}: cannot be waived; remove its waivers"
