"""CodeBuild buildspecs (version 0.2) as data, rendered with yaml.safe_dump.

Image builds: install checks the commit is known -> pre_build runs the tests, then logs in to ECR ->
build tags the image `sha-$CODEBUILD_RESOLVED_SOURCE_VERSION` (never `latest`) -> post_build pushes it and
writes imagedefinitions.json, imageDetail.json and the deploy templates (taskdef-*.json, appspec.yaml).
Secrets reach a build only through `env.parameter-store` / `env.secrets-manager`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import yaml

from components.documents.lifecycle import IMAGE_TAG_PREFIX

COMMIT = "$CODEBUILD_RESOLVED_SOURCE_VERSION"
IMAGE_URI = f'"$REPOSITORY_URI:{IMAGE_TAG_PREFIX}{COMMIT}"'
DEFAULT_CACHE_PATHS = ("/root/.cache/pip/**/*", "/root/.npm/**/*", "/root/.m2/**/*", "/root/.gradle/caches/**/*")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class BuildSecrets:
    parameter_store: Mapping[str, str] = field(default_factory=dict)   # ENV_NAME -> /ssm/parameter/name
    secrets_manager: Mapping[str, str] = field(default_factory=dict)   # ENV_NAME -> secret-id[:json-key]


@dataclass(frozen=True)
class ImageBuild:
    container_name: str
    test_command: str
    deploy_files: Mapping[str, str] = field(default_factory=dict)   # file name -> one-line JSON content
    secrets: BuildSecrets = BuildSecrets()
    cache_paths: Sequence[str] = DEFAULT_CACHE_PATHS


@dataclass(frozen=True)
class PackageBuild:
    test_command: str
    package_command: str
    package_path: str                 # the zip the package command produces, e.g. dist/function.zip
    secrets: BuildSecrets = BuildSecrets()
    cache_paths: Sequence[str] = DEFAULT_CACHE_PATHS


def _env(variables: Mapping[str, str], secrets: BuildSecrets) -> dict[str, Any]:
    names = [*variables, *secrets.parameter_store, *secrets.secrets_manager]
    for name in names:
        if not _ENV_NAME.match(name):
            raise ValueError(f"environment variable name must be UPPER_SNAKE, got {name!r}")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"environment variable(s) {duplicated} defined twice")
    env: dict[str, Any] = {"shell": "bash"}
    if variables:
        env["variables"] = dict(variables)
    if secrets.parameter_store:
        env["parameter-store"] = dict(sorted(secrets.parameter_store.items()))
    if secrets.secrets_manager:
        env["secrets-manager"] = dict(sorted(secrets.secrets_manager.items()))
    return env


def _check_command(command: str) -> str:
    if not command.strip() or "\n" in command:
        raise ValueError(f"a build command must be one non-empty line, got {command!r}")
    if re.search(r":latest\b", command):
        raise ValueError(f"build commands must not use the :latest tag, got {command!r}")
    return command


def _write_file(name: str, content: str) -> str:
    if not _FILE_NAME.match(name):
        raise ValueError(f"deploy file name must be a plain file name, got {name!r}")
    if "'" in content or "\n" in content:
        raise ValueError(f"deploy file {name} must be one line without single quotes")
    return f"printf '%s\\n' '{content}' > {name}"


def _phase(commands: Sequence[str], *, abort: bool = True) -> dict[str, Any]:
    phase: dict[str, Any] = {"commands": list(commands)}
    if abort:
        phase["on-failure"] = "ABORT"   # post_build would otherwise still run (and push) after a failure
    return phase


_REQUIRE_COMMIT = f'test -n "{COMMIT}" || {{ echo "no resolved source version to tag with"; exit 1; }}'


def image_buildspec(spec: ImageBuild) -> dict[str, Any]:
    login = ('aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS '
             '--password-stdin "${REPOSITORY_URI%%/*}"')
    post_build = [
        f"docker push {IMAGE_URI}",
        f"printf '[{{\"name\":\"%s\",\"imageUri\":\"%s\"}}]' \"$CONTAINER_NAME\" {IMAGE_URI} > imagedefinitions.json",
        f"printf '{{\"ImageURI\":\"%s\"}}' {IMAGE_URI} > imageDetail.json",
        *(_write_file(name, content) for name, content in sorted(spec.deploy_files.items())),
    ]
    return {
        "version": 0.2,
        "env": _env({"CONTAINER_NAME": spec.container_name}, spec.secrets),
        "phases": {
            "install": _phase([_REQUIRE_COMMIT]),
            "pre_build": _phase([_check_command(spec.test_command), login]),
            "build": _phase([f"docker build --tag {IMAGE_URI} ."]),
            "post_build": _phase(post_build, abort=False),
        },
        "artifacts": {"files": ["imagedefinitions.json", "imageDetail.json", *sorted(spec.deploy_files)]},
        "cache": {"paths": list(spec.cache_paths)},
    }


PACKAGE_CONTENTS = "function-package"


def package_buildspec(spec: PackageBuild) -> dict[str, Any]:
    """A zip function: tests, then the package command. CodePipeline zips an artifact's files and the Lambda
    deploy action takes that zip as the function's code, so the artifact is the package's contents, not the
    package file (which would arrive as a zip inside the zip)."""
    if not re.match(r"^[A-Za-z0-9._/-]+\.zip$", spec.package_path):
        raise ValueError(f"package path must be a relative .zip path, got {spec.package_path!r}")
    return {
        "version": 0.2,
        "env": _env({}, spec.secrets),
        "phases": {
            "install": _phase([_REQUIRE_COMMIT]),
            "pre_build": _phase([_check_command(spec.test_command)]),
            "build": _phase([_check_command(spec.package_command), f"test -s {spec.package_path}",
                             f"rm -rf {PACKAGE_CONTENTS}",
                             f"unzip -q {spec.package_path} -d {PACKAGE_CONTENTS}"]),
        },
        "artifacts": {"base-directory": PACKAGE_CONTENTS, "files": ["**/*"]},
        "cache": {"paths": list(spec.cache_paths)},
    }


TEST_PROFILE = "integration-test"


def assume_role_profile_commands(role_arn_variable: str) -> list[str]:
    """An AWS profile that assumes the role named in $<role_arn_variable> from the build's own credentials
    (CodeBuild serves them like ECS does), so every SDK and the CLI in the test command use it and refresh it."""
    if not re.match(r"^[A-Z_][A-Z0-9_]*$", role_arn_variable):
        raise ValueError(f"role ARN variable must be an UPPER_SNAKE name, got {role_arn_variable!r}")
    return [f'aws configure set profile.{TEST_PROFILE}.role_arn "${role_arn_variable}"',
            f"aws configure set profile.{TEST_PROFILE}.credential_source EcsContainer",
            f"export AWS_PROFILE={TEST_PROFILE}"]


def integration_test_buildspec(command: str, variables: Mapping[str, str],
                               secrets: BuildSecrets = BuildSecrets(),
                               role_arn_variable: Optional[str] = None) -> dict[str, Any]:
    """Runs the service's integration tests against staging (variables carry e.g. TEST_URL). With
    `role_arn_variable` the tests run as that role (e.g. one that may invoke the staging function)."""
    setup = assume_role_profile_commands(role_arn_variable) if role_arn_variable else []
    return {
        "version": 0.2,
        "env": _env(variables, secrets),
        "phases": {"build": _phase([*setup, _check_command(command)])},
    }


def to_yaml(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), sort_keys=False, width=1000)
