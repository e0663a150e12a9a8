"""ECS container definitions (the JSON `containerDefinitions` of a task definition) from plain data."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from components import arns

# repository[:tag][@sha256:<64 hex>]; the repository may carry a registry host with a port.
_IMAGE = re.compile(r"^(?P<repo>[^@\s]+?)(?::(?P<tag>[\w][\w.-]{0,127}))?"
                    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")
_SECRET_SOURCE = re.compile(r"^arn:aws[a-z-]*:(ssm:[\w-]+:\d{12}:parameter/"
                            r"|secretsmanager:[\w-]+:\d{12}:secret:)\S+$")
_SECRET_LOOKING = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)",
                             re.IGNORECASE)
TMP_VOLUME = "tmp"


def check_image_pinned(image: str) -> str:
    """A deployable image is pinned: a digest, or an explicit tag other than `latest`."""
    match = _IMAGE.match(image or "")
    if not match or "/" in (match.group("tag") or ""):
        raise ValueError(f"image {image!r} is not a valid image reference")
    if match.group("digest"):
        return image
    tag = match.group("tag")
    if tag is None:
        raise ValueError(f"image {image!r} has no tag or digest; pin a git-SHA tag or a digest")
    if tag == "latest":
        raise ValueError(f"image {image!r} uses ':latest'; pin a git-SHA tag or a digest")
    return image


def check_digest_pinned(image: str) -> str:
    """Lambda image functions resolve tags once at deploy time: only a digest says what runs."""
    check_image_pinned(image)
    if "@sha256:" not in image:
        raise ValueError(f"image {image!r} must be pinned by digest (<repo>@sha256:...)")
    return image


def check_secret_source(name: str, arn: str) -> str:
    if not _SECRET_SOURCE.match(arn or ""):
        raise ValueError(f"secret {name!r} must come from an SSM parameter or Secrets Manager ARN, "
                         f"got {arn!r}")
    return arn


def check_plain_environment(environment: Mapping[str, str]) -> None:
    for name in environment:
        if _SECRET_LOOKING.search(name):
            raise ValueError(f"environment variable {name!r} looks like a secret; pass it in `secrets` "
                             "as an SSM parameter or Secrets Manager ARN")


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    port: int
    log_group: str
    region: str
    user: str = "10001:10001"
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)   # env name -> SSM / Secrets Manager ARN


def _check_spec(spec: ContainerSpec) -> None:
    check_image_pinned(spec.image)
    if not 1 <= spec.port <= 65535:
        raise ValueError(f"container port must be 1..65535, got {spec.port}")
    if spec.user.split(":")[0] in ("", "0", "root"):
        raise ValueError(f"container user must not be root, got {spec.user!r}")
    check_plain_environment(spec.environment)
    for name, arn in spec.secrets.items():
        check_secret_source(name, arn)


def container_definition(spec: ContainerSpec) -> dict[str, Any]:
    _check_spec(spec)
    return {
        "name": spec.name,
        "image": spec.image,
        "essential": True,
        "user": spec.user,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "portMappings": [{"containerPort": spec.port, "hostPort": spec.port, "protocol": "tcp"}],
        # A read-only root needs somewhere writable for temp files; the task's ephemeral volume is it.
        "mountPoints": [{"sourceVolume": TMP_VOLUME, "containerPath": "/tmp", "readOnly": False}],
        "environment": [{"name": k, "value": v} for k, v in sorted(spec.environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(spec.secrets.items())],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": spec.log_group, "awslogs-region": spec.region,
            "awslogs-stream-prefix": spec.name}},
    }


def container_definitions_json(spec: ContainerSpec) -> str:
    return json.dumps([container_definition(spec)])


def repository_arn_of_image(image: str) -> str:
    """`<acct>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` -> the repository ARN the execution role reads."""
    match = re.match(r"^(\d{12})\.dkr\.ecr\.([\w-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)", image)
    if not match:
        raise ValueError(f"image {image!r} is not in an ECR repository")
    account, region, repository = match.groups()
    return arns.ecr_repository_arn(account, region, repository)
