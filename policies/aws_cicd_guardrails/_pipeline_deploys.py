"""Which pipeline actions deploy, and which deploy to prod, judged over the whole stack.

An action deploys by its category / provider and name (_pipeline.is_deploy), or by what it runs: a
CodeBuild action whose project's inline buildspec (joined by configuration.ProjectName, by the name
value or, failing that, the pipeline's property dependency on the project) runs a deploy command
(_deploy_commands), or a Commands action whose commands do. A buildspec kept as a file in the source
repository is unknown content: such an action is judged by its category and name only.

A deploy is prod when the action is (_pipeline.is_prod: its role / target account, stage or action
name), or when what it runs says so: the action's EnvironmentVariables, the project's account, name or
service role, a deploy or target-picking command (stack select, assume-role, ...) naming a prod
account or a prod name, or a target variable (STAGE, AWS_PROFILE, DEPLOY_ROLE_ARN, ...) holding one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional

from . import _pipeline, _prod
from ._common import account_of_arn, get, provider_account
from ._deploy_commands import TARGET_VARIABLE, account_evidence, deploy_label, evidence, is_context
from ._shell import ShellEnv, segments
from .codebuild_buildspec import PROJECT, build_env, inline_buildspec, steps
from .stack_joins import dependency_urns, known_str

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
ROLE = "aws:iam/role:Role"


@dataclass(frozen=True)
class Verdict:
    action: _pipeline.Action
    deploys: bool
    prod: bool
    how: str = ""        # how a build / commands action deploys ("" when its category or name says so)
    why_prod: str = ""   # what makes it a prod deploy, when that is not the action's own role or name

    def describe(self) -> str:
        extra = "; ".join(p for p in (self.how, self.why_prod) if p)
        return f"{self.action.label()}" + (f" ({extra})" if extra else "")


@dataclass(frozen=True)
class _Script:
    owner: str                   # 'its CodeBuild project "x"' or 'it' (a Commands action)
    lines: list[str]
    env: ShellEnv                # the variables the build starts with


class Stack:
    """The stack's CodeBuild projects and IAM roles, indexed for joins."""

    def __init__(self, resources: list[Any]):
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}
        self.projects = {r.urn: r for r in resources if r.resource_type == PROJECT}
        self._by_name: Optional[dict[str, Any]] = None

    def project_named(self, name: str) -> Optional[Any]:
        if self._by_name is None:
            self._by_name = {}
            for r in self.projects.values():
                known = known_str(r, "name")
                if known:
                    self._by_name[known] = r
        return self._by_name.get(name.rsplit("project/", 1)[-1] if name.startswith("arn:") else name)


def pipelines(resources: list[Any], cfg: Mapping[str, Any]) -> Iterator[tuple[Any, list[Verdict]]]:
    stack = Stack(resources)
    for r in resources:
        if r.resource_type == PIPELINE:
            yield r, verdicts(r, stack, cfg)


def verdicts(pipeline: Any, stack: Stack, cfg: Mapping[str, Any]) -> list[Verdict]:
    actions = list(_pipeline.actions(pipeline.props))
    joined = _join_projects(pipeline, actions, stack)
    return [_verdict(a, joined.get(id(a)), cfg, stack) for a in actions]


def _join_projects(pipeline: Any, actions: list[_pipeline.Action], stack: Stack) -> dict[int, Any]:
    """{id(action): project} for CodeBuild actions; by ProjectName value, else by the one dependency left."""
    builds = [a for a in actions if a.provider == "CodeBuild"]
    if not builds or not stack.projects:
        return {}
    out = {id(a): p for a in builds for p in [stack.project_named(a.config("ProjectName"))] if p is not None}
    unmatched = [a for a in builds if id(a) not in out]
    left = [u for u in dependency_urns(pipeline, "stages")
            if u in stack.projects and stack.projects[u] not in out.values()]
    if len(unmatched) == 1 and len(left) == 1:
        out[id(unmatched[0])] = stack.projects[left[0]]
    return out


def _script(action: _pipeline.Action, project: Any) -> Optional[_Script]:
    if action.provider == "Commands":
        commands = action.commands
        return _Script("it", commands, ShellEnv()) if commands else None
    if project is None:
        return None
    spec = inline_buildspec(project.props)
    if spec is None:
        return None  # a buildspec file in the source: its commands are unknown here
    return _Script(f"its CodeBuild project \"{project.name}\"", [s.text for s in steps(spec)],
                   build_env(spec, project.props, action.environment_overrides()))


def _verdict(action: _pipeline.Action, project: Any, cfg: Mapping[str, Any], stack: Stack) -> Verdict:
    by_kind = _pipeline.is_deploy(action)
    script = _script(action, project) if action.provider in ("CodeBuild", "Commands") else None
    runs = _deploy_steps(script) if script else []
    if not by_kind and not runs:
        return Verdict(action, deploys=False, prod=False)
    how = f"{script.owner} runs `{runs[0][0]}`" if runs and not by_kind else ""
    if _pipeline.is_prod(action, cfg):
        return Verdict(action, True, True, how)
    why = _project_evidence(project, cfg, stack) if project is not None else None
    if why is None and script is not None:
        why = _script_evidence(script, runs, cfg)
    return Verdict(action, True, why is not None, how, why or "")


def _deploy_steps(script: _Script) -> list[tuple[str, str]]:
    return [(seg, label) for line in script.lines for seg in segments(line) for label in [deploy_label(seg)]
            if label]


def _project_evidence(project: Any, cfg: Mapping[str, Any], stack: Stack) -> Optional[str]:
    name = f"CodeBuild project \"{project.name}\""
    account = provider_account(project.provider)
    if _prod.account_is_prod(account, cfg):
        return f"{name} runs in prod account {account}"
    if _prod.any_name_is_prod((project.name, known_str(project, "name")), cfg):
        return f"{name} is named for prod"
    roles = [stack.by_urn.get(u) for u in dependency_urns(project, "serviceRole")]
    for role in (r for r in roles if r is not None and r.resource_type == ROLE):
        if _prod.account_is_prod(provider_account(role.provider), cfg):
            return f"{name} runs as role \"{role.name}\" of prod account {provider_account(role.provider)}"
    if not roles and _prod.account_is_prod(account_of_arn(get(project.props, "serviceRole")), cfg):
        return f"{name} runs as a role of prod account {account_of_arn(get(project.props, 'serviceRole'))}"
    return None


def _script_evidence(script: _Script, runs: list[tuple[str, str]], cfg: Mapping[str, Any]) -> Optional[str]:
    """Prod evidence in what the action runs: written words first, then variables (read only if needed)."""
    picks = [seg for line in script.lines for seg in segments(line) if is_context(seg)]
    for seg in [s for s, _ in runs] + picks:
        found = evidence(seg, cfg)
        if found:
            return found if runs and seg == runs[0][0] else f"`{seg}` {found}"
    for line in script.lines:
        found = account_evidence(line, cfg)
        if found:
            return f"`{line}` {found}"
    env = script.env
    for name in env.names():
        if TARGET_VARIABLE.search(name):
            found = evidence(env.value(name), cfg)
            if found:
                return f"its variable {name} {found}"
    for line in script.lines:
        for seg in segments(line):
            if (deploy_label(seg) or is_context(seg)) and "$" in seg:
                found = evidence(env.expand(seg), cfg)
                if found:
                    return f"`{seg}` {found} once its variables are expanded"
        env.run(line)
    return None
