"""CodeBuild rules through the analyzer: project settings and the inline buildspec."""
from __future__ import annotations

import pytest
import yaml

PROJECT = "aws:codebuild/project:Project"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GOOD_SPEC = {
    "version": 0.2,
    "env": {"variables": {"IMAGE_REPO": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders"},
            "parameter-store": {"DB_PASSWORD": "/orders/ci/db-password"}},
    "phases": {
        "pre_build": {"commands": [
            "python -m pytest -q",
            "aws ecr get-login-password | docker login --username AWS --password-stdin $IMAGE_REPO",
            "IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-12)"]},
        "build": {"commands": ["docker build -t $IMAGE_REPO:$IMAGE_TAG ."]},
        "post_build": {"commands": [
            "docker push $IMAGE_REPO:$IMAGE_TAG",
            "printf '[{\"name\":\"app\",\"imageUri\":\"%s\"}]' $IMAGE_REPO:$IMAGE_TAG "
            "> imagedefinitions.json"]},
    },
}


def project(spec=GOOD_SPEC, **overrides):
    props = {
        "source": {"type": "CODEPIPELINE",
                   "buildspec": yaml.safe_dump(spec) if isinstance(spec, dict) else spec},
        "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                        "type": "LINUX_CONTAINER", "privilegedMode": True,
                        "environmentVariables": [{"name": "DB_PASSWORD", "value": "/orders/ci/db-password",
                                                  "type": "PARAMETER_STORE"}]},
        "artifacts": {"type": "CODEPIPELINE"},
        "cache": {"type": "LOCAL", "modes": ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"]},
        "encryptionKey": KEY,
        "logsConfig": {"cloudwatchLogs": {"status": "ENABLED", "groupName": "/codebuild/orders"}},
    }
    props.update(overrides)
    return props


def with_commands(**phases):
    """GOOD_SPEC with some phases' commands replaced."""
    spec = dict(GOOD_SPEC, phases=dict(GOOD_SPEC["phases"]))
    for phase, commands in phases.items():
        spec["phases"][phase] = {"commands": commands}
    return spec


def the(result, policy):
    [d] = result.of(policy)
    return d


def test_platform_like_project_passes_every_rule(pack):
    r = pack.check(PROJECT, project())
    assert not [d for d in r.diagnostics if d.policy.startswith("codebuild-")]


# ---- secrets and credentials --------------------------------------------------------------

def test_plaintext_secret_env_var_violates(pack):
    env = dict(project()["environment"], environmentVariables=[
        {"name": "GITHUB_TOKEN", "value": "ghp_" + "a" * 36, "type": "PLAINTEXT"},
        {"name": "NPM_TOKEN", "value": "abc123abc123"},  # no type = PLAINTEXT
        {"name": "DB_PASSWORD", "value": "/orders/db", "type": "SECRETS_MANAGER"}])
    r = pack.check(PROJECT, project(environment=env), name="orders-build")
    found = r.of("codebuild-project-no-plaintext-secrets")
    assert {d.severity for d in found} == {"critical"} and len(found) == 2
    text = " ".join(d.message for d in found)
    assert "'GITHUB_TOKEN'" in text and "'NPM_TOKEN'" in text and "'DB_PASSWORD'" not in text
    assert "ghp_" not in text and "PARAMETER_STORE or SECRETS_MANAGER" in text


def test_plaintext_secret_in_buildspec_env_violates(pack):
    spec = dict(GOOD_SPEC, env={"variables": {"API_KEY": "k-12345678"}})
    d = the(pack.check(PROJECT, project(spec)), "codebuild-project-no-plaintext-secrets")
    assert "buildspec" in d.message and "'API_KEY'" in d.message and "k-12345678" not in d.message


@pytest.mark.parametrize("location", ["https://ci-bot:s3cret@bitbucket.org/acme/orders.git",
                                      "https://x-token-auth@github.com/acme/orders.git"])
def test_credentials_in_source_url_violate(pack, location):
    r = pack.check(PROJECT, project(source={"type": "BITBUCKET", "location": location}), name="orders-build")
    d = the(r, "codebuild-project-source-url-no-credentials")
    assert d.severity == "critical" and "***@" in d.message and "s3cret" not in d.message


def test_plain_source_url_passes(pack):
    source = {"type": "GITHUB", "location": "https://github.com/acme/orders.git"}
    secondary = [{"location": "git@github.com:acme/lib.git"}]
    r = pack.check(PROJECT, project(source=source, secondarySources=secondary))
    assert not r.of("codebuild-project-source-url-no-credentials")


# ---- privileged mode, logs, encryption, cache, compute ------------------------------------

def test_privileged_without_image_build_violates(pack):
    spec = {"version": 0.2, "phases": {"build": {"commands": ["pytest"]}}}
    r = pack.check(PROJECT, project(spec), name="orders-test")
    d = the(r, "codebuild-project-privileged-only-for-images")
    assert d.severity == "medium" and '"orders-test"' in d.message and "privileged_mode=False" in d.message


def test_privileged_with_file_buildspec_is_not_judged(pack):
    r = pack.check(PROJECT, project("ci/buildspec.yml"))
    assert not r.of("codebuild-project-privileged-only-for-images")


def test_logging_disabled_everywhere_violates(pack):
    logs = {"cloudwatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}}
    d = the(pack.check(PROJECT, project(logsConfig=logs)), "codebuild-project-logging-enabled")
    assert "CloudWatch logs and S3 logs" in d.message
    s3_only = {"cloudwatchLogs": {"status": "DISABLED"},
               "s3Logs": {"status": "ENABLED", "location": "b/logs"}}
    assert not pack.check(PROJECT, project(logsConfig=s3_only)).of("codebuild-project-logging-enabled")


@pytest.mark.parametrize("key, expected", [("", "sets no encryptionKey"),
                                           ("alias/aws/s3", "AWS-managed key")])
def test_missing_or_aws_managed_key_violates(pack, key, expected):
    d = the(pack.check(PROJECT, project(encryptionKey=key)), "codebuild-project-kms-encrypted")
    assert d.severity == "medium" and expected in d.message


def test_artifact_encryption_disabled_violates(pack):
    r = pack.check(PROJECT, project(artifacts={"type": "S3", "location": "b", "encryptionDisabled": True},
                                    secondaryArtifacts=[{"type": "S3", "artifactIdentifier": "reports",
                                                         "encryptionDisabled": True}]))
    messages = sorted(d.message for d in r.of("codebuild-project-artifacts-encrypted"))
    assert len(messages) == 2 and "artifacts disables" in messages[0] and "'reports'" in messages[1]


@pytest.mark.parametrize("cache, expected", [(None, "no cache"), ({"type": "NO_CACHE"}, "no cache"),
                                             ({"type": "S3"}, "S3 cache without a location")])
def test_missing_cache_violates(pack, cache, expected):
    props = project(cache=cache) if cache else {k: v for k, v in project().items() if k != "cache"}
    d = the(pack.check(PROJECT, props), "codebuild-project-cache-configured")
    assert d.severity == "low" and expected in d.message
    assert not pack.check(PROJECT, project(cache={"type": "S3", "location": "b/cache"})).of(
        "codebuild-project-cache-configured")


def test_compute_type_outside_allow_list_violates(pack):
    env = dict(project()["environment"], computeType="BUILD_GENERAL1_2XLARGE")
    d = the(pack.check(PROJECT, project(environment=env)), "codebuild-project-compute-type-allowed")
    assert d.severity == "low" and "'BUILD_GENERAL1_2XLARGE'" in d.message
    assert "BUILD_GENERAL1_SMALL" in d.message
    config = {"codebuild-project-compute-type-allowed": {"allowedComputeTypes": ["BUILD_GENERAL1_2XLARGE"]}}
    r = pack.check(PROJECT, project(environment=env), config)
    assert not r.of("codebuild-project-compute-type-allowed")


# ---- buildspec: image tags ---------------------------------------------------------------

@pytest.mark.parametrize("commands, expected", [
    (["docker build -t $IMAGE_REPO:latest ."], 'uses the tag "$IMAGE_REPO:latest"'),
    (["docker tag $IMAGE_REPO:$IMAGE_TAG $IMAGE_REPO:latest"], 'uses the tag "$IMAGE_REPO:latest"'),
    (["docker push $IMAGE_REPO"], 'pushes "$IMAGE_REPO" without a tag'),
])
def test_latest_tags_violate(pack, commands, expected):
    spec = with_commands(post_build=["docker push $IMAGE_REPO:$IMAGE_TAG", *commands])
    r = pack.check(PROJECT, project(spec), name="orders-build")
    d = the(r, "codebuild-buildspec-images-tagged-with-commit")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert expected in d.message and "post_build" in d.message


def test_images_not_tagged_with_commit_violate(pack):
    spec = with_commands(build=["docker build -t $IMAGE_REPO:$BUILD_NUMBER ."],
                         post_build=["docker push $IMAGE_REPO:$BUILD_NUMBER"])
    d = the(pack.check(PROJECT, project(spec)), "codebuild-buildspec-images-tagged-with-commit")
    assert "without tagging them with the commit" in d.message


def test_commit_tag_derived_through_variables_passes(pack):
    spec = with_commands(
        pre_build=["pytest", "SHA=${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}", "export TAG=v-$SHA"],
        build=["docker buildx build --push -t $IMAGE_REPO:$TAG ."], post_build=[])
    assert not pack.check(PROJECT, project(spec)).of("codebuild-buildspec-images-tagged-with-commit")


def test_file_buildspec_is_not_judged(pack):
    r = pack.check(PROJECT, project("buildspec.yaml"))
    assert not r.of("codebuild-buildspec-images-tagged-with-commit")
    assert not r.of("codebuild-buildspec-tests-before-build")


# ---- buildspec: tests before the image build ----------------------------------------------

def test_build_without_tests_violates(pack):
    spec = with_commands(pre_build=["IMAGE_TAG=$CODEBUILD_RESOLVED_SOURCE_VERSION"],
                         post_build=["docker push $IMAGE_REPO:$IMAGE_TAG", "npm test"])
    d = the(pack.check(PROJECT, project(spec), name="orders-build"), "codebuild-buildspec-tests-before-build")
    assert d.severity == "medium" and "(build: `docker build -t $IMAGE_REPO:$IMAGE_TAG .`)" in d.message


def test_tests_earlier_in_the_same_step_pass(pack):
    spec = with_commands(pre_build=["IMAGE_TAG=$CODEBUILD_RESOLVED_SOURCE_VERSION"],
                         build=["go test ./... && docker build -t $IMAGE_REPO:$IMAGE_TAG ."])
    assert not pack.check(PROJECT, project(spec)).of("codebuild-buildspec-tests-before-build")


def test_test_command_patterns_are_configurable(pack):
    spec = with_commands(pre_build=["IMAGE_TAG=$CODEBUILD_RESOLVED_SOURCE_VERSION", "./ci/check.sh"])
    assert pack.check(PROJECT, project(spec)).of("codebuild-buildspec-tests-before-build")
    config = {"codebuild-buildspec-tests-before-build": {"testCommandPatterns": [r"ci/check\.sh"]}}
    assert not pack.check(PROJECT, project(spec), config).of("codebuild-buildspec-tests-before-build")


# ---- buildspec: tools that move tags, variable-built tags (issue 9) -------------------------

@pytest.mark.parametrize("commands, expected", [
    (["aws ecr batch-get-image --repository-name orders --image-ids imageTag=$IMAGE_TAG --output text "
      "--query 'images[].imageManifest' | aws ecr put-image --repository-name orders --image-tag latest "
      "--image-manifest file://m.json"], 'moves the tag with aws to "orders:latest"'),
    (["crane tag $IMAGE_REPO:$IMAGE_TAG latest"], 'moves the tag with crane to "$IMAGE_REPO:latest"'),
    (["crane copy $IMAGE_REPO:$IMAGE_TAG $IMAGE_REPO:latest"], 'with crane to "$IMAGE_REPO:latest"'),
    (["skopeo copy docker://$IMAGE_REPO:$IMAGE_TAG docker://$IMAGE_REPO:latest"],
     'moves the tag with skopeo to "$IMAGE_REPO:latest"'),
    (["docker buildx imagetools create -t $IMAGE_REPO:latest $IMAGE_REPO:$IMAGE_TAG"],
     'uses the tag "$IMAGE_REPO:latest"'),
    (["podman push $IMAGE_REPO:$IMAGE_TAG $IMAGE_REPO:latest"], 'uses the tag "$IMAGE_REPO:latest"'),
    (["buildah push $IMAGE_REPO:latest"], 'uses the tag "$IMAGE_REPO:latest"'),
    (["regctl image copy $IMAGE_REPO:$IMAGE_TAG $IMAGE_REPO:latest"], 'with regctl to "$IMAGE_REPO:latest"'),
    (["oras tag $IMAGE_REPO:$IMAGE_TAG stable latest"], 'moves the tag with oras to "$IMAGE_REPO:latest"'),
    (["TAG=latest; docker push $IMAGE_REPO:$TAG"], 'uses the tag "$IMAGE_REPO:$TAG" (its tag resolves to "latest")'),
    (["export CHANNEL=latest", "docker tag $IMAGE_REPO:$IMAGE_TAG $IMAGE_REPO:${CHANNEL}"],
     'uses the tag "$IMAGE_REPO:${CHANNEL}" (its tag resolves to "latest")'),
    (["docker push $IMAGE_REPO:${RELEASE:-latest}"], '"$IMAGE_REPO:${RELEASE:-latest}" (its tag resolves'),
])
def test_tools_and_variables_that_move_latest_violate(pack, commands, expected):
    spec = with_commands(post_build=["docker push $IMAGE_REPO:$IMAGE_TAG", *commands])
    d = the(pack.check(PROJECT, project(spec), name="orders-build"), "codebuild-buildspec-images-tagged-with-commit")
    assert expected in d.message, d.message


@pytest.mark.parametrize("commands", [
    ["docker push $IMAGE_REPO:${RELEASE:-latest}", "echo $RELEASE"],        # RELEASE set by the project below
    ["TAG=latest", "TAG=$CODEBUILD_RESOLVED_SOURCE_VERSION", "docker push $IMAGE_REPO:$TAG"],
    ["TAG=latest docker push $IMAGE_REPO:$TAG"],                            # the shell expands $TAG first
    ["crane copy public.ecr.aws/docker/library/python:latest $IMAGE_REPO-base:$IMAGE_TAG"],
    ["docker push $UNDECLARED_IMAGE"],                                      # nothing says what it holds
    ["aws ecr put-image --repository-name orders --image-tag release-$IMAGE_TAG --image-manifest m"],
])
def test_tags_that_are_not_latest_or_not_known_pass(pack, commands):
    env = dict(project()["environment"], environmentVariables=[
        {"name": "RELEASE", "value": "rc-1", "type": "PLAINTEXT"}])
    spec = with_commands(post_build=["docker push $IMAGE_REPO:$IMAGE_TAG", *commands])
    r = pack.check(PROJECT, project(spec, environment=env))
    assert not r.of("codebuild-buildspec-images-tagged-with-commit"), commands


def test_project_variable_read_only_when_the_tag_needs_it(pack):
    from preflight.analyzer import UNKNOWN
    env = dict(project()["environment"], environmentVariables=[
        {"name": "IMAGE_REPO", "value": UNKNOWN, "type": "PLAINTEXT"},
        {"name": "PROMOTE", "value": "latest", "type": "PLAINTEXT"}])
    spec = with_commands(post_build=["docker push $IMAGE_REPO:$IMAGE_TAG", "crane tag $IMAGE_REPO:$IMAGE_TAG $PROMOTE"])
    d = the(pack.check(PROJECT, project(spec, environment=env)), "codebuild-buildspec-images-tagged-with-commit")
    assert 'moves the tag with crane to "$IMAGE_REPO:$PROMOTE" (its tag resolves to "latest")' in d.message
    pushed = with_commands(post_build=["docker push $IMAGE_REPO"])
    d = the(pack.check(PROJECT, project(pushed, environment=env)), "codebuild-buildspec-images-tagged-with-commit")
    assert "can't be known during preview" in d.message, "an untagged push needs the repository value"


def test_privileged_for_containers_run_by_the_tests_passes(pack):
    spec = {"version": 0.2, "phases": {"pre_build": {"commands": ["docker compose -f it.yml up -d db"]},
                                       "build": {"commands": ["pytest tests/integration"]}}}
    assert not pack.check(PROJECT, project(spec)).of("codebuild-project-privileged-only-for-images")
    spec = {"version": 0.2, "phases": {"build": {"commands": ["docker run --rm -v $PWD:/src hadolint/hadolint"]}}}
    assert not pack.check(PROJECT, project(spec)).of("codebuild-project-privileged-only-for-images")


def test_credentials_in_a_url_value_violate_whatever_the_name(pack):
    env = dict(project()["environment"], environmentVariables=[
        {"name": "UPSTREAM", "value": "postgres://app:s3cr3t@db:5432/orders"},
        {"name": "DATABASE_URL", "value": "postgres://app:${DB_PASSWORD}@db:5432/orders"},
        {"name": "GIT_URL", "value": "https://x-token-auth@github.com/acme/orders.git"}])
    [d] = pack.check(PROJECT, project(environment=env), name="orders-build").of(
        "codebuild-project-no-plaintext-secrets")
    assert "'UPSTREAM'" in d.message and "URL with a password (postgres://user:***@...)" in d.message
    assert "s3cr3t" not in d.message
