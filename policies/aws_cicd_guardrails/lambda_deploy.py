"""Prod Lambda functions are released through an alias whose traffic shifts gradually: by a CodeDeploy
deployment group, or by a CodePipeline Lambda deploy action (FunctionAlias + a canary/linear DeployStrategy).

Joins (linear, through dicts): alias -> function by the `functionName` property dependency, else by
name / ARN value; deployment group -> Lambda application by the `appName` dependency or name value;
pipeline Lambda deploy action -> function by its FunctionName (name or ARN).
A deployment group does not name the function it deploys (the appspec does, at deploy time), so it
counts for a function when it shares the function's parent component, depends on the function or
one of its aliases, or its group / application name starts with the function's name (its physical
name, or its logical name: an auto-named function's physical name carries a random suffix).
A prod Lambda deploy action that shifts all at once, or without an alias, is reported on its pipeline
(once: the function it names is not reported again for it).
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from . import _pipeline, _prod
from ._common import as_str, get
from ._registry import stack_rule
from .stack_joins import dependency_urns, known_str, parent_urn

FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
APPLICATION = "aws:codedeploy/application:Application"
DEPLOYMENT_GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
PIPELINE = "aws:codepipeline/pipeline:Pipeline"
LAMBDA_CONFIG_PREFIX = "CodeDeployDefault.Lambda"
DEFAULT_EXEMPT = r"(?i)(hook|(pre|post)-?traffic)"


@stack_rule(
    "lambda-prod-deployed-through-alias",
    description=("Prod Lambda functions must be released through an alias whose traffic shifts gradually, "
                 "by a CodeDeploy deployment group or a CodePipeline Lambda deploy action (FunctionAlias + "
                 "canary/linear DeployStrategy)."),
    severity="medium",
    remediation=("Publish versions (publish=True), point an aws.lambda.Alias (\"live\") at them and shift it "
                 "gradually: a CodePipeline Lambda deploy action with FunctionAlias \"live\" and DeployStrategy "
                 "\"Canary10Percent5Minutes\" (or \"Linear10PercentEvery1Minute\") plus Alarms, or a CodeDeploy "
                 "application (compute_platform \"Lambda\") + canary/linear deployment group."),
    topic="deployment-safety",
    config={**_prod.CONFIG, "exemptFunctionPattern": {
        "type": "string", "format": "regex", "default": DEFAULT_EXEMPT,
        "description": "Names of prod functions deployed without an alias (CodeDeploy traffic hooks)."}},
)
def lambda_prod_deployed_through_alias(args, cfg):
    exempt = _exempt_pattern(cfg)
    handled: set[str] = set()       # functions a pipeline action deploys gradually, or is reported for
    for pipeline, action in _lambda_deploy_actions(args.resources):
        function = _name_from_arn(action.config("FunctionName"))
        if exempt.search(function):
            continue
        problem = _pipeline.lambda_deploy_problem(action)
        if problem is None:
            handled.add(function)
        elif _pipeline.is_prod(action, cfg):
            handled.add(function)
            yield pipeline.urn, (
                f"pipeline \"{pipeline.name}\": prod Lambda deploy {action.label()} of function \"{function}\" "
                f"{problem}; set FunctionAlias \"live\" and DeployStrategy \"Canary10Percent5Minutes\" or "
                "\"Linear10PercentEvery1Minute\"")
    yield from _functions_without_alias_release(args.resources, cfg, exempt, handled)


def _functions_without_alias_release(resources, cfg, exempt: re.Pattern,
                                     handled: set[str]) -> Iterator[tuple[str, str]]:
    functions = [r for r in resources if r.resource_type == FUNCTION
                 and _prod.resource_is_prod(r, cfg) and not exempt.search(r.name)]
    if not functions:
        return
    urn_by_name = {_function_name(f): f.urn for f in functions}
    aliases = _aliases_by_function(resources, urn_by_name)
    groups = _lambda_deployment_groups(resources)
    tied = set().union(*(_ties(g) for g in groups))
    group_names: Optional[set[str]] = None
    for fn in functions:
        name = _function_name(fn)
        missing = [] if aliases.get(fn.urn) else ["no aws.lambda.Alias"]
        if name not in handled and not ({fn.urn, parent_urn(fn), *aliases.get(fn.urn, ())} & tied):
            if group_names is None:
                group_names = _name_prefixes(groups)
            # An auto-named function's physical name has a random suffix: its logical name counts too.
            if not {name, fn.name} & group_names:
                missing.append("no CodeDeploy deployment group (Lambda) or CodePipeline Lambda deploy action "
                               "shifting it")
        if missing:
            yield fn.urn, (f"prod function \"{name}\" has {' and '.join(missing)}; publish versions behind "
                           "an alias (\"live\") and shift traffic gradually (a CodePipeline Lambda deploy "
                           "action or a CodeDeploy deployment group, canary/linear)")


def _lambda_deploy_actions(resources) -> Iterator[tuple[Any, _pipeline.Action]]:
    for r in resources:
        if r.resource_type == PIPELINE:
            for action in _pipeline.actions(r.props):
                if _pipeline.is_lambda_deploy(action):
                    yield r, action


def _exempt_pattern(cfg) -> re.Pattern:
    pattern = cfg.get("exemptFunctionPattern")
    try:
        return re.compile(pattern if isinstance(pattern, str) else DEFAULT_EXEMPT)
    except re.error as e:
        raise ValueError(f"policy pack config: exemptFunctionPattern {pattern!r} is not a valid regular "
                         f"expression: {e}") from None


def _function_name(fn) -> str:
    return known_str(fn, "name") or fn.name


def _aliases_by_function(resources, urn_by_name: dict[str, str]) -> dict[str, list[str]]:
    """{function URN: alias URNs} for the prod functions."""
    function_urns = set(urn_by_name.values())
    out: dict[str, list[str]] = {}
    for r in resources:
        if r.resource_type != ALIAS:
            continue
        targets = [u for u in dependency_urns(r, "functionName") if u in function_urns]
        target = urn_by_name.get(_name_from_arn(known_str(r, "functionName")))
        targets += [target] if target else []
        for urn in targets:
            out.setdefault(urn, []).append(r.urn)
    return out


def _name_from_arn(value: Any) -> str:
    """A function name from a name or a (qualified) function ARN."""
    value = as_str(value)
    if value.startswith("arn:") and ":function:" in value:
        return value.split(":function:", 1)[1].split(":", 1)[0]
    return value


def _lambda_deployment_groups(resources) -> list:
    """The deployment groups of CodeDeploy applications on the Lambda compute platform."""
    apps = [r for r in resources if r.resource_type == APPLICATION and _is_lambda_app(r)]
    app_urns = {a.urn for a in apps}
    app_names = {known_str(a, "name") or a.name for a in apps}
    return [r for r in resources
            if r.resource_type == DEPLOYMENT_GROUP and _is_lambda_group(r, app_urns, app_names)]


def _is_lambda_app(app) -> bool:
    return as_str(get(app.props, "computePlatform")).lower() == "lambda"


def _is_lambda_group(group, app_urns: set[str], app_names: set[str]) -> bool:
    deps = dependency_urns(group, "appName")
    if deps:
        return any(u in app_urns for u in deps)
    if known_str(group, "appName") in app_names:
        return True
    return known_str(group, "deploymentConfigName").startswith(LAMBDA_CONFIG_PREFIX)


def _ties(group) -> set[str]:
    """URNs that tie a deployment group to a function: its parent component and its dependencies."""
    keys = {d.urn for d in group.dependencies or []}
    keys |= {d.urn for deps in (group.property_dependencies or {}).values() for d in deps or []}
    parent = parent_urn(group)
    return keys | ({parent} if parent else set())


def _name_prefixes(groups) -> set[str]:
    """Every `-`-delimited prefix of the deployment group and application names."""
    out: set[str] = set()
    for g in groups:
        for key in ("deploymentGroupName", "appName"):
            parts = known_str(g, key).split("-")
            out.update("-".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out - {""}
