"""Buildspecs as programs write them: tags moved to latest by every tool that moves tags, variable-built
tags, images not tagged with the commit, and image builds without tests first."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._codebuild import PROJECT

_TAGS = "codebuild-buildspec-images-tagged-with-commit"
_TESTS = "codebuild-buildspec-tests-before-build"


def _spec(*post_build: str, pre_build=("python -m pytest -q", "SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION"),
          build=("docker build -t $REPOSITORY_URI:$SHA .",), env: str = "") -> str:
    """A buildspec program literal: tests and a commit tag first, then `post_build` (the variant's part)."""
    def phase(name, commands):
        return f"  {name}:\n    commands:\n" + "".join(f"      - {c}\n" for c in commands) if commands else ""
    body = "version: 0.2\n" + env + "phases:\n" + phase("pre_build", pre_build) + phase("build", build)
    return 'project("orders-build", buildspec="""\\\n' + body + phase("post_build", post_build) + '""")\n'


def _tag(name: str, *post_build: str, kind: str = VIOLATES, **kwargs) -> Variant:
    return Variant(_TAGS, kind, name, resource="orders-build" if kind == VIOLATES else None,
                   program=PROJECT + _spec(*post_build, **kwargs))


VARIANTS = [
    # ---- :latest, tool by tool --------------------------------------------------------------------
    _tag("docker-tag-and-push-latest", "docker push $REPOSITORY_URI:$SHA",
         "docker tag $REPOSITORY_URI:$SHA $REPOSITORY_URI:latest", "docker push $REPOSITORY_URI:latest"),
    _tag("ecr-put-image-latest", "docker push $REPOSITORY_URI:$SHA",
         "MANIFEST=$(aws ecr batch-get-image --repository-name orders --image-ids imageTag=$SHA "
         "--query 'images[].imageManifest' --output text)",
         "aws ecr put-image --repository-name orders --image-tag latest --image-manifest \"$MANIFEST\""),
    _tag("ecr-batch-get-piped-to-put-image", "docker push $REPOSITORY_URI:$SHA",
         "aws ecr batch-get-image --repository-name orders --image-ids imageTag=$SHA --output text "
         "--query 'images[].imageManifest' | xargs -0 aws ecr put-image --repository-name orders "
         "--image-tag=latest --image-manifest"),
    _tag("crane-tag-latest", "docker push $REPOSITORY_URI:$SHA", "crane tag $REPOSITORY_URI:$SHA latest"),
    _tag("crane-copy-latest", "docker push $REPOSITORY_URI:$SHA",
         "crane copy $REPOSITORY_URI:$SHA $REPOSITORY_URI:latest"),
    _tag("skopeo-copy-latest", "docker push $REPOSITORY_URI:$SHA",
         "skopeo copy --all docker://$REPOSITORY_URI:$SHA docker://$REPOSITORY_URI:latest"),
    _tag("buildx-push-latest", build=("docker buildx build --push -t $REPOSITORY_URI:$SHA "
                                      "-t $REPOSITORY_URI:latest .",)),
    _tag("imagetools-create-latest", "docker push $REPOSITORY_URI:$SHA",
         "docker buildx imagetools create -t $REPOSITORY_URI:latest $REPOSITORY_URI:$SHA"),
    _tag("podman-push-latest", "podman push $REPOSITORY_URI:$SHA",
         "podman push $REPOSITORY_URI:$SHA docker://$REPOSITORY_URI:latest",
         build=("podman build -t $REPOSITORY_URI:$SHA .",)),
    _tag("buildah-tag-latest", "buildah tag $REPOSITORY_URI:$SHA $REPOSITORY_URI:latest",
         "buildah push $REPOSITORY_URI:latest", build=("buildah bud -t $REPOSITORY_URI:$SHA .",)),
    _tag("regctl-copy-latest", "docker push $REPOSITORY_URI:$SHA",
         "regctl image copy $REPOSITORY_URI:$SHA $REPOSITORY_URI:latest"),
    _tag("oras-tag-latest", "docker push $REPOSITORY_URI:$SHA",
         "oras tag $REPOSITORY_URI:$SHA latest stable"),

    # ---- tags built from variables --------------------------------------------------------------
    _tag("variable-set-to-latest", "docker push $REPOSITORY_URI:$SHA",
         "TAG=latest; docker tag $REPOSITORY_URI:$SHA $REPOSITORY_URI:$TAG "
         "&& docker push $REPOSITORY_URI:$TAG"),
    _tag("default-latest-when-unset", "docker push $REPOSITORY_URI:$SHA",
         "docker tag $REPOSITORY_URI:$SHA $REPOSITORY_URI:${IMAGE_TAG:-latest}",
         "docker push $REPOSITORY_URI:${IMAGE_TAG:-latest}"),
    _tag("env-variables-tag", "docker push $REPOSITORY_URI:$SHA",
         "docker tag $REPOSITORY_URI:$SHA $REPOSITORY_URI:$RELEASE_TAG",
         env="env:\n  variables:\n    RELEASE_TAG: latest\n"),
    _tag("export-in-pre-build", "docker push ${REPOSITORY_URI}:${SHA}",
         "docker push ${REPOSITORY_URI}:${CHANNEL}",
         pre_build=("python -m pytest -q", "SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION", "export CHANNEL=latest"),
         build=("docker build -t ${REPOSITORY_URI}:${SHA} -t ${REPOSITORY_URI}:${CHANNEL} .",)),
    Variant(_TAGS, VIOLATES, "project-variable-latest", resource="orders-build", program=PROJECT + '''\
spec = GOOD_SPEC + "      - docker tag $REPOSITORY_URI:$IMAGE_TAG $REPOSITORY_URI:$PROMOTE_TAG\\n"
project("orders-build", buildspec=spec, environment={"environment_variables": [
    {"name": "PROMOTE_TAG", "value": "latest"}]})
'''),
    Variant(_TAGS, VIOLATES, "json-buildspec-untagged-push", resource="orders-build", program=PROJECT + '''\
repo = "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders"
commands = ["python -m pytest -q", f"docker build -t {repo}:$CODEBUILD_RESOLVED_SOURCE_VERSION -t {repo} .",
            f"docker push {repo}:$CODEBUILD_RESOLVED_SOURCE_VERSION", f"docker push {repo}"]
project("orders-build", buildspec=json.dumps({"version": 0.2, "phases": {"build": {"commands": commands}}}))
'''),
    Variant(_TAGS, VIOLATES, "build-number-tag", resource="orders-build", program=PROJECT + '''\
project("orders-build", buildspec=GOOD_SPEC.replace("sha-$CODEBUILD_RESOLVED_SOURCE_VERSION",
                                                    "build-$CODEBUILD_BUILD_NUMBER"))
'''),
    # The repository URL is unknown until the repository exists: the whole buildspec is unknown in preview.
    Variant(_TAGS, VIOLATES, "repository-url-applied-into-buildspec", resource="orders-build",
            program=PROJECT + '''\
repo = aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE", opts=in_tooling)
spec = repo.repository_url.apply(
    lambda url: GOOD_SPEC + f"      - docker tag {url}:$IMAGE_TAG {url}:latest\\n")
project("orders-build", buildspec=spec)
'''),

    # ---- near-misses ------------------------------------------------------------------------------
    _tag("commit-prefix-and-short-sha", "docker push $REPOSITORY_URI:$TAG", kind=NEAR_MISS,
         pre_build=("python -m pytest -q", "TAG=v-${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}"),
         build=("docker build -t $REPOSITORY_URI:$TAG .",)),
    _tag("default-not-taken-when-set", "docker push $REPOSITORY_URI:${IMAGE_TAG:-latest}", kind=NEAR_MISS,
         build=("docker build -t $REPOSITORY_URI:${IMAGE_TAG:-latest} .",),
         env="env:\n  variables:\n    IMAGE_TAG: $CODEBUILD_RESOLVED_SOURCE_VERSION\n"),
    _tag("latest-reassigned-before-push", "docker push $REPOSITORY_URI:$TAG", kind=NEAR_MISS,
         pre_build=("python -m pytest -q", "TAG=latest", "TAG=$CODEBUILD_RESOLVED_SOURCE_VERSION"),
         build=("docker build -t $REPOSITORY_URI:$TAG .",)),
    _tag("copy-from-latest-base", "docker push $REPOSITORY_URI:$SHA", kind=NEAR_MISS,
         pre_build=("python -m pytest -q", "SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION",
                    "crane copy public.ecr.aws/docker/library/python:latest $REPOSITORY_URI-base:$SHA")),
    _tag("ecr-put-image-release-tag", "docker push $REPOSITORY_URI:$SHA",
         "MANIFEST=$(aws ecr batch-get-image --repository-name orders --image-ids imageTag=$SHA "
         "--query 'images[].imageManifest' --output text)",
         "aws ecr put-image --repository-name orders --image-tag release-$SHA --image-manifest \"$MANIFEST\"",
         kind=NEAR_MISS),
    Variant(_TAGS, NEAR_MISS, "repository-url-from-another-resource", program=PROJECT + '''\
repo = aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE", opts=in_tooling)
project("orders-build", environment={"environment_variables": [
    {"name": "REPOSITORY_URI", "value": repo.repository_url}]})
'''),
    Variant(_TAGS, NEAR_MISS, "buildspec-file",
            program=PROJECT + 'project("orders-build", buildspec="buildspec.yml")\n'),

    # ---- tests before the image build -----------------------------------------------------------
    Variant(_TESTS, VIOLATES, "no-tests", resource="orders-build", program=PROJECT + _spec(
        "docker push $REPOSITORY_URI:$SHA", pre_build=("SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION",))),
    Variant(_TESTS, VIOLATES, "tests-after-the-build", resource="orders-build", program=PROJECT + _spec(
        "npm test", "docker push $REPOSITORY_URI:$SHA",
        pre_build=("SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION",))),
    Variant(_TESTS, VIOLATES, "json-buildx", resource="orders-build", program=PROJECT + '''\
phases = {"install": {"commands": ["npm ci"]},
          "build": {"commands": [
              "docker buildx build --push -t $REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION ."]},
          "post_build": {"commands": ["npm run test:e2e"]}}
project("orders-build", buildspec=json.dumps({"version": 0.2, "phases": phases}))
'''),
    Variant(_TESTS, VIOLATES, "lint-is-not-a-test", resource="orders-build", program=PROJECT + _spec(
        "docker push $REPOSITORY_URI:$SHA",
        pre_build=("ruff check .", "SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION"))),
    Variant(_TESTS, NEAR_MISS, "pytest-in-pre-build", program=PROJECT + 'project("orders-build")\n'),
    Variant(_TESTS, NEAR_MISS, "go-test-in-the-same-step", program=PROJECT + _spec(
        "docker push $REPOSITORY_URI:$SHA", pre_build=("SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION",),
        build=("go test ./... && docker build -t $REPOSITORY_URI:$SHA .",))),
    Variant(_TESTS, NEAR_MISS, "make-check", program=PROJECT + _spec(
        "docker push $REPOSITORY_URI:$SHA",
        pre_build=("make check", "SHA=$CODEBUILD_RESOLVED_SOURCE_VERSION"))),
]
