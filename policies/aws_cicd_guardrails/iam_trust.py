"""Rules over a role's trust policy (aws:iam/role:Role assumeRolePolicy)."""
from __future__ import annotations

import re
from typing import Iterator, Mapping, Optional

from . import _prod
from ._common import as_map, conditions, get, has_wildcard_principal, is_allow, principals
from ._common import statements, str_list
from ._registry import resource_rule

ROLE = "aws:iam/role:Role"
GITHUB_OIDC = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
_ACCOUNT_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")
# repo:<org>/<repo>[:<anything>] with no wildcard in the org or repository.
_ONE_REPOSITORY = re.compile(r"^repo:[^/:*?]+/[^/:*?]+(:.*)?$")
_ONE_ENVIRONMENT = re.compile(r"^repo:[^/:*?]+/[^/:*?]+:environment:[^*?]+$")
_ARN_MATCHING = {"ArnEquals", "ArnLike", "StringEquals", "StringLike"}
# arn:aws:iam::<account>:role/[path/]<name>, the name not a bare wildcard.
_NAMED_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/([^/]*/)*(?![*?]+$)[^/]+$")


def trust_statements(args) -> Iterator[tuple[str, Mapping]]:
    for index, statement in enumerate(statements(get(args.props, "assumeRolePolicy"))):
        if is_allow(statement):
            sid = statement.get("Sid")
            label = sid if isinstance(sid, str) and sid else index
            yield f"role \"{args.name}\" trust statement {label}", statement


def _condition_values(statement: Mapping, operators: set[str], keys: set[str]) -> list[list[str]]:
    """The values of the condition keys `keys` (lowercased) under each operator in `operators` (one list
    per key and operator block)."""
    out = []
    for operator, block in conditions(statement).items():
        if operator not in operators:
            continue
        for k, values in as_map(block).items():
            if str(k).lower() in keys:
                out.append(str_list(values))
    return out


def _github_issuers(statement: Mapping) -> set[str]:
    """The GitHub OIDC issuers the statement trusts, lowercased: `token.actions.githubusercontent.com`, or
    with a GitHub Enterprise slug (`.../<enterprise>`), which then prefixes the condition keys too."""
    issuers = {p.split(":oidc-provider/", 1)[-1].lower() for p in principals(statement).get("Federated", [])}
    return {i for i in issuers if i.startswith(GITHUB_OIDC)}


def _is_github_oidc(statement: Mapping) -> bool:
    return bool(_github_issuers(statement))


def _subjects(statement: Mapping) -> list[list[str]]:
    keys = {f"{issuer}:sub" for issuer in _github_issuers(statement)}
    return _condition_values(statement, {"StringEquals", "StringLike"}, keys)


def _pinned(statement: Mapping, pattern: re.Pattern) -> bool:
    """Some sub condition block (conditions are ANDed, so one is enough) matches only `pattern`."""
    return any(values and all(pattern.match(v) for v in values) for values in _subjects(statement))


def _shown_subjects(statement: Mapping) -> str:
    values = [v for block in _subjects(statement) for v in block]
    return repr(values) if values else "(no sub condition)"


@resource_rule(
    "iam-role-trust-no-wildcard-principal",
    types=[ROLE],
    description="A role's trust policy must never allow the \"*\" principal.",
    severity="critical",
    remediation="Trust the specific role ARNs or service principals that assume the role.",
    topic="trust",
    anchors=["CKV_AWS_60"],
    waivable=False,
)
def iam_role_trust_no_wildcard_principal(args, cfg):
    for where, statement in trust_statements(args):
        if has_wildcard_principal(statement):
            yield (f"{where} trusts Principal \"*\" (anyone); trust the specific role ARNs or service "
                   "principals")


def _root_trust_is_narrowed(statement: Mapping) -> bool:
    """An account-root principal narrowed to named principals by an aws:PrincipalArn condition: matched
    (not negated) against ARNs of one account whose name is more than a wildcard (`role/*` is every role)."""
    arns = _condition_values(statement, _ARN_MATCHING, {"aws:principalarn"})
    return any(values and all(_NAMED_PRINCIPAL.match(v) for v in values) for values in arns)


@resource_rule(
    "iam-role-trust-cross-account-scoped",
    types=[ROLE],
    description="A role's trust policy must name role ARNs, not a whole account (root ARN or account id).",
    severity="high",
    remediation="Replace arn:aws:iam::<account>:root with the ARNs of the roles that assume this role (or "
                "narrow it with an aws:PrincipalArn condition).",
    topic="trust",
    anchors=["CKV_AWS_61"],
)
def iam_role_trust_cross_account_scoped(args, cfg):
    for where, statement in trust_statements(args):
        roots = [p for p in principals(statement).get("AWS", []) if _ACCOUNT_ROOT.match(p)]
        if roots and not _root_trust_is_narrowed(statement):
            yield (f"{where} trusts whole account(s) {roots}; trust the specific role ARNs "
                   "(arn:aws:iam::<account>:role/<name>) instead")


def _oidc_problem(statement: Mapping) -> Optional[str]:
    problems = []
    # StringLike with the exact audience (no wildcard) checks it as strictly as StringEquals.
    keys = {f"{issuer}:aud" for issuer in _github_issuers(statement)}
    audiences = _condition_values(statement, {"StringEquals", "StringLike"}, keys)
    if not any(values and all(v == AUDIENCE for v in values) for values in audiences):
        problems.append(f"has no StringEquals {GITHUB_OIDC}:aud = \"{AUDIENCE}\"")
    if not _pinned(statement, _ONE_REPOSITORY):
        problems.append(f"its sub {_shown_subjects(statement)} is not pinned to one repository")
    return " and ".join(problems) or None


@resource_rule(
    "iam-role-trust-oidc-subject-pinned",
    types=[ROLE],
    description="A GitHub Actions OIDC trust must check the audience and pin the subject to one repository.",
    severity="critical",
    remediation="Add StringEquals token.actions.githubusercontent.com:aud = \"sts.amazonaws.com\" and "
                "token.actions.githubusercontent.com:sub = \"repo:<org>/<repo>:environment:<env>\" "
                "(or a ref).",
    topic="trust",
    anchors=["CKV_AWS_358"],
)
def iam_role_trust_oidc_subject_pinned(args, cfg):
    for where, statement in trust_statements(args):
        if not _is_github_oidc(statement):
            continue
        problem = _oidc_problem(statement)
        if problem:
            yield (f"{where} trusts GitHub Actions OIDC but {problem}; require aud \"{AUDIENCE}\" and a sub "
                   "of the form \"repo:<org>/<repo>:...\"")


@resource_rule(
    "iam-role-prod-oidc-requires-environment",
    types=[ROLE],
    description="A prod GitHub Actions OIDC role must pin its subject to a GitHub environment.",
    severity="high",
    remediation="Set the sub condition to \"repo:<org>/<repo>:environment:<env>\" and give that GitHub "
                "environment required reviewers (the approval gate of GitHub Actions).",
    topic="trust",
    config=_prod.CONFIG,
)
def iam_role_prod_oidc_requires_environment(args, cfg):
    if not _prod.resource_is_prod(args, cfg):
        return
    for where, statement in trust_statements(args):
        if _is_github_oidc(statement) and not _pinned(statement, _ONE_ENVIRONMENT):
            yield (f"prod {where}: its GitHub OIDC sub {_shown_subjects(statement)} is not pinned to a "
                   "GitHub environment; use \"repo:<org>/<repo>:environment:<env>\" with required reviewers")
