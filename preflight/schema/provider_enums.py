"""Closed value sets the AWS provider's Check refuses to leave, though the Python SDK types them `str`.

pulumi-aws's SDK never narrows a string to an enum (its few enums are `Union[str, Enum]`, and the
bridge's type checker skips enum types: pulumi/pulumi-terraform-bridge
`pkg/tfbridge/typechecker/typechecker.go` getType), so the SDK alone cannot say what is refused.
The Terraform provider can: the attributes below carry `ValidateDiagFunc: enum.Validate[<AWS SDK
enum type>]()` in hashicorp/terraform-provider-aws (internal/service/ecs/service.go,
ecr/repository.go, codebuild/project.go, lambda/function.go, codepipeline/codepipeline.go), which
is `validation.StringInSlice(<type>.Values(), false)`: exact, case-sensitive.

The allowed values are the AWS API model's enum of the same name, read from botocore's service
model (the AWS SDK for Go v2 that the provider builds on is generated from the same models). This
runs in preflight's own process, where botocore is installed; a botocore newer than the provider
can only allow more values, so the gate can miss a value, never refuse a valid one.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from preflight.schema.walk import UNKNOWN, plain, value_suggestion

# (resource type, wire path with [] for every list element) -> (botocore service, enum shape)
CLOSED_SETS: dict[tuple[str, str], tuple[str, str]] = {
    ("aws:ecs/service:Service", "launchType"): ("ecs", "LaunchType"),
    ("aws:ecs/service:Service", "deploymentController.type"): ("ecs", "DeploymentControllerType"),
    ("aws:ecs/service:Service", "deploymentConfiguration.strategy"): ("ecs", "DeploymentStrategy"),
    ("aws:ecr/repository:Repository", "imageTagMutability"): ("ecr", "ImageTagMutability"),
    ("aws:codebuild/project:Project", "environment.type"): ("codebuild", "EnvironmentType"),
    ("aws:codebuild/project:Project", "environment.computeType"): ("codebuild", "ComputeType"),
    ("aws:codebuild/project:Project", "environment.imagePullCredentialsType"):
        ("codebuild", "ImagePullCredentialsType"),
    ("aws:codebuild/project:Project", "environment.environmentVariables[].type"):
        ("codebuild", "EnvironmentVariableType"),
    ("aws:codebuild/project:Project", "source.type"): ("codebuild", "SourceType"),
    ("aws:codebuild/project:Project", "cache.type"): ("codebuild", "CacheType"),
    ("aws:codebuild/project:Project", "cache.modes[]"): ("codebuild", "CacheMode"),
    ("aws:codebuild/project:Project", "logsConfig.cloudwatchLogs.status"):
        ("codebuild", "LogsConfigStatusType"),
    ("aws:codebuild/project:Project", "logsConfig.s3Logs.status"): ("codebuild", "LogsConfigStatusType"),
    ("aws:lambda/function:Function", "runtime"): ("lambda", "Runtime"),
    ("aws:codepipeline/pipeline:Pipeline", "pipelineType"): ("codepipeline", "PipelineType"),
}


class EnumSource:
    """botocore's enums, loaded once per service; None when botocore cannot be imported."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self.error: Optional[str] = None
        try:
            import botocore.session
            self._session = botocore.session.get_session()
        except ImportError as e:
            self._session = None
            self.error = f"botocore is not installed ({e})"

    def values(self, service: str, shape: str) -> Optional[tuple[str, ...]]:
        if self._session is None:
            return None
        if service not in self._models:
            self._models[service] = self._session.get_service_model(service)
        enum = self._models[service].shape_for(shape).enum
        return tuple(enum) if enum else None


def check_closed_sets(resource_type: str, inputs: dict, source: EnumSource) -> Iterator[tuple[str, str]]:
    for (rtype, pattern), (service, shape) in CLOSED_SETS.items():
        if rtype != resource_type:
            continue
        for path, value in _values_at(inputs, pattern.split("."), ""):
            allowed = source.values(service, shape)
            if allowed is not None and value not in allowed:
                yield path, f"{value!r} is not one the provider accepts ({', '.join(allowed)})" + \
                    value_suggestion(value, allowed)


def _values_at(value: Any, steps: list[str], path: str) -> Iterator[tuple[str, str]]:
    known, value = plain(value)
    if not known:
        return
    if not steps:
        if isinstance(value, str) and value != UNKNOWN:
            yield path, value
        return
    step, rest = steps[0], steps[1:]
    each = step.endswith("[]")
    key = step[:-2] if each else step
    if not isinstance(value, dict):
        return
    here = f"{path}.{key}" if path else key
    known, child = plain(value.get(key))
    if not known:
        return
    if not each:
        yield from _values_at(child, rest, here)
    elif isinstance(child, list):
        for i, item in enumerate(child):
            yield from _values_at(item, rest, f"{here}[{i}]")

