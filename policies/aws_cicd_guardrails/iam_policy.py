"""Rules over IAM permission documents: managed, inline (role / user / group) and roles' inlinePolicies."""
from __future__ import annotations

from typing import Iterator, Mapping

from . import iam_actions
from ._common import actions, as_list, as_map, get, is_allow, resources, statements, str_list
from ._registry import resource_rule

ROLE = "aws:iam/role:Role"
DOCUMENT_PROPERTY = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "role policy",
    "aws:iam/userPolicy:UserPolicy": "user policy",
    "aws:iam/groupPolicy:GroupPolicy": "group policy",
}
TYPES = [*DOCUMENT_PROPERTY, ROLE]


def allow_statements(args) -> Iterator[tuple[str, Mapping]]:
    """(where, statement) for every Allow statement of the resource's permission documents."""
    if args.resource_type == ROLE:
        docs = [(f"role \"{args.name}\" inline policy \"{get(p, 'name')}\"", get(p, "policy"))
                for p in as_list(get(args.props, "inlinePolicies"))]
    else:
        docs = [(f"{DOCUMENT_PROPERTY.get(args.resource_type, 'policy')} \"{args.name}\"",
                 get(args.props, "policy"))]
    for label, document in docs:
        for index, statement in enumerate(statements(document)):
            if is_allow(statement):
                sid = statement.get("Sid")
                yield f"{label} statement {sid if isinstance(sid, str) and sid else index}", statement


def _wildcard_resource(statement: Mapping) -> bool:
    return "*" in resources(statement) or "NotResource" in statement


def _brief(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@resource_rule(
    "iam-policy-no-admin",
    types=TYPES,
    description="IAM policies must not allow Action \"*\" on Resource \"*\" (full administrator access).",
    severity="critical",
    remediation="List the actions the principal needs, on the resources it needs them for; never "
                "\"*\" on \"*\".",
    topic="least-privilege",
    anchors=["SH IAM.1", "CKV_AWS_62"],
    waivable=False,
)
def iam_policy_no_admin(args, cfg):
    for where, statement in allow_statements(args):
        if {"*", "*:*"} & set(actions(statement)) and "*" in resources(statement):
            yield (f"{where} allows Action \"*\" on Resource \"*\" (administrator access); list the actions "
                   "and resources it needs")


@resource_rule(
    "iam-policy-no-service-wildcard",
    types=TYPES,
    description="IAM policies must not allow every action of a service (\"svc:*\" or \"*\").",
    severity="high",
    remediation="Replace \"svc:*\" with the specific actions used (parliament / IAM Access Analyzer policy "
                "generation lists them).",
    topic="least-privilege",
    anchors=["SH IAM.21", "CKV_AWS_63"],
)
def iam_policy_no_service_wildcard(args, cfg):
    for where, statement in allow_statements(args):
        wild = [a for a in actions(statement) if iam_actions.is_service_wildcard(a)]
        if wild:
            yield f"{where} allows service-wide wildcard actions {_brief(wild)}; list the specific actions"


def _grants_pass_role(statement: Mapping) -> bool:
    if any(iam_actions.covers(a, "iam:PassRole") for a in actions(statement)):
        return True
    not_actions = str_list(statement.get("NotAction"))
    return "NotAction" in statement and not any(iam_actions.covers(a, "iam:PassRole") for a in not_actions)


# Operators under which iam:PassedToService values name the services allowed (negated ones admit the rest).
_MATCHING_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike"})


def _passed_to_named_services(statement: Mapping) -> bool:
    """Some iam:PassedToService condition (conditions are ANDed) allows only named services, no wildcards."""
    for operator, block in as_map(statement.get("Condition")).items():
        base = str(operator).lower().split(":", 1)[-1].removesuffix("ifexists")
        if base not in _MATCHING_OPERATORS:
            continue
        for key, values in as_map(block).items():
            services = str_list(values)
            if (str(key).lower() == "iam:passedtoservice" and services
                    and all(v and not set(v) & {"*", "?"} for v in services)):
                return True
    return False


@resource_rule(
    "iam-policy-passrole-scoped",
    types=TYPES,
    description="Grants of iam:PassRole must name the roles passed and the service they are passed to.",
    severity="high",
    remediation="Grant iam:PassRole on the specific role ARNs with a StringEquals iam:PassedToService "
                "condition (e.g. \"ecs-tasks.amazonaws.com\").",
    topic="least-privilege",
    anchors=["Guard F38/F39"],
)
def iam_policy_passrole_scoped(args, cfg):
    for where, statement in allow_statements(args):
        if not _grants_pass_role(statement):
            continue
        problems = []
        if _wildcard_resource(statement):
            problems.append("on Resource \"*\"")
        if not _passed_to_named_services(statement):
            problems.append("without an iam:PassedToService condition naming the services")
        if problems:
            yield (f"{where} allows iam:PassRole {' and '.join(problems)}; name the role ARNs and add "
                   "StringEquals iam:PassedToService")


@resource_rule(
    "iam-policy-no-wildcard-resource-for-writes",
    types=TYPES,
    description="Write actions that support resource-level permissions must not use Resource \"*\".",
    severity="medium",
    remediation="Scope write actions to the ARNs they change; only actions AWS cannot scope (e.g. "
                "ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition) may use \"*\".",
    topic="least-privilege",
    anchors=["nag IAM5"],
    config={"allowedWildcardWriteActions": {
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Extra actions (service:Action, case-insensitive) allowed on Resource \"*\"."}},
)
def iam_policy_no_wildcard_resource_for_writes(args, cfg):
    allowed = {a.lower() for a in str_list(cfg.get("allowedWildcardWriteActions"))}
    for where, statement in allow_statements(args):
        if not _wildcard_resource(statement):
            continue
        offenders = [a for a in actions(statement)
                     if a.lower() not in allowed and iam_actions.scoped_write(a)]
        if "NotAction" in statement:
            offenders.append("NotAction " + ", ".join(str_list(statement.get("NotAction"))))
        if offenders:
            yield (f"{where} allows write actions {_brief(offenders)} on Resource \"*\"; scope them to the "
                   "ARNs they change")
