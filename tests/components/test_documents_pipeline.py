"""Pipeline/build/key/bucket policies, the Lambda deploy action's configuration and the task definition
template."""
import json

import pytest

from components.documents import pipeline_policies as pp
from components.documents.lambda_deploy import LambdaDeploy, alarm_name, lambda_deploy_configuration
from components.documents.taskdef import TaskTemplate, taskdef_template

BUCKET = "arn:aws:s3:::cicd-tooling-artifacts"
KEY = "arn:aws:kms:us-east-1:111111111111:key/abcd"
DEPLOY = ["arn:aws:iam::222222222222:role/cicd-staging-deploy", "arn:aws:iam::333333333333:role/cicd-prod-deploy"]


def _by_sid(doc):
    return {s["Sid"]: s for s in doc["Statement"]}


def test_pipeline_role_is_scoped_to_its_artifacts_builds_and_deploy_roles():
    doc = _by_sid(pp.pipeline_role_policy(pp.PipelineAccess(
        "111111111111", "us-east-1", "cicd-orders", BUCKET, KEY,
        "arn:aws:codestar-connections:us-east-1:111111111111:connection/x", ["arn:b1"], DEPLOY,
        "arn:aws:sns:us-east-1:111111111111:t", "arn:kms:t")))
    assert doc["ArtifactObjects"]["Resource"] == f"{BUCKET}/cicd-orders/*"
    assert doc["AssumeDeployRoles"] == {"Sid": "AssumeDeployRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
                                        "Resource": DEPLOY}
    assert doc["UseSourceConnection"]["Action"] == "codestar-connections:UseConnection"
    assert all(s["Resource"] != "*" for s in doc.values())
    # Deploy actions (the Lambda deploy action's logs too) run as the deploy roles, not as the pipeline role.
    assert not [sid for sid, s in doc.items() if "logs:" in json.dumps(s["Action"])]


def test_bucket_policy_denies_plain_http_and_non_kms_uploads_and_lets_deploy_roles_read():
    doc = _by_sid(pp.artifact_bucket_policy(BUCKET, DEPLOY))
    assert doc["DenyInsecureTransport"]["Effect"] == "Deny"
    assert doc["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert doc["DenyNonKmsUploads"]["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    read = doc["DeployRolesReadArtifacts"]
    assert read["Principal"] == {"AWS": DEPLOY} and read["Resource"] == f"{BUCKET}/*"


def test_key_policy_names_roles_never_root_or_star():
    doc = pp.artifact_key_policy("arn:aws:iam::111111111111:role/PulumiBootstrap", ["arn:aws:iam::111111111111:role/p"],
                                 DEPLOY)
    principals = json.dumps([s["Principal"] for s in doc["Statement"]])
    assert ":root" not in principals and '"*"' not in principals
    assert _by_sid(doc)["DeployRolesDecryptArtifacts"]["Action"] == ["kms:Decrypt", "kms:DescribeKey"]


def test_build_role_gets_ecr_only_for_image_builds():
    base = dict(log_group_arn="arn:logs", artifact_bucket_arn=BUCKET, artifact_key_arn=KEY, artifact_prefix="cicd-x")
    assert "PushImages" not in _by_sid(pp.build_role_policy(pp.BuildAccess(**base)))
    image = _by_sid(pp.build_role_policy(pp.BuildAccess(**base, repository_arn="arn:repo",
                                                        secret_arns=["arn:secret-??????"])))
    assert image["PushImages"]["Resource"] == "arn:repo" and image["EcrLogin"]["Resource"] == "*"
    assert image["ReadBuildSecrets"]["Action"] == "secretsmanager:GetSecretValue"


ALARMS = [alarm_name("cicd-prod-fn", m) for m in ("Errors", "Throttles")]


@pytest.mark.parametrize("strategy, deploy_strategy", [("canary", "Canary10Percent5Minutes"),
                                                       ("linear", "Linear10PercentEvery1Minute"),
                                                       ("all-at-once", "AllAtOnce")])
def test_lambda_deploy_action_shifts_the_alias_at_the_configured_strategy(strategy, deploy_strategy):
    assert lambda_deploy_configuration(LambdaDeploy("cicd-prod-fn", "live", strategy, ALARMS)) == {
        "FunctionName": "cicd-prod-fn", "FunctionAlias": "live", "DeployStrategy": deploy_strategy,
        "Alarms": "cicd-prod-fn-errors,cicd-prod-fn-throttles"}


def test_lambda_deploy_action_without_alarms_has_no_alarms_key():
    assert "Alarms" not in lambda_deploy_configuration(LambdaDeploy("cicd-prod-fn", "live", "canary"))


@pytest.mark.parametrize("deploy, message", [
    (LambdaDeploy("fn; rm -rf /", "live", "canary"), "function name must be"),
    (LambdaDeploy("cicd-prod-fn", "7", "canary"), "not a version number"),
    (LambdaDeploy("cicd-prod-fn", "live", "blue-green"), "strategy must be one of"),
    (LambdaDeploy("cicd-prod-fn", "live", "canary", ["a,b"]), "without commas"),
    (LambdaDeploy("cicd-prod-fn", "live", "canary", [f"a{i}" for i in range(11)]), "at most 10"),
])
def test_lambda_deploy_action_refuses_what_the_action_would_reject(deploy, message):
    with pytest.raises(ValueError, match=message):
        lambda_deploy_configuration(deploy)


def test_taskdef_template_keeps_the_placeholder_and_hardening():
    doc = taskdef_template(TaskTemplate("cicd-prod-orders", "orders", 8080, 512, 1024,
                                        "arn:aws:iam::333333333333:role/exec", "arn:aws:iam::333333333333:role/task",
                                        "/ecs/cicd-prod-orders", "us-east-1"))
    container = doc["containerDefinitions"][0]
    assert container["image"] == "<IMAGE1_NAME>"
    assert container["readonlyRootFilesystem"] is True and container["user"] != "root"
    assert (doc["cpu"], doc["memory"], doc["networkMode"]) == ("512", "1024", "awsvpc")
    assert doc["executionRoleArn"] != doc["taskRoleArn"]
