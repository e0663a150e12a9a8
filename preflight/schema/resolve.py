"""From a resource type token to the Args class its provider's Python SDK declares for it.

Every generated provider package registers its resource modules with the SDK when it is imported
(`_utilities.register(resource_modules=<JSON of pkg, mod, fqn, classes>)` →
`pulumi.runtime.register_resource_module`), which is how the SDK rehydrates resource references.
The same registry names the module and class of a token, for any installed provider: no guessing
from the token's spelling.

The Args class is read from the resource class itself, never from its name: a resource `X`'s
args class is usually `XArgs`, but not when a nested type already took that name (resource
`BucketVersioning` takes `BucketVersioningInitArgs`; `BucketVersioningArgs` is a nested type).
"""
from __future__ import annotations

import importlib
import inspect
import sys
import typing
from dataclasses import dataclass
from typing import Optional

from preflight.schema.shapes import is_input_type


@dataclass
class Resolved:
    resource_cls: Optional[type] = None
    args_cls: Optional[type] = None
    reason: str = ""                 # why it could not be resolved


def resolve(token: str) -> Resolved:
    parts = token.split(":")
    if len(parts) != 3:
        return Resolved(reason="not a package:module:Type token")
    pkg, mod, _ = parts
    try:
        from pulumi.runtime.rpc import get_resource_module
    except ImportError:
        return Resolved(reason="this pulumi SDK has no resource module registry")
    module = get_resource_module(pkg, mod, "")
    if module is None:
        return Resolved(reason=f"no installed package registers resource module {pkg}:{mod}")
    info = getattr(module, "mod_info", None)
    if not isinstance(info, dict) or not isinstance(info.get("classes"), dict):
        return Resolved(reason=f"the {pkg} package's module registration does not name its classes")
    class_name = info["classes"].get(token)
    if class_name is None:
        return Resolved(reason=f"the installed {pkg} package does not know this type")
    try:
        resource_cls = getattr(importlib.import_module(info["fqn"]), class_name)
    except Exception as e:  # noqa: BLE001 - a package that fails on import is unchecked, not a crash
        return Resolved(reason=f"cannot import {info.get('fqn')}.{class_name}: {type(e).__name__}: {e}")
    args_cls = args_class(resource_cls)
    if args_cls is None:
        return Resolved(resource_cls, reason=f"{class_name} declares no args input type")
    return Resolved(resource_cls, args_cls)


def args_class(resource_cls: type) -> Optional[type]:
    """The input type of the `__init__(resource_name, args: XArgs, opts)` overload, else of its module's
    `__all__`."""
    module = sys.modules.get(resource_cls.__module__)
    namespace = vars(module) if module else {}
    for overload in _overloads(resource_cls.__init__):
        param = inspect.signature(overload).parameters.get("args")
        if param is None:
            continue
        annotation = param.annotation
        if isinstance(annotation, str):
            annotation = namespace.get(annotation.strip("'\""))
        if is_input_type(annotation):
            return annotation
    # Python < 3.11 keeps no overloads: the generated module exports exactly the resource and its args.
    exported = [namespace.get(name) for name in getattr(module, "__all__", ())]
    candidates = [c for c in exported if c is not resource_cls and is_input_type(c)]
    return candidates[0] if len(candidates) == 1 else None


def _overloads(func) -> list:
    get_overloads = getattr(typing, "get_overloads", None)
    return list(get_overloads(func)) if get_overloads else []
