"""Resource policies (KMS key policies, SNS topic policies): which statements open a resource to anyone.

A `*` principal is how AWS itself writes many resource policies (the default SNS topic policy
allows `{"AWS": "*"}` under `AWS:SourceOwner`), so a wildcard is public only when no condition
pins the caller to an account, organisation, principal or source. A condition on something
else (`aws:SecureTransport`, `kms:ViaService` alone) still lets every AWS account in.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import condition_keys, has_wildcard_principal, is_allow, statements

# Lowercased condition keys that restrict *who* may call (IAM keys are case-insensitive).
SCOPING_KEYS = frozenset({
    "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn",
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:sourcevpc", "aws:sourcevpce", "kms:calleraccount",
})
SCOPING_HINT = ("aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn "
                "or kms:CallerAccount")


def is_scoped(statement: Mapping) -> bool:
    """True when a condition pins the caller with a concrete (not `*`) value."""
    return any(key in SCOPING_KEYS and any(v.strip() != "*" for v in values)
               for key, values in condition_keys(statement).items())


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
