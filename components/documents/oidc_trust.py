"""Trust of a role assumed by GitHub Actions through the account's OIDC provider."""
from __future__ import annotations

import re
from typing import Any

from components.documents import iam

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
AUDIENCE = "sts.amazonaws.com"

_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
# One environment, one branch or one tag; no wildcards of any kind.
_SUBJECT = re.compile(r"^(environment:[\w.-]+|ref:refs/(heads|tags)/[\w./-]+)$")


def check_repository(repository: str) -> str:
    if not _REPOSITORY.match(repository or ""):
        raise ValueError(f"repository must be 'org/repo' with no wildcard, got {repository!r}")
    return repository


def check_subject(subject: str, environment: str) -> str:
    if not _SUBJECT.match(subject or ""):
        raise ValueError("subject must be 'environment:<name>', 'ref:refs/heads/<branch>' or "
                         f"'ref:refs/tags/<tag>' with no wildcard, got {subject!r}")
    if environment == "prod" and not subject.startswith("environment:"):
        raise ValueError(f"prod roles must be pinned to a GitHub environment (its required reviewers are "
                         f"the approval gate), got {subject!r}")
    return subject


def oidc_provider_arn_ok(provider_arn: str) -> str:
    expected = rf"^arn:aws[a-z-]*:iam::\d{{12}}:oidc-provider/{re.escape(GITHUB_OIDC_HOST)}$"
    if not re.match(expected, provider_arn):
        raise ValueError(f"expected the GitHub OIDC provider ARN, got {provider_arn!r}")
    return provider_arn


def github_trust(provider_arn: str, repository: str, subject: str, environment: str) -> dict[str, Any]:
    sub = f"repo:{check_repository(repository)}:{check_subject(subject, environment)}"
    conditions = {"StringEquals": {f"{GITHUB_OIDC_HOST}:aud": AUDIENCE, f"{GITHUB_OIDC_HOST}:sub": sub}}
    return iam.document([iam.trust_statement(
        "GitHubActions", {"Federated": oidc_provider_arn_ok(provider_arn)},
        action="sts:AssumeRoleWithWebIdentity", conditions=conditions)])
