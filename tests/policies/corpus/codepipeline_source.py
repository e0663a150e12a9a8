"""Pipeline sources, artifact stores, type and triggers as programs write them."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._codepipeline import PIPELINE

_OAUTH = "codepipeline-source-no-oauth-v1"
_CODECOMMIT = "codepipeline-source-no-codecommit"
_STORE = "codepipeline-artifact-store-kms-cmk"
_V2 = "codepipeline-pipeline-type-v2"
_TRIGGER = "codepipeline-trigger-branch-filtered"
_REST = 'stage("Staging", deploy("Deploy", STAGING)), stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD))'
# `pipeline(...)` with its source stage replaced.
_WITH_SOURCE = '''\
def with_source(resource_name, *actions, **kwargs):
    return aws.codepipeline.Pipeline(resource_name, role_arn=f"arn:aws:iam::{TOOLING}:role/orders-pipeline",
        pipeline_type="V2", artifact_stores=[{"location": "acme-artifacts", "type": "S3",
                                              "encryption_key": {"id": PIPELINE_KEY, "type": "KMS"}}],
        stages=[stage("Source", *actions), stage("Staging", deploy("Deploy", STAGING)),
                stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD))], opts=in_tooling, **kwargs)


def source(provider, owner="AWS", **configuration):
    return {"name": "Source", "category": "Source", "owner": owner, "provider": provider, "version": "1",
            "output_artifacts": ["src"], "configuration": configuration}
'''
_BASE = PIPELINE + _WITH_SOURCE


def _store(name: str, kind: str, stores: str, **kwargs) -> Variant:
    return Variant(_STORE, kind, name, resource="release" if kind == VIOLATES else None, program=PIPELINE + f'''\
pipeline("release", {_REST}, artifact_stores={stores})
''', **kwargs)


VARIANTS = [
    # ---- GitHub version 1 / OAuthToken --------------------------------------------------------------
    Variant(_OAUTH, VIOLATES, "github-v1-token-from-secret-config", resource="release",
            config={"githubToken": "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"}, program=_BASE + '''\
token = pulumi.Config().require_secret("githubToken")
with_source("release", source("GitHub", owner="ThirdParty", Owner="acme", Repo="orders", Branch="main",
                              OAuthToken=token, PollForSourceChanges="false"))
'''),
    Variant(_OAUTH, VIOLATES, "github-v1-with-webhook", resource="release", program=_BASE + '''\
with_source("release", source("GitHub", owner="ThirdParty", Owner="acme", Repo="orders", Branch="main"))
'''),
    Variant(_OAUTH, VIOLATES, "args-class-token-on-connection-action", resource="release", program=_BASE + '''\
with_source("release", aws.codepipeline.PipelineStageActionArgs(name="Source", category="Source", owner="AWS",
    provider="CodeStarSourceConnection", version="1", output_artifacts=["src"],
    configuration={"ConnectionArn": CONNECTION, "FullRepositoryId": "acme/orders", "BranchName": "main",
                   "OAuthToken": "legacy-token-kept-by-mistake"}))
'''),
    Variant(_OAUTH, NEAR_MISS, "codestar-connection-resource", program=_BASE + '''\
github = aws.codestarconnections.Connection("github", provider_type="GitHub", opts=in_tooling)
with_source("release", source("CodeStarSourceConnection", ConnectionArn=github.arn,
                              FullRepositoryId="acme/orders", BranchName="main"))
'''),

    Variant(_OAUTH, NEAR_MISS, "s3-source-with-token-free-configuration", program=_BASE + '''\
with_source("release", source("S3", S3Bucket="acme-sources", S3ObjectKey="orders.zip",
                              PollForSourceChanges="false"))
'''),

    # ---- CodeCommit -------------------------------------------------------------------------------
    Variant(_CODECOMMIT, VIOLATES, "repository-resource", resource="release", program=_BASE + '''\
repo = aws.codecommit.Repository("orders", repository_name="orders", opts=in_tooling)
with_source("release", source("CodeCommit", RepositoryName=repo.repository_name, BranchName="main"))
'''),
    Variant(_CODECOMMIT, VIOLATES, "loop-over-services", resource="svc-payments", program=_BASE + '''\
for svc, provider in {"orders": "CodeStarSourceConnection", "payments": "CodeCommit"}.items():
    config = ({"RepositoryName": svc, "BranchName": "main"} if provider == "CodeCommit" else
              {"ConnectionArn": CONNECTION, "FullRepositoryId": f"acme/{svc}", "BranchName": "main"})
    with_source(f"svc-{svc}", source(provider, **config))
'''),
    Variant(_CODECOMMIT, VIOLATES, "args-class-secondary-source", resource="release", program=_BASE + '''\
with_source("release", SOURCE["actions"][0], aws.codepipeline.PipelineStageActionArgs(name="Config",
    category="Source", owner="AWS", provider="CodeCommit", version="1", output_artifacts=["cfg"],
    configuration={"RepositoryName": "orders-config", "BranchName": "main"}))
'''),
    Variant(_CODECOMMIT, NEAR_MISS, "connection-to-migrated-repository", program=_BASE + '''\
with_source("release", source("CodeStarSourceConnection", ConnectionArn=CONNECTION,
                              FullRepositoryId="acme/codecommit-orders", BranchName="main"))
'''),
    Variant(_CODECOMMIT, NEAR_MISS, "s3-source", program=_BASE + '''\
with_source("release", source("S3", S3Bucket="acme-sources", S3ObjectKey="orders.zip"))
'''),

    # ---- artifact store key -----------------------------------------------------------------------
    _store("no-key", VIOLATES, '[{"location": "acme-artifacts", "type": "S3"}]'),
    _store("aws-managed-alias", VIOLATES,
           '[{"location": "acme-artifacts", "type": "S3", "encryption_key": {"id": "alias/aws/s3", "type": "KMS"}}]'),
    _store("customer-alias-arn", VIOLATES, '[aws.codepipeline.PipelineArtifactStoreArgs(location="acme-artifacts", '
           'type="S3", encryption_key=aws.codepipeline.PipelineArtifactStoreEncryptionKeyArgs('
           'id=f"arn:aws:kms:us-east-1:{TOOLING}:alias/pipeline", type="KMS"))]'),
    _store("second-region-without-key", VIOLATES,
           '[{"location": "acme-artifacts", "type": "S3", "region": "us-east-1", '
           '"encryption_key": {"id": PIPELINE_KEY, "type": "KMS"}}, '
           '{"location": "acme-artifacts-eu", "type": "S3", "region": "eu-west-1"}]'),
    _store("key-arn", NEAR_MISS,
           '[{"location": "acme-artifacts", "type": "S3", "encryption_key": {"id": PIPELINE_KEY, "type": "KMS"}}]'),
    _store("key-id-from-config", NEAR_MISS,
           '[{"location": "acme-artifacts", "type": "S3", '
           '"encryption_key": {"id": pulumi.Config().require("artifactKey"), "type": "KMS"}}]',
           config={"artifactKey": "0d3c1f5e-1111-2222-3333-444455556666"}),

    # ---- pipeline type ------------------------------------------------------------------------------
    Variant(_V2, VIOLATES, "type-unset", resource="release", program=PIPELINE + f'''\
pipeline("release", {_REST}, pipeline_type=None)
'''),
    Variant(_V2, VIOLATES, "explicit-v1", resource="release", program=PIPELINE + f'''\
pipeline("release", {_REST}, pipeline_type="V1")
'''),
    Variant(_V2, VIOLATES, "config-default-v1", resource="release", program=PIPELINE + f'''\
pipeline("release", {_REST}, pipeline_type=pulumi.Config().get("pipelineType") or "V1")
'''),
    Variant(_V2, NEAR_MISS, "v2", program=PIPELINE + f'pipeline("release", {_REST})\n'),
    Variant(_V2, NEAR_MISS, "v2-from-config", config={"pipelineType": "V2"}, program=PIPELINE + f'''\
pipeline("release", {_REST}, pipeline_type=pulumi.Config().get("pipelineType") or "V1")
'''),

    # ---- triggers -----------------------------------------------------------------------------------
    Variant(_TRIGGER, VIOLATES, "every-branch-glob", resource="release", program=PIPELINE + f'''\
pipeline("release", {_REST}, triggers=[{{"provider_type": "CodeStarSourceConnection", "git_configuration": {{
    "source_action_name": "Source", "pushes": [{{"branches": {{"includes": ["**"]}}}}]}}}}])
'''),
    Variant(_TRIGGER, VIOLATES, "no-triggers-no-branch", resource="release", program=_BASE + '''\
with_source("release", source("CodeStarSourceConnection", ConnectionArn=CONNECTION,
                              FullRepositoryId="acme/orders"))
'''),
    Variant(_TRIGGER, VIOLATES, "file-paths-only-args", resource="release", program=PIPELINE + f'''\
A = aws.codepipeline
pipeline("release", {_REST}, triggers=[A.PipelineTriggerArgs(provider_type="CodeStarSourceConnection",
    git_configuration=A.PipelineTriggerGitConfigurationArgs(source_action_name="Source", pushes=[
        A.PipelineTriggerGitConfigurationPushArgs(file_paths=A.PipelineTriggerGitConfigurationPushFilePathsArgs(
            includes=["services/orders/**"]))]))])
'''),
    Variant(_TRIGGER, NEAR_MISS, "main-branch-trigger", program=PIPELINE + f'''\
pipeline("release", {_REST}, triggers=[{{"provider_type": "CodeStarSourceConnection", "git_configuration": {{
    "source_action_name": "Source", "pushes": [{{"branches": {{"includes": ["main", "release/*"]}}}}]}}}}])
'''),
    Variant(_TRIGGER, NEAR_MISS, "tag-trigger", program=PIPELINE + f'''\
pipeline("release", {_REST}, triggers=[{{"provider_type": "CodeStarSourceConnection", "git_configuration": {{
    "source_action_name": "Source", "pushes": [{{"tags": {{"includes": ["v*"]}}}}]}}}}])
'''),
    Variant(_TRIGGER, NEAR_MISS, "no-change-detection", program=_BASE + '''\
with_source("release", source("CodeStarSourceConnection", ConnectionArn=CONNECTION,
                              FullRepositoryId="acme/orders", DetectChanges="false"))
'''),
]
