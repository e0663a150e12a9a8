"""Trust documents for roles assumed by AWS services."""
from __future__ import annotations

from typing import Any, Optional

from components.documents import iam


def service_trust(service: str, *, source_account: Optional[str] = None,
                  source_arn_like: Optional[str] = None) -> dict[str, Any]:
    """`service` may assume the role; with a source account/ARN it cannot act for another account
    (confused-deputy protection)."""
    if not service.endswith(".amazonaws.com"):
        raise ValueError(f"service principal must end with .amazonaws.com, got {service!r}")
    conditions: dict[str, dict[str, str]] = {}
    if source_account:
        conditions["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn_like:
        conditions["ArnLike"] = {"aws:SourceArn": source_arn_like}
    sid = "".join(part.capitalize() for part in service.split(".")[0].split("-"))
    return iam.document([iam.trust_statement(sid, {"Service": service}, conditions=conditions or None)])
