"""Helpers for stack rules that join resources by property dependencies and name values.

A property that depends on another resource is usually unknown during preview; reading it would
abort the whole stack rule with the SDK's "can't be known" advisory. Joins therefore use the
dependency when there is one and read the value only when there is none.
"""
from __future__ import annotations

from typing import Any, Optional

from ._common import as_str, get


def dependency_urns(resource: Any, key: str) -> list[str]:
    return [d.urn for d in (resource.property_dependencies or {}).get(key) or []]


def known_str(resource: Any, key: str) -> str:
    """The string value of `key` when it depends on no other resource, else ""."""
    if dependency_urns(resource, key):
        return ""
    return as_str(get(resource.props, key))


def parent_urn(resource: Any) -> Optional[str]:
    """The parent component's URN; None for the stack itself (everything shares that parent)."""
    parent = resource.parent.urn if resource.parent is not None else getattr(resource.opts, "parent", None)
    if not parent or "::pulumi:pulumi:Stack::" in parent:
        return None
    return parent
