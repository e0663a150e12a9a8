"""What a provider's Python SDK declares an input to be, read from its type annotations.

The SDK is generated from the provider's schema: every input type is a class marked by
`@pulumi.input_type` whose properties carry `@pulumi.getter(name=<wire name>)` and a return
annotation such as `pulumi.Input[Optional[Sequence[pulumi.Input['XArgs']]]]`. The annotations are
resolved the way pulumi/pulumi `sdk/python/lib/pulumi/_types.py` (`_raw_return_hints`) resolves
them: against the globals of the class's modules, with `Output` and `T` supplied.

Only the standard library and the `pulumi` SDK are imported: this runs in the program's own
interpreter, against the provider package version the program uses.
"""
from __future__ import annotations

import collections.abc as abc
import enum
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import pulumi

_NONE = type(None)


@dataclass(frozen=True)
class Prim:
    kind: str                       # "string" | "integer" | "number" | "boolean"


@dataclass(frozen=True)
class ListOf:
    item: "Shape"


@dataclass(frozen=True)
class MapOf:
    value: "Shape"


@dataclass(frozen=True)
class Obj:
    cls: type


@dataclass(frozen=True)
class EnumOf:
    """A closed set the SDK itself admits, with no plain-string alternative."""
    name: str
    values: tuple


@dataclass(frozen=True)
class OneOf:
    options: tuple


@dataclass(frozen=True)
class Opaque:
    """Any, an asset or archive, or an annotation not understood: nothing is checked."""
    why: str = "any"


Shape = Union[Prim, ListOf, MapOf, Obj, EnumOf, OneOf, Opaque]


@dataclass
class Field:
    wire: str
    python: str
    shape: Shape
    required: bool


@dataclass
class ObjectFields:
    fields: dict[str, Field]                                  # by wire name
    unresolved: list[str] = field(default_factory=list)       # wire names whose annotation did not resolve


def is_input_type(cls: Any) -> bool:
    return isinstance(cls, type) and hasattr(cls, "_pulumi_input_type")


def _is_output_type(cls: Any) -> bool:
    return isinstance(cls, type) and hasattr(cls, "_pulumi_output_type")


def _getter_name(prop: property) -> Optional[str]:
    return getattr(prop.fget, "_pulumi_name", None)


def _py_properties(cls: type) -> list[tuple[str, str, property]]:
    found: dict[str, tuple[str, str, property]] = {}
    for base in reversed(cls.__mro__):
        for python_name, value in vars(base).items():
            if isinstance(value, property) and (wire := _getter_name(value)) is not None:
                found[python_name] = (python_name, wire, value)
    return list(found.values())


def _globals_for(cls: type) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        module = sys.modules.get(base.__module__)
        if module is not None:
            merged.update(vars(module))
    return merged


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def is_optional(tp: Any) -> bool:
    if tp is _NONE:
        return True
    return _is_union(tp) and any(is_optional(arg) for arg in typing.get_args(tp))


def _plumbing(arg: Any) -> bool:
    """Members of `pulumi.Input[...]` that are not values on the wire: Awaitable, Output, TypedDicts."""
    if arg is _NONE or arg is pulumi.Output or typing.get_origin(arg) is pulumi.Output:
        return True
    if isinstance(arg, typing.ForwardRef):
        return arg.__forward_arg__.startswith("Output[")
    if typing.get_origin(arg) in (abc.Awaitable, abc.Coroutine, typing.Awaitable):
        return True
    return typing.is_typeddict(arg)


def _members(tp: Any) -> list[Any]:
    """The wire alternatives of an annotation, unions flattened and plumbing dropped."""
    if not _is_union(tp):
        return [] if _plumbing(tp) else [tp]
    out: list[Any] = []
    for arg in typing.get_args(tp):
        out.extend(_members(arg))
    return out


def _is_any_mapping(tp: Any) -> bool:
    return typing.get_origin(tp) in (dict, abc.Mapping) and typing.get_args(tp)[1:] == (Any,)


def shape_of(tp: Any) -> Shape:
    members = _members(tp)
    if any(is_input_type(m) for m in members):
        # InputType[T] adds Mapping[str, Any]; generated unions add the output class: both are T itself.
        members = [m for m in members if not _is_output_type(m) and not _is_any_mapping(m)]
    if any(m is str for m in members):
        # A plain str beside an enum: the SDK lets any string through (pulumi-aws enums are all of this form).
        members = [m for m in members if not (isinstance(m, type) and issubclass(m, enum.Enum)
                                              and issubclass(m, str))]
    unique = list(dict.fromkeys(members))
    if not unique:
        return Opaque("no value type")
    if len(unique) > 1:
        options = tuple(_single(m) for m in unique)
        return options[0] if all(isinstance(o, Opaque) for o in options) else OneOf(options)
    return _single(unique[0])


def _single(tp: Any) -> Shape:
    if tp is Any or tp is object:
        return Opaque()
    if tp is bool:
        return Prim("boolean")
    if tp is int:
        return Prim("integer")
    if tp is float:
        return Prim("number")
    if tp is str:
        return Prim("string")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp in (list, tuple) or origin in (list, tuple, abc.Sequence):
        return ListOf(shape_of(args[0]) if args else Opaque())
    if tp is dict or origin in (dict, abc.Mapping):
        return MapOf(shape_of(args[1]) if len(args) == 2 else Opaque())
    if isinstance(tp, type):
        if is_input_type(tp):
            return Obj(tp)
        if issubclass(tp, enum.Enum):
            return EnumOf(tp.__name__, tuple(m.value for m in tp))
        if issubclass(tp, (pulumi.Asset, pulumi.Archive)):
            return Opaque("asset or archive")
    return Opaque(f"annotation {tp!r}")


class Catalog:
    """Fields of input types, resolved once per class; counts what was walked for the cost figures."""

    def __init__(self) -> None:
        self._cache: dict[type, ObjectFields] = {}

    @property
    def types_resolved(self) -> int:
        return len(self._cache)

    def fields(self, cls: type) -> ObjectFields:
        cached = self._cache.get(cls)
        if cached is None:
            cached = self._cache[cls] = _read_fields(cls)
        return cached


def _read_fields(cls: type) -> ObjectFields:
    globalns = _globals_for(cls)
    localns = {"Output": pulumi.Output, "T": _NONE}
    out = ObjectFields(fields={})
    for python_name, wire, prop in _py_properties(cls):
        try:
            hint = typing.get_type_hints(prop.fget, globalns=globalns, localns=localns).get("return", Any)
        except Exception:  # noqa: BLE001 - an annotation naming what the package does not define
            out.unresolved.append(wire)
            out.fields[wire] = Field(wire, python_name, Opaque("unresolved annotation"), required=False)
            continue
        out.fields[wire] = Field(wire, python_name, shape_of(hint), required=not is_optional(hint))
    return out
