"""The delivery topology a report diagram shows, read from recorded registrations.

Per account: its pipelines (stages in order, with the role ARNs their actions assume), its ECS services
and Lambda functions, and the deploy roles other accounts' pipelines assume into it.

In preview a role ARN built from `role.arn` is unknown; the stage is then not known to assume a role, but
the pipeline's `stages` property still depends on the role resource, so the pipeline as a whole is linked
to the IAM roles its stages depend on.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from preflight.analyzer import SECRET_SIG_KEY, UNKNOWN
from preflight.model import RecordedResource

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
ECS_SERVICE = "aws:ecs/service:Service"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
AWS_PROVIDER = "pulumi:providers:aws"
IAM_ROLE = "aws:iam/role:Role"
ROLE_ARN = re.compile(r"^arn:[\w-]+:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")


@dataclass
class Stage:
    name: str
    role_arns: list[str] = field(default_factory=list)
    unknown_role: bool = False          # an action's roleArn is not known yet (preview)


@dataclass
class Pipeline:
    name: str
    stages: list[Stage]
    role_urns: list[str] = field(default_factory=list)  # roles the stages depend on, when ARNs are unknown


@dataclass
class AccountView:
    account: Optional[str]
    labels: list[str] = field(default_factory=list)
    pipelines: list[Pipeline] = field(default_factory=list)
    ecs_services: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # role ARN or URN -> name, assumed by pipelines


def known(value: Any) -> Any:
    """The plain value, secrets unwrapped; None while it is unknown (preview) or absent."""
    if isinstance(value, Mapping) and SECRET_SIG_KEY in value:
        value = value.get("value")
    return None if value == UNKNOWN else value


def role_account(arn: str) -> Optional[str]:
    match = ROLE_ARN.match(arn)
    return match.group(1) if match else None


def role_name(arn: str) -> str:
    match = ROLE_ARN.match(arn)
    return match.group(2) if match else arn


def _sequence(value: Any) -> Sequence:
    value = known(value)
    return value if isinstance(value, Sequence) and not isinstance(value, str) else ()


def _stage(raw: Any, position: int) -> Stage:
    stage = known(raw)
    if not isinstance(stage, Mapping):
        return Stage(name=f"stage {position + 1}")
    name = known(stage.get("name"))
    found = Stage(name=name if isinstance(name, str) else f"stage {position + 1}")
    for action in _sequence(stage.get("actions")):
        action = known(action)
        raw = action.get("roleArn") if isinstance(action, Mapping) else None
        arn = known(raw)
        if isinstance(arn, str) and role_account(arn) and arn not in found.role_arns:
            found.role_arns.append(arn)
        found.unknown_role |= raw is not None and arn is None
    return found


def pipeline(resource: RecordedResource) -> Pipeline:
    physical = known(resource.inputs.get("name"))
    stages = [_stage(raw, i) for i, raw in enumerate(_sequence(resource.inputs.get("stages")))]
    return Pipeline(name=physical if isinstance(physical, str) else resource.name, stages=stages)


def _stage_roles(resource: RecordedResource, by_urn: dict[str, RecordedResource]) -> list[RecordedResource]:
    urns = resource.property_dependencies.get("stages", resource.dependencies)
    return [by_urn[urn] for urn in urns if urn in by_urn and by_urn[urn].type == IAM_ROLE]


def _display_name(resource: RecordedResource) -> str:
    physical = known(resource.inputs.get("name"))
    return physical if isinstance(physical, str) else resource.name


def accounts(resources: Iterable[RecordedResource]) -> list[AccountView]:
    """One view per account that owns something shown or is the target of a pipeline's role."""
    views: dict[Optional[str], AccountView] = {}
    resources = list(resources)
    by_urn = {resource.urn: resource for resource in resources}

    def view(account: Optional[str]) -> AccountView:
        return views.setdefault(account, AccountView(account=account))

    for resource in resources:
        if resource.type == AWS_PROVIDER and resource.account:
            view(resource.account).labels.append(resource.name)
        elif resource.type == PIPELINE:
            found = pipeline(resource)
            view(resource.account).pipelines.append(found)
            for arn in (arn for stage in found.stages for arn in stage.role_arns):
                view(role_account(arn)).roles.setdefault(arn, role_name(arn))
            if any(stage.unknown_role for stage in found.stages):
                for role in _stage_roles(resource, by_urn):
                    found.role_urns.append(role.urn)
                    view(role.account).roles.setdefault(role.urn, _display_name(role))
        elif resource.type == ECS_SERVICE:
            view(resource.account).ecs_services.append(_display_name(resource))
        elif resource.type == LAMBDA_FUNCTION:
            view(resource.account).functions.append(_display_name(resource))
    shown = [v for v in views.values() if v.pipelines or v.ecs_services or v.functions or v.roles]
    return sorted(shown, key=lambda v: (v.account is None, v.account or ""))
