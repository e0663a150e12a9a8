"""Secret-looking plain environment variables (ECS containers, Lambda functions, CodeBuild projects)."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from ._common import extra_patterns, secret_reason

CONFIG = {"secretNamePatterns": {
    "type": "array", "items": {"type": "string"}, "default": [],
    "description": "Extra regular expressions over variable names that mark a secret."}}


def secret_variables(pairs: Iterable[tuple[Any, Any]], cfg: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, why it looks secret) for every (name, plain value) pair that looks like a secret."""
    extra = extra_patterns(cfg)
    out = []
    for name, value in pairs:
        reason = secret_reason(name, value, extra)
        if reason:
            out.append((name if isinstance(name, str) else repr(name), reason))
    return out
