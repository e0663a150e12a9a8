"""The provider's pure and configuration-only invokes, answered offline.

`answer` returns the invoke's outputs, or None when the invoke is not one of these or its answer
is not really known offline (the caller then lists it as unanswered). It raises the provider's
error for arguments the provider rejects. `provider_config` is the invoking provider's inputs: an
explicit provider's recorded inputs, or the stack's `aws:` configuration for the default provider.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from preflight import identity_invokes, lifecycle_document, policy_document

_ANSWERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Optional[dict]]] = {
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda args, config: policy_document.evaluate(args),
    lifecycle_document.TOKEN: lambda args, config: lifecycle_document.evaluate(args),
    identity_invokes.CALLER_IDENTITY: lambda args, config: identity_invokes.caller_identity(config),
    identity_invokes.REGION: identity_invokes.region,
    identity_invokes.PARTITION: lambda args, config: identity_invokes.partition(config),
}


def answer(token: str, args: Mapping[str, Any], provider_config: Optional[Mapping[str, Any]]) -> Optional[dict]:
    handler = _ANSWERS.get(token)
    return None if handler is None else handler(args or {}, provider_config or {})
