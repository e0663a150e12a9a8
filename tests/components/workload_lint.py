"""parliament over IAM documents, with the listed exceptions (each with its reason)."""
from __future__ import annotations

import json
from typing import Any, Mapping, Union

from parliament import analyze_policy_string

# (issue, detail substring) -> why it is not a defect.
EXCEPTIONS = {
    ("RESOURCE_STAR", "ecs:RegisterTaskDefinition"):
        "ecs:RegisterTaskDefinition has no resource-level permissions in AWS; Resource must be '*'",
    ("MALFORMED", "neither Resource nor NotResource"):
        "trust policies have no Resource element by IAM grammar; parliament only knows identity policies",
    ("UNKNOWN_FEDERATION_SOURCE", ":oidc-provider/token.actions.githubusercontent.com"):
        "parliament recognises SAML providers only; the federated principal is the account's GitHub "
        "OIDC provider",
}


def findings(document: Union[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Findings that no listed exception explains."""
    text = document if isinstance(document, str) else json.dumps(document)
    unexplained = []
    for f in analyze_policy_string(text).findings:
        detail = json.dumps(f.detail) if not isinstance(f.detail, str) else f.detail
        if not any(issue == f.issue and part in detail for issue, part in EXCEPTIONS):
            unexplained.append((f.issue, detail))
    return unexplained


def raw_issues(document: Mapping[str, Any]) -> list[str]:
    return [f.issue for f in analyze_policy_string(json.dumps(document)).findings]
