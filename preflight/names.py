"""Project and stack names checked by the CLI's own rules, with its wording.

Sources (github.com/pulumi/pulumi): sdk/go/common/tokens/project.go ValidateProjectName,
sdk/go/common/tokens/names.go IsName, sdk/go/common/tokens/stack_name.go ParseStackName.
Lengths are counted in bytes, as Go's len() does.
"""
from __future__ import annotations

import re
from typing import Optional

_NAME = re.compile(r"[A-Za-z0-9_.-][A-Za-z0-9_.-]*")
_STACK_PREFIX = re.compile(r"[A-Za-z0-9_.-]*")


def project_name_error(name: str) -> Optional[str]:
    """tokens.ValidateProjectName's message, or None for a valid name."""
    if name == "":
        return "project names may not be empty"
    if len(name.encode()) > 100:
        return "project names are limited to 100 characters"
    if not _NAME.fullmatch(name):
        return "project names may only contain alphanumerics, hyphens, underscores, and periods"
    return None


def _go_quote_byte(byte: int) -> str:
    """fmt %q of a byte: Go quotes it as the rune of the same value."""
    char = chr(byte)
    return f"'{char}'" if char.isprintable() and char not in "'\\" else "'\\x%02x'" % byte


def stack_name_error(name: str) -> Optional[str]:
    """tokens.ParseStackName's message, or None for a valid name."""
    if name == "":
        return "a stack name may not be empty"
    raw = name.encode()
    if len(raw) > 100:
        return "a stack name cannot exceed 100 characters"
    failure = _STACK_PREFIX.match(name).end()
    if failure != len(name):
        position = len(name[:failure].encode())
        return ("a stack name may only contain alphanumeric, hyphens, underscores, or periods: "
                f"invalid character {_go_quote_byte(raw[position])} at position {position}")
    return None
