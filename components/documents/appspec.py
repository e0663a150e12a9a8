"""CodeDeploy AppSpec documents (ECS and Lambda) as data, rendered to YAML."""
from __future__ import annotations

from typing import Any, Mapping, Optional

import yaml

# CodePipeline's CodeDeployToECS action replaces this placeholder with the registered task definition ARN.
TASK_DEFINITION_PLACEHOLDER = "<TASK_DEFINITION>"
ECS_HOOK_EVENTS = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic",
                   "AfterAllowTraffic")
LAMBDA_HOOK_EVENTS = ("BeforeAllowTraffic", "AfterAllowTraffic")


def _hooks(hooks: Mapping[str, Optional[str]], allowed: tuple[str, ...]) -> list[dict[str, str]]:
    unknown = sorted(set(hooks) - set(allowed))
    if unknown:
        raise ValueError(f"unknown appspec hook event(s) {unknown}; allowed: {list(allowed)}")
    return [{event: hooks[event]} for event in allowed if hooks.get(event)]


def ecs_appspec(container_name: str, container_port: int, *,
                task_definition: str = TASK_DEFINITION_PLACEHOLDER,
                hooks: Mapping[str, Optional[str]] = {}) -> dict[str, Any]:
    if not 1 <= container_port <= 65535:
        raise ValueError(f"container port must be 1..65535, got {container_port}")
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
            "TaskDefinition": task_definition,
            "LoadBalancerInfo": {"ContainerName": container_name, "ContainerPort": container_port},
        }}}],
    }
    hook_list = _hooks(hooks, ECS_HOOK_EVENTS)
    if hook_list:
        spec["Hooks"] = hook_list
    return spec


def lambda_appspec(function_name: str, alias: str, current_version: str, target_version: str, *,
                   hooks: Mapping[str, Optional[str]] = {}) -> dict[str, Any]:
    for label, version in (("current", current_version), ("target", target_version)):
        if not str(version).isdigit():
            raise ValueError(f"{label} version must be a published version number, got {version!r}")
    if str(current_version) == str(target_version):
        raise ValueError(f"target version {target_version} is already the current version")
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{function_name: {"Type": "AWS::Lambda::Function", "Properties": {
            "Name": function_name, "Alias": alias,
            "CurrentVersion": str(current_version), "TargetVersion": str(target_version),
        }}}],
    }
    hook_list = _hooks(hooks, LAMBDA_HOOK_EVENTS)
    if hook_list:
        spec["Hooks"] = hook_list
    return spec


def to_yaml(spec: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(spec), sort_keys=False)
