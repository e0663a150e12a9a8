"""Stack names: which stack a StackReference name means, and which environment a stack belongs to.

A reference name resolves as the CLI resolves it (pkg/backend/httpstate/backend.go parseStackName and
ParseStackReference; pkg/backend/diy/store.go ParseReference alike): `<stack>`, `<org>/<stack>` or
`<org>/<project>/<stack>`, a missing org being the current one and a missing project the current project.
The program resolves against its own stack's org and project (pulumi.get_organization / get_project), which
is the CLI's default org whenever the stacks of one layout live in one org.
"""
from __future__ import annotations

import re
from typing import Optional

# tokens.ParseStackName: alphanumerics, hyphens, underscores and periods, at most 100 bytes; org and project
# names (tokens.ValidateProjectName, the service's org names) take the same characters.
_PART = re.compile(r"[A-Za-z0-9_.-]{1,100}")
REFERENCE_RULE = ('must be a stack name "<stack>", "<org>/<stack>" or "<org>/<project>/<stack>" '
                  "(letters, digits, '-', '_', '.')")


def parts(name: str) -> Optional[tuple[str, str, str]]:
    """(org, project, stack) as written, "" for a part left out; None when `name` is not a reference."""
    pieces = name.split("/")
    if not 1 <= len(pieces) <= 3 or not all(_PART.fullmatch(p) for p in pieces):
        return None
    if len(pieces) == 1:
        return "", "", pieces[0]
    if len(pieces) == 2:
        return pieces[0], "", pieces[1]
    return pieces[0], pieces[1], pieces[2]


def is_reference(name: object) -> bool:
    return isinstance(name, str) and parts(name) is not None


def resolve(name: str, organization: str, project: str) -> str:
    """`org/project/stack` of a reference made from a stack of `organization`/`project`."""
    found = parts(name)
    if found is None:
        raise ValueError(f"{name!r}: {REFERENCE_RULE}")
    org, proj, stack = found
    return f"{org or organization}/{proj or project}/{stack}"


def environment_of(stack: str) -> str:
    """The environment a stack belongs to: its name up to the first '-' (`prod-orders` is a prod stack).
    The Makefile picks the policy-pack config by the same rule."""
    return stack.split("-", 1)[0]
