"""Holds one recorded wire value against the shape the SDK declares, as the provider's Check would.

What is refused follows the bridged provider's Check (pulumi/pulumi-terraform-bridge
`pkg/tfbridge/provider.go` Check → `makeTerraformInputs` → the Terraform provider's
`ValidateResource`, hashicorp/terraform-plugin-sdk `helper/schema/schema.go`):

- a key the schema does not have: "Invalid or unknown key" (`schemaMap.validateObject`);
- a required key left out: "required field is not set";
- a list or map where a single value goes, a single value where a list, map or block goes;
- a string for a whole number that `strconv.ParseInt` refuses (the bridge converts it first), a string
  for a number or a bool that `mapstructure.WeakDecode` refuses. Strings, numbers and bools otherwise
  stand in for one another (the bridge and `WeakDecode` coerce), so they are not reported;
- wire numbers are floats: 3.0 is a whole number, and the bridge truncates 3.5 without complaint.

Unknowns (preview), assets, archives and resource references match anything; a secret is checked by
its inner value. A union is only held to the kinds its members allow.
"""
from __future__ import annotations

import difflib
import re
from typing import Any, Iterator

from preflight.schema.shapes import Catalog, EnumOf, ListOf, MapOf, Obj, OneOf, Opaque, Prim, Shape

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
OPAQUE_SIGS = frozenset({
    "c44067f5952c0a294b673a41bacd8c17",     # asset
    "0def7320c3a5731c473e5ecbe6d01bc7",     # archive
    "5cf8f73096256a8f31e491e813e4eb8e",     # resource reference
})
_GO_INT = re.compile(r"^[+-]?\d+$")
_GO_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$", re.I)
_GO_BOOLS = frozenset({"", "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"})
_IDENT = re.compile(r"^[A-Za-z_$][\w$-]*$")
MAX_LISTED_KEYS = 8

Finding = tuple[str, str]   # (key path, problem)


REQUIRED_MISSING = "required key is missing"

def join(path: str, key: str) -> str:
    step = key if _IDENT.match(key) else f'["{key}"]'
    if not path:
        return step
    return f"{path}.{step}" if _IDENT.match(key) else f"{path}{step}"


def plain(value: Any) -> tuple[bool, Any]:
    """(checkable, value): secrets and known outputs unwrapped; unknowns and opaque values not checkable."""
    while isinstance(value, dict) and SIG_KEY in value:
        sig = value[SIG_KEY]
        if sig == SECRET_SIG or (sig == OUTPUT_VALUE_SIG and "value" in value):
            value = value.get("value")
            continue
        return False, value
    if value is None or value == UNKNOWN:
        return False, value
    return True, value


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def preview(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else kind_of(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Walker:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def check_object(self, value: dict, cls: type, path: str) -> Iterator[Finding]:
        fields = self.catalog.fields(cls).fields
        for key, raw in value.items():
            if key.startswith("__"):        # the bridge's reserved keys (__defaults, __meta)
                continue
            field = fields.get(key)
            if field is None:
                yield join(path, key), "unknown key" + _suggestion(key, fields)
                continue
            yield from self.check(raw, field.shape, join(path, key))
        for wire, field in fields.items():
            if field.required and value.get(wire) is None:
                yield join(path, wire), REQUIRED_MISSING

    def check(self, raw: Any, shape: Shape, path: str) -> Iterator[Finding]:
        checkable, value = plain(raw)
        if not checkable or isinstance(shape, Opaque):
            return
        if isinstance(shape, OneOf):
            yield from self._one_of(value, shape, path)
        elif isinstance(shape, Obj):
            if isinstance(value, dict):
                yield from self.check_object(value, shape.cls, path)
            else:
                yield path, f"expected an object, got {preview(value)}"
        elif isinstance(shape, ListOf):
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield from self.check(item, shape.item, f"{path}[{i}]")
            else:
                yield path, f"expected a list, got {preview(value)}"
        elif isinstance(shape, MapOf):
            if isinstance(value, dict):
                for key, item in value.items():
                    yield from self.check(item, shape.value, join(path, key))
            else:
                yield path, f"expected a map, got {preview(value)}"
        elif isinstance(shape, EnumOf):
            if value not in shape.values:
                listed = ", ".join(repr(v) for v in shape.values[:MAX_LISTED_KEYS])
                more = ", ..." if len(shape.values) > MAX_LISTED_KEYS else ""
                yield path, f"{preview(value)} is not a {shape.name} value ({listed}{more})" + \
                    value_suggestion(value, shape.values)
        elif isinstance(shape, Prim):
            problem = primitive_problem(value, shape.kind)
            if problem:
                yield path, problem

    def _one_of(self, value: Any, shape: OneOf, path: str) -> Iterator[Finding]:
        if not any(_kind_fits(value, option) for option in shape.options):
            kinds = sorted({_kind_name(option) for option in shape.options})
            yield path, f"expected {' or '.join(kinds)}, got {preview(value)}"


def primitive_problem(value: Any, kind: str) -> str:
    if isinstance(value, (list, dict)):
        return f"expected {_ARTICLE[kind]}, got {kind_of(value)}"
    if kind == "integer":
        if isinstance(value, bool):
            return f"expected a whole number, got {value!r}"
        if isinstance(value, str) and not _GO_INT.match(value):
            return f"expected a whole number, got {value!r}"
    elif kind == "number":
        if isinstance(value, str) and not _GO_FLOAT.match(value):
            return f"expected a number, got {value!r}"
    elif kind == "boolean":
        if isinstance(value, str) and value not in _GO_BOOLS:
            return f"expected a bool, got {value!r}"
    return ""


_ARTICLE = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "a bool"}


def _kind_fits(value: Any, shape: Shape) -> bool:
    if isinstance(shape, (Opaque, OneOf)):
        return True
    if isinstance(shape, (Obj, MapOf)):
        return isinstance(value, dict)
    if isinstance(shape, ListOf):
        return isinstance(value, list)
    if isinstance(shape, EnumOf):
        return not isinstance(value, (list, dict))
    return not primitive_problem(value, shape.kind)


def _kind_name(shape: Shape) -> str:
    if isinstance(shape, (Obj, MapOf)):
        return "an object"
    if isinstance(shape, ListOf):
        return "a list"
    if isinstance(shape, Prim):
        return _ARTICLE[shape.kind]
    return "a value"


def _suggestion(key: str, fields: dict) -> str:
    """Did-you-mean over the wire names, the Python names and their lower-case forms, named by wire name."""
    spellings: dict[str, str] = {}
    for wire, field in fields.items():
        for spelling in (wire, field.python, wire.lower(), field.python.replace("_", "").lower()):
            spellings.setdefault(spelling, wire)
    probes = (key, key.lower(), key.replace("_", "").lower())
    for probe in probes:
        if probe in spellings and probe != key:
            return f"; did you mean '{spellings[probe]}'?"
    for probe in probes:
        match = difflib.get_close_matches(probe, list(spellings), n=1, cutoff=0.75)
        if match:
            return f"; did you mean '{spellings[match[0]]}'?"
    names = sorted(fields)
    listed = ", ".join(names[:MAX_LISTED_KEYS]) + (", ..." if len(names) > MAX_LISTED_KEYS else "")
    return f" (known keys: {listed})" if names else " (this type takes no keys)"


def value_suggestion(value: Any, allowed: tuple) -> str:
    strings = [v for v in allowed if isinstance(v, str)]
    if not isinstance(value, str) or not strings:
        return ""
    folded = {v.lower(): v for v in strings}
    if value.lower() in folded:
        return f"; did you mean '{folded[value.lower()]}'?"
    match = difflib.get_close_matches(value, strings, n=1, cutoff=0.75)
    return f"; did you mean '{match[0]}'?" if match else ""
