"""IAM action classification from parliament's copy of the AWS Service Authorization Reference.

`parliament.iam_definition` lists, per service prefix, every privilege with its access
level and the resource types it can be scoped to; `parliament.expand_action` expands
wildcards ("s3:Put*") against it.
"""
from __future__ import annotations

import fnmatch
import functools
import importlib
import re

WRITE_LEVELS = frozenset({"Write", "Permissions management", "Tagging"})
# The CodePipeline ECS / CodeDeployToECS actions register a revision of a family chosen at deploy
# time, and AWS's own deploy-role examples grant these on "*"; parliament lists a task-definition type.
STAR_ONLY_WRITES = frozenset({"ecs:registertaskdefinition", "ecs:deregistertaskdefinition"})
# For actions the database does not know: read-only by their verb, else treated as writes.
_READ_VERB = re.compile(r"^(get|list|describe|head|batchget|view|search|query|scan|lookup)", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _parliament():
    # Imported on first use: loading its action database costs a quarter second of pack start-up.
    return importlib.import_module("parliament")


@functools.lru_cache(maxsize=1)
def _privileges() -> dict[tuple[str, str], dict]:
    return {(s["prefix"], p["privilege"].lower()): p
            for s in _parliament().iam_definition for p in s["privileges"]}


def _scopable(privilege: dict) -> bool:
    """The privilege can be limited to resource ARNs (some resource type is not the empty "*" row)."""
    return any(r.get("resource_type") for r in privilege.get("resource_types", []))


@functools.lru_cache(maxsize=4096)
def _expand(action: str) -> tuple[tuple[str, str], ...]:
    try:
        found = _parliament().expand_action(action, raise_exceptions=False)
    except ValueError:  # not of the form "service:action"
        return ()
    return tuple((m["service"], m["action"].lower()) for m in found)


@functools.lru_cache(maxsize=4096)
def scoped_write(action: str) -> bool:
    """Whether the action pattern grants a write that AWS lets you scope to resources (so `*` is needless)."""
    expanded = _expand(action)
    if not expanded:
        name = action.split(":", 1)[-1]
        return action != "" and not _READ_VERB.match(name)
    table = _privileges()
    for prefix, name in expanded:
        privilege = table.get((prefix, name))
        if (privilege and privilege.get("access_level") in WRITE_LEVELS and _scopable(privilege)
                and f"{prefix}:{name}" not in STAR_ONLY_WRITES):
            return True
    return False


def covers(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern ("*", "iam:*", "iam:Pass*") grants `action`."""
    if pattern == "*":
        return True
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def is_service_wildcard(action: str) -> bool:
    """`*` or `<service>:*`: every action of a service (or of all of them)."""
    return action == "*" or bool(re.fullmatch(r"[A-Za-z0-9-]+:\*", action))
