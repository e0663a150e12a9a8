"""CodeBuild project settings as programs write them: logs, encryption, artifacts, cache, compute type."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._codebuild import PROJECT

_LOGS = "codebuild-project-logging-enabled"
_KMS = "codebuild-project-kms-encrypted"
_ARTIFACTS = "codebuild-project-artifacts-encrypted"
_CACHE = "codebuild-project-cache-configured"
_COMPUTE = "codebuild-project-compute-type-allowed"

# A project written out without the helper: no encryption key, no cache (the provider's defaults).
_BARE = '''\
def bare(resource_name, **kwargs):
    return aws.codebuild.Project(resource_name, service_role=BUILD_ROLE,
        source={"type": "CODEPIPELINE", "buildspec": GOOD_SPEC}, artifacts={"type": "CODEPIPELINE"},
        environment={"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                     "type": "LINUX_CONTAINER", "privileged_mode": True}, opts=in_tooling, **kwargs)
'''

VARIANTS = [
    # ---- logs -----------------------------------------------------------------------------------
    Variant(_LOGS, VIOLATES, "both-disabled", resource="orders-build", program=PROJECT + '''\
project("orders-build", logs_config={"cloudwatch_logs": {"status": "DISABLED"},
                                     "s3_logs": {"status": "DISABLED"}})
'''),
    Variant(_LOGS, VIOLATES, "cloudwatch-disabled-args", resource="orders-build", program=PROJECT + '''\
project("orders-build", logs_config=aws.codebuild.ProjectLogsConfigArgs(
    cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(status="DISABLED")))
'''),
    Variant(_LOGS, VIOLATES, "quiet-outside-prod-loop", resource="orders-build-dev", program=PROJECT + '''\
for env in ("dev", "prod"):
    status = "ENABLED" if env == "prod" else "DISABLED"
    project(f"orders-build-{env}", logs_config={"cloudwatch_logs": {"status": status}})
'''),
    Variant(_LOGS, NEAR_MISS, "s3-logs-instead", program=PROJECT + '''\
logs = aws.s3.BucketV2("build-logs", opts=in_tooling)
project("orders-build", logs_config={"cloudwatch_logs": {"status": "DISABLED"},
    "s3_logs": {"status": "ENABLED", "location": pulumi.Output.concat(logs.bucket, "/codebuild")}})
'''),
    Variant(_LOGS, NEAR_MISS, "log-group-named", program=PROJECT + '''\
group = aws.cloudwatch.LogGroup("build-logs", retention_in_days=90, opts=in_tooling)
project("orders-build", logs_config={"cloudwatch_logs": {"group_name": group.name}})
'''),

    # ---- customer-managed key -------------------------------------------------------------------
    Variant(_KMS, VIOLATES, "no-key", resource="orders-build",
            program=PROJECT + _BARE + 'bare("orders-build")\n'),
    Variant(_KMS, VIOLATES, "aws-managed-alias", resource="orders-build", program=PROJECT + '''\
project("orders-build", encryption_key="alias/aws/s3")
'''),
    Variant(_KMS, VIOLATES, "aws-managed-alias-arn", resource="orders-build", program=PROJECT + '''\
project("orders-build", encryption_key=f"arn:aws:kms:us-east-1:{TOOLING}:alias/aws/s3")
'''),
    Variant(_KMS, VIOLATES, "config-default-aws-managed", resource="orders-build",
            program=PROJECT + '''\
project("orders-build", encryption_key=pulumi.Config().get("buildKey") or "alias/aws/s3")
'''),
    Variant(_KMS, NEAR_MISS, "key-arn-from-config", program=PROJECT + '''\
project("orders-build", encryption_key=pulumi.Config().require("buildKey"))
''', config={"buildKey": "arn:aws:kms:us-east-1:111111111111:key/0d3c1f5e-1111-2222-3333-444455556666"}),
    Variant(_KMS, NEAR_MISS, "customer-alias", program=PROJECT + '''\
project("orders-build", encryption_key=f"arn:aws:kms:us-east-1:{TOOLING}:alias/orders-build")
'''),

    # ---- artifact encryption --------------------------------------------------------------------
    Variant(_ARTIFACTS, VIOLATES, "s3-artifacts-unencrypted", resource="orders-build", program=PROJECT + '''\
out = aws.s3.BucketV2("build-output", opts=in_tooling)
project("orders-build", artifacts={"type": "S3", "location": out.bucket, "encryption_disabled": True})
'''),
    Variant(_ARTIFACTS, VIOLATES, "secondary-artifact-args", resource="orders-build", program=PROJECT + '''\
project("orders-build", secondary_artifacts=[aws.codebuild.ProjectSecondaryArtifactArgs(
    artifact_identifier="reports", type="S3", location="acme-build-reports", encryption_disabled=True)])
'''),
    Variant(_ARTIFACTS, VIOLATES, "loop-over-outputs", resource="orders-build", program=PROJECT + '''\
OUTPUTS = {"coverage": False, "sbom": True}
project("orders-build", secondary_artifacts=[
    {"artifact_identifier": name, "type": "S3", "location": "acme-build-reports", "encryption_disabled": off}
    for name, off in OUTPUTS.items()])
'''),
    Variant(_ARTIFACTS, NEAR_MISS, "no-artifacts-flag-ignored", program=PROJECT + '''\
project("orders-check", artifacts={"type": "NO_ARTIFACTS", "encryption_disabled": True})
'''),
    Variant(_ARTIFACTS, NEAR_MISS, "explicitly-encrypted", program=PROJECT + '''\
project("orders-build", artifacts={"type": "S3", "location": "acme-build-output",
                                   "encryption_disabled": False})
'''),

    # ---- cache ---------------------------------------------------------------------------------
    Variant(_CACHE, VIOLATES, "no-cache", resource="orders-build", program=PROJECT + _BARE + '''\
bare("orders-build", encryption_key=BUILD_KEY)
'''),
    Variant(_CACHE, VIOLATES, "s3-without-location", resource="orders-build", program=PROJECT + '''\
project("orders-build", cache={"type": "S3"})
'''),
    Variant(_CACHE, VIOLATES, "local-without-modes-args", resource="orders-build", program=PROJECT + '''\
project("orders-build", cache=aws.codebuild.ProjectCacheArgs(type="LOCAL"))
'''),
    Variant(_CACHE, VIOLATES, "no-cache-explicit", resource="orders-build", program=PROJECT + '''\
project("orders-build", cache={"type": "NO_CACHE"})
'''),
    Variant(_CACHE, NEAR_MISS, "s3-cache-in-bucket", program=PROJECT + '''\
cache = aws.s3.BucketV2("build-cache", opts=in_tooling)
project("orders-build", cache={"type": "S3", "location": pulumi.Output.concat(cache.bucket, "/orders")})
'''),
    Variant(_CACHE, NEAR_MISS, "local-custom-cache", program=PROJECT + '''\
project("orders-build", cache={"type": "LOCAL", "modes": ["LOCAL_CUSTOM_CACHE"]})
'''),

    # ---- compute type (prod.json allows SMALL and MEDIUM) -------------------------------------
    Variant(_COMPUTE, VIOLATES, "2xlarge", resource="orders-build", program=PROJECT + '''\
project("orders-build", environment={"compute_type": "BUILD_GENERAL1_2XLARGE"})
'''),
    Variant(_COMPUTE, VIOLATES, "large-from-config-default", resource="orders-build", program=PROJECT + '''\
compute = pulumi.Config().get("computeType") or "BUILD_GENERAL1_LARGE"
project("orders-build", environment={"compute_type": compute})
'''),
    Variant(_COMPUTE, VIOLATES, "arm-args", resource="orders-build-arm", program=PROJECT + '''\
aws.codebuild.Project("orders-build-arm", aws.codebuild.ProjectArgs(service_role=BUILD_ROLE,
    encryption_key=BUILD_KEY, artifacts=aws.codebuild.ProjectArtifactsArgs(type="CODEPIPELINE"),
    source=aws.codebuild.ProjectSourceArgs(type="CODEPIPELINE", buildspec=GOOD_SPEC),
    environment=aws.codebuild.ProjectEnvironmentArgs(compute_type="BUILD_GENERAL1_XLARGE",
        image="aws/codebuild/amazonlinux2-aarch64-standard:3.0", type="ARM_CONTAINER")), opts=in_tooling)
'''),
    Variant(_COMPUTE, NEAR_MISS, "medium", program=PROJECT + '''\
project("orders-build", environment={"compute_type": "BUILD_GENERAL1_MEDIUM"})
'''),
    Variant(_COMPUTE, NEAR_MISS, "small-from-config", config={"computeType": "BUILD_GENERAL1_SMALL"},
            program=PROJECT + '''\
compute = pulumi.Config().get("computeType") or "BUILD_GENERAL1_LARGE"
project("orders-build", environment={"compute_type": compute})
'''),
]
