"""ECS task definition rules, read from `containerDefinitions` (a JSON string). Service and
cluster rules live in ecs_service.py (imported here so they register)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from ._common import account_of_arn, as_list, as_str, get, is_true, iter_containers
from ._registry import resource_rule
from .images import (ALLOWED_REGISTRIES_CONFIG, compiled_patterns, registry_allowed, registry_of,
                     unpinned_reason)
from .env_secrets import CONFIG as SECRET_CONFIG, secret_variables
from . import ecs_service  # noqa: F401  (registrations)

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ROOT_USERS = ("root", "0")


def _containers(args):
    """(name, definition) of every container of the task definition."""
    for i, c in enumerate(iter_containers(get(args.props, "containerDefinitions"))):
        yield (as_str(get(c, "name")) or f"#{i + 1}"), c


@resource_rule(
    "ecs-task-definition-image-pinned",
    types=[TASK_DEFINITION],
    description="Container images must be pinned to a digest or an immutable tag, never :latest or untagged.",
    severity="high",
    remediation="Reference the image by the git-SHA tag the build pushed, or by digest (repo@sha256:...).",
    topic="supply-chain",
)
def ecs_task_definition_image_pinned(args, cfg):
    for name, c in _containers(args):
        image = get(c, "image")
        reason = unpinned_reason(image)
        if reason:
            yield (f"task definition \"{args.name}\": container \"{name}\" image \"{image}\" {reason}; "
                   "pin a git-SHA tag or a digest")


@resource_rule(
    "ecs-task-definition-image-registry-allowed",
    types=[TASK_DEFINITION],
    description="Container images must come from an allowed registry (by default ECR).",
    severity="medium",
    remediation="Push the image to the platform's ECR repository (or add its registry to allowedRegistries).",
    topic="supply-chain",
    config={"allowedRegistries": ALLOWED_REGISTRIES_CONFIG},
)
def ecs_task_definition_image_registry_allowed(args, cfg):
    patterns = compiled_patterns(cfg.get("allowedRegistries"), "allowedRegistries")
    for name, c in _containers(args):
        image = get(c, "image")
        if isinstance(image, str) and image.strip() and not registry_allowed(image.strip(), patterns):
            yield (f"task definition \"{args.name}\": container \"{name}\" image \"{image}\" comes from "
                   f"registry {registry_of(image.strip())!r}, which is not allowed; pull it from ECR")


@resource_rule(
    "ecs-task-definition-not-privileged",
    types=[TASK_DEFINITION],
    description="Containers must not run privileged.",
    severity="high",
    remediation=("Remove privileged: true from the container definition; grant specific linuxParameters "
                 "capabilities if needed."),
    topic="workload-hardening",
    anchors=["SH ECS.4", "CKV_AWS_334"],
)
def ecs_task_definition_not_privileged(args, cfg):
    for name, c in _containers(args):
        if is_true(get(c, "privileged")):
            yield (f"task definition \"{args.name}\": container \"{name}\" runs privileged "
                   "(root on the host); remove privileged: true")


@resource_rule(
    "ecs-task-definition-readonly-root-fs",
    types=[TASK_DEFINITION],
    description="Containers must mount their root filesystem read-only.",
    severity="medium",
    remediation="Set readonlyRootFilesystem: true and mount a volume for the paths the process writes.",
    topic="workload-hardening",
    anchors=["SH ECS.5"],
)
def ecs_task_definition_readonly_root_fs(args, cfg):
    for name, c in _containers(args):
        if not is_true(get(c, "readonlyRootFilesystem")):
            yield (f"task definition \"{args.name}\": container \"{name}\" has a writable root filesystem; "
                   "set readonlyRootFilesystem: true")


@resource_rule(
    "ecs-task-definition-awsvpc-network",
    types=[TASK_DEFINITION],
    description="Task definitions must use the awsvpc network mode.",
    severity="medium",
    remediation="Set network_mode=\"awsvpc\" so each task gets its own ENI and security groups.",
    topic="network",
    anchors=["SH ECS.17"],
)
def ecs_task_definition_awsvpc_network(args, cfg):
    mode = get(args.props, "networkMode")
    if mode != "awsvpc":
        shown = "unset (AWS default bridge)" if mode is None else repr(mode)
        yield f"task definition \"{args.name}\" has networkMode {shown}; set network_mode=\"awsvpc\""


@resource_rule(
    "ecs-task-definition-non-root-user",
    types=[TASK_DEFINITION],
    description="Containers must run as a non-root user.",
    severity="medium",
    remediation="Set user to a non-root uid (e.g. \"1000:1000\") in every container definition.",
    topic="workload-hardening",
    anchors=["SH ECS.20"],
)
def ecs_task_definition_non_root_user(args, cfg):
    for name, c in _containers(args):
        user = get(c, "user")
        if not isinstance(user, str) or not user.strip():
            yield (f"task definition \"{args.name}\": container \"{name}\" sets no user, so it runs as the "
                   "image's user (root by default); set user to a non-root uid such as \"1000:1000\"")
        elif user.strip().split(":", 1)[0] in ROOT_USERS:
            yield (f"task definition \"{args.name}\": container \"{name}\" runs as user {user!r} (root); "
                   "set a non-root uid such as \"1000:1000\"")


@resource_rule(
    "ecs-task-definition-logging-configured",
    types=[TASK_DEFINITION],
    description="Every container must send its logs somewhere through a logConfiguration.",
    severity="medium",
    remediation=("Add logConfiguration {logDriver: \"awslogs\", options: {awslogs-group, awslogs-region, "
                 "awslogs-stream-prefix}}."),
    topic="observability",
    anchors=["SH ECS.9", "nag ECS7"],
)
def ecs_task_definition_logging_configured(args, cfg):
    for name, c in _containers(args):
        if not as_str(get(c, "logConfiguration", "logDriver")):
            yield (f"task definition \"{args.name}\": container \"{name}\" has no logConfiguration; "
                   "add an awslogs logConfiguration")


@resource_rule(
    "ecs-task-definition-no-environment-secrets",
    types=[TASK_DEFINITION],
    description=("Secrets must reach containers through `secrets` (valueFrom), never as plain `environment` "
                 "values."),
    severity="critical",
    remediation=("Move the value to Secrets Manager or Parameter Store and reference it in secrets: [{name, "
                 "valueFrom}]."),
    topic="secrets",
    anchors=["SH ECS.8"],
    config=SECRET_CONFIG,
)
def ecs_task_definition_no_environment_secrets(args, cfg):
    for name, c in _containers(args):
        pairs = [(get(v, "name"), get(v, "value"))
                 for v in as_list(get(c, "environment")) if isinstance(v, Mapping)]
        for var, reason in secret_variables(pairs, cfg):
            yield (f"task definition \"{args.name}\": container \"{name}\" environment variable {var!r} "
                   f"holds a plain value and {reason}; move it to secrets with valueFrom "
                   "(Secrets Manager / Parameter Store)")


@resource_rule(
    "ecs-task-definition-separate-roles",
    types=[TASK_DEFINITION],
    description=("The task role (used by the application) must differ from the execution role (used by ECS "
                 "to pull and log)."),
    severity="low",
    remediation=("Create a dedicated task role with only the application's permissions; keep the execution "
                 "role for ECS."),
    topic="least-privilege",
    anchors=["CKV_AWS_249"],
)
def ecs_task_definition_separate_roles(args, cfg):
    task_role = get(args.props, "taskRoleArn")
    if not isinstance(task_role, str) or not task_role.strip():
        return
    execution_role = get(args.props, "executionRoleArn")
    if isinstance(execution_role, str) and _same_role(task_role, execution_role):
        shown = task_role if task_role == execution_role else f"{task_role} (= {execution_role})"
        yield (f"task definition \"{args.name}\" uses {shown} as both task role and execution role; "
               "give the application its own task role")


def _same_role(a: str, b: str) -> bool:
    """ECS takes a role's short name or its ARN; a role name is unique in its account whatever its path,
    and IAM compares role names case-insensitively."""
    (account_a, name_a), (account_b, name_b) = _role_id(a), _role_id(b)
    same_account = account_a is None or account_b is None or account_a == account_b
    return bool(name_a) and name_a == name_b and same_account


def _role_id(value: str) -> tuple[Optional[str], str]:
    value = value.strip()
    if not value.startswith("arn:"):
        return None, value.lower()
    return account_of_arn(value), value.rsplit("/", 1)[-1].lower() if ":role/" in value else value.lower()
