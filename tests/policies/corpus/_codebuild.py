"""Program snippets the CodeBuild and CodePipeline corpus modules share (not a variant module)."""

# A CodeBuild project as the platform builds one: a role and a customer-managed key by ARN, an inline
# buildspec that tests, tags with the commit and pushes, a local cache. `project(...)` overrides a part.
PROJECT = '''\
BUILD_ROLE = f"arn:aws:iam::{TOOLING}:role/codebuild-orders"
BUILD_KEY = f"arn:aws:kms:us-east-1:{TOOLING}:key/0d3c1f5e-1111-2222-3333-444455556666"
GOOD_SPEC = """\\
version: 0.2
phases:
  pre_build:
    commands:
      - python -m pytest -q
      - IMAGE_TAG=sha-$CODEBUILD_RESOLVED_SOURCE_VERSION
  build:
    commands:
      - docker build -t $REPOSITORY_URI:$IMAGE_TAG .
  post_build:
    commands:
      - docker push $REPOSITORY_URI:$IMAGE_TAG
"""


def project(resource_name, buildspec=GOOD_SPEC, opts=in_tooling, environment=None, **kwargs):
    env = {"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
           "type": "LINUX_CONTAINER", "privileged_mode": True, **(environment or {})}
    args = dict(service_role=BUILD_ROLE, encryption_key=BUILD_KEY, artifacts={"type": "CODEPIPELINE"},
                source={"type": "CODEPIPELINE", "buildspec": buildspec}, environment=env,
                cache={"type": "LOCAL", "modes": ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"]})
    args.update(kwargs)
    return aws.codebuild.Project(resource_name, opts=opts, **args)
'''
