"""The task definition template the build writes as taskdef-<environment>.json for CodeDeployToECS.

CodePipeline registers it with the new image in place of `<IMAGE1_NAME>` (from imageDetail.json), so it
must describe the same task as EcsBlueGreenService's own definition: same family, roles, sizes and the
container definition rendered by the workloads' `container_definition` function.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.documents.container_definitions import TMP_VOLUME, ContainerSpec, container_definition

IMAGE_PLACEHOLDER = "<IMAGE1_NAME>"
# container_definition() insists on a pinned image; the template is rendered with this stand-in and the
# image field is then replaced by the placeholder CodePipeline fills in.
_STAND_IN_IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/stand-in:sha-template"


@dataclass(frozen=True)
class TaskTemplate:
    family: str
    container_name: str
    port: int
    cpu: int
    memory: int
    execution_role_arn: str
    task_role_arn: str
    log_group: str
    region: str


def taskdef_template(t: TaskTemplate) -> dict[str, Any]:
    container = container_definition(ContainerSpec(name=t.container_name, image=_STAND_IN_IMAGE, port=t.port,
                                                   log_group=t.log_group, region=t.region))
    container["image"] = IMAGE_PLACEHOLDER
    return {
        "family": t.family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "cpu": str(t.cpu), "memory": str(t.memory),
        "executionRoleArn": t.execution_role_arn, "taskRoleArn": t.task_role_arn,
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
        "volumes": [{"name": TMP_VOLUME}],
        "containerDefinitions": [container],
    }


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))
