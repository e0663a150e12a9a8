"""Physical names of workload resources: `<prefix>-<environment>-...`, within AWS length limits."""
from __future__ import annotations

import hashlib
import re

_DNS_SAFE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
# AWS limits that bite: ALB and target group names 32, IAM role names 64, Lambda function names 64.
LB_NAME_LIMIT = 32
ROLE_NAME_LIMIT = 64


def check_name_part(label: str, value: str) -> str:
    if not isinstance(value, str) or not _DNS_SAFE.match(value):
        raise ValueError(f"{label} must be lowercase letters, digits and '-', got {value!r}")
    return value


def physical_name(prefix: str, environment: str, *parts: str, limit: int = ROLE_NAME_LIMIT) -> str:
    """Deterministic and unique: when too long, the tail is replaced by a short hash of the full name."""
    name = "-".join([prefix, environment, *parts])
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[:limit - 7].rstrip('-')}-{digest}"
