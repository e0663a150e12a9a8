"""Logical names keyed by a value (an email, a CIDR) instead of its position in a config list.

A URN ends in the logical name: a name taken from a list index renames - and so replaces - every resource
after an entry that is inserted, removed or moved. A name taken from the value does not. Names stay readable
(`platform@example.com`, `10.0.0.0-16`) and distinct: two values never share one (`keyed` refuses it).
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
from typing import Callable, Iterable

_PLAIN = re.compile(r"[A-Za-z0-9._@+-]+")


def value_name(value: str) -> str:
    """`value` itself when it is plain; else its plain characters plus `~` and a digest of the whole value.
    `~` is never plain, so a digested name cannot equal a plain one."""
    if _PLAIN.fullmatch(value):
        return value
    readable = re.sub(r"[^A-Za-z0-9._@+-]+", "_", value).strip("_")
    return f"{readable}~{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def cidr_name(cidr: str) -> str:
    """`10.0.0.0/16` -> `10.0.0.0-16`: one name per network (address and prefix length identify it)."""
    network = ipaddress.IPv4Network(cidr, strict=True)
    return f"{network.network_address}-{network.prefixlen}"


def keyed(values: Iterable[str], name: Callable[[str], str], what: str) -> dict[str, str]:
    """name -> value, in the given order; a value listed twice (or two values with one name) is refused, as the
    engine would refuse the duplicate URN, but with the list named."""
    names: dict[str, str] = {}
    for value in values:
        key = name(value)
        if key in names:
            raise ValueError(f"{what} lists {value!r} twice" if names[key] == value else
                             f"{what} lists {names[key]!r} and {value!r}, which name one resource ({key!r})")
        names[key] = value
    return names
