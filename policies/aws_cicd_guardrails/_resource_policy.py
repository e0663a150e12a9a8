"""Resource policies (KMS key policies, SNS topic policies): which statements open a resource to anyone.

A `*` principal is how AWS itself writes many resource policies (the default SNS topic policy
allows `{"AWS": "*"}` under `AWS:SourceOwner`), so a wildcard is public only when no condition
pins the caller to an account, organisation, principal or source. A condition on something
else (`aws:SecureTransport`, `kms:ViaService` alone) still lets every AWS account in.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import as_map, has_wildcard_principal, is_allow, statements, str_list

# Lowercased condition keys that restrict *who* may call (IAM keys are case-insensitive).
SCOPING_KEYS = frozenset({
    "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn",
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:sourcevpc", "aws:sourcevpce", "kms:calleraccount",
})
SCOPING_HINT = ("aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn "
                "or kms:CallerAccount")


def _requires_a_match(operator: Any) -> bool:
    """An operator that holds only when the key is present and matches: not negated (`StringNotEquals`
    admits everyone else), not `...IfExists` or `ForAllValues:` (true when the key is absent, as
    aws:SourceArn is on a principal's direct call), not `Null`."""
    op = str(operator).lower()
    if op.startswith("forallvalues:"):
        return False
    op = op.removeprefix("foranyvalue:")
    return op != "null" and "not" not in op and not op.endswith("ifexists")


def is_scoped(statement: Mapping) -> bool:
    """True when a condition pins the caller with a concrete (not `*`) value."""
    for operator, block in as_map(statement.get("Condition")).items():
        if not _requires_a_match(operator):
            continue
        for key, values in as_map(block).items():
            if str(key).lower() in SCOPING_KEYS and any(v.strip() != "*" for v in str_list(values)):
                return True
    return False


def is_public_grant(statement: Mapping) -> bool:
    """An Allow to everyone: `*` principal (or NotPrincipal) with no condition that scopes the caller."""
    if not is_allow(statement):
        return False
    # Allow + NotPrincipal grants every principal except the listed ones.
    if statement.get("NotPrincipal") is not None:
        return not is_scoped(statement)
    return has_wildcard_principal(statement) and not is_scoped(statement)


def statement_label(index: int, statement: Mapping) -> str:
    sid = statement.get("Sid")
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement #{index + 1}"


def public_grants(document: Any) -> list[str]:
    """Labels (`statement 'Sid'` / `statement #2`) of the public Allow statements of a policy document."""
    return [statement_label(i, s) for i, s in enumerate(statements(document)) if is_public_grant(s)]
