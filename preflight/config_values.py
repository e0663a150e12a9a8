"""Config values turned into the strings a program reads, and checked against declared types, as the CLI does.

Sources (github.com/pulumi/pulumi): sdk/go/common/resource/config/object.go (MarshalString, unmarshalObject,
isSecureValue), config/plaintext.go (marshalText: objects as Go encoding/json), pkg/workspace/config.go
(createConfigValue), sdk/go/common/workspace/project.go (ValidateConfigValue, InferFullTypeName).
"""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any, Optional

from preflight.go_time import GoTime

# Distinctive, so a program's error quoting it can be traced back to an undecryptable `secure:` value.
SECRET_PLACEHOLDER = "[preflight: secure value not decrypted offline]"
_ATOI = re.compile(r"[+-]?[0-9]+")


class ConfigValueError(ValueError):
    """A value the CLI cannot marshal (NaN, infinities)."""


def go_float(value: float) -> str:
    """encoding/json's float64 text: shortest digits, 'f' form for 1e-6 <= |x| < 1e21, else 'e' (e-7, not e-07)."""
    if not math.isfinite(value):
        raise ConfigValueError(f"json: unsupported value: {'NaN' if math.isnan(value) else '+Inf' if value > 0 else '-Inf'}")
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    if 1e-6 <= abs(value) < 1e21:
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    mantissa = "".join(map(str, digits))
    power = exponent + len(mantissa) - 1
    body = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    # Go writes e+21 / e-07 and encoding/json trims the latter to e-7: no padding survives either way.
    return f"{'-' if sign else ''}{body}e{'+' if power >= 0 else '-'}{abs(power)}"


def go_key(key: Any) -> str:
    """fmt %v of a non-string mapping key (object.go unmarshalObject on map[any]any)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "<nil>"
    if isinstance(key, float):
        return go_float(key)
    return str(key)


def is_secure(value: Any) -> bool:
    """object.go isSecureValue: a map of exactly one key `secure` whose value is a string."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def plain_object(value: Any, timestamp_as=str) -> tuple[Any, bool]:
    """(the JSON-ready value with secure leaves as the placeholder, whether one was found)."""
    if is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        out, found = {}, False
        for key, item in value.items():
            out[key if isinstance(key, str) else go_key(key)], secret = plain_object(item, timestamp_as)
            found = found or secret
        return out, found
    if isinstance(value, list):
        pairs = [plain_object(item, timestamp_as) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    if isinstance(value, GoTime):
        return timestamp_as(value), False
    return value, False


def go_json(value: Any) -> str:
    """encoding/json.Marshal: compact, map keys sorted, <, > and & escaped, floats in Go's form."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{go_json(k)}:{go_json(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                             ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
            text = text.replace(char, escape)
        return text
    if isinstance(value, float):
        return go_float(value)
    return json.dumps(value)


def stack_value(value: Any) -> tuple[str, bool, bool]:
    """(text the program reads, secret, object) of one `config:` entry of a stack file."""
    if is_secure(value):
        return SECRET_PLACEHOLDER, True, False
    if isinstance(value, (dict, list)):
        plain, secret = plain_object(value)
        return go_json(plain), secret, True
    if value is None:
        return "", False, False                # a null top-level value is the empty string (loaders.go)
    if isinstance(value, str):
        return str(value), False, False
    return go_json(value), False, False


def project_value(value: Any) -> str:
    """pkg/workspace/config.go createConfigValue: string, int and bool via %v, anything else as JSON."""
    if isinstance(value, GoTime):
        return go_json(value.rfc3339)
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or isinstance(value, int) and -2**63 <= value < 2**63:
        return go_json(value)
    plain, _ = plain_object(value, timestamp_as=lambda t: t.rfc3339)
    return go_json(plain)


def full_type_name(kind: str, items: Optional[dict]) -> str:
    """project.go InferFullTypeName: array<array<string>> and the like."""
    if items is not None:
        return f"array<{full_type_name(items.get('type', ''), items.get('items'))}>"
    return kind


def fits(kind: str, items: Optional[dict], value: Any) -> bool:
    """project.go ValidateConfigValue, on the Go values yaml.v3 or encoding/json produce."""
    if kind == "string":
        return isinstance(value, str) and not isinstance(value, GoTime)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return -2**63 <= value < 2**63
        if isinstance(value, float):
            return math.isfinite(value) and value == math.trunc(value)
        return isinstance(value, str) and bool(_ATOI.fullmatch(value)) and -2**63 <= int(value) < 2**63
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false") and isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    if not isinstance(value, list) or items is None:
        return False
    return all(fits(items.get("type", ""), items.get("items"), item) for item in value)


def stack_content(text: str, is_object: bool) -> Any:
    """What pkg/workspace/config.go validateStackConfigValue checks: the text, or its JSON (numbers float64)."""
    return json.loads(text, parse_int=float) if is_object else text
