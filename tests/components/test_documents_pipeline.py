"""Pipeline/build/key/bucket policies, the Lambda deploy commands and the task definition template."""
import json

import pytest

from components.documents import pipeline_policies as pp
from components.documents.lambda_deploy import LambdaDeploy, lambda_deploy_commands
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


def test_lambda_deploy_publishes_then_deploys_through_codedeploy():
    commands = lambda_deploy_commands(LambdaDeploy("cicd-prod-fn", "live", "cicd-prod-fn", "cicd-prod-fn-group",
                                                   package_path="dist/function.zip"))
    joined = "\n".join(commands)
    assert "--zip-file fileb://dist/function.zip --publish" in joined
    assert "--application-name cicd-prod-fn --deployment-group-name cicd-prod-fn-group" in joined
    assert commands[-1] == 'aws deploy wait deployment-successful --deployment-id "$DEPLOYMENT"'
    assert len(commands) <= 50 and all("\n" not in c for c in commands)
    with pytest.raises(ValueError):
        lambda_deploy_commands(LambdaDeploy("fn; rm -rf /", "live", "a", "g", package_path="x.zip"))


def test_taskdef_template_keeps_the_placeholder_and_hardening():
    doc = taskdef_template(TaskTemplate("cicd-prod-orders", "orders", 8080, 512, 1024,
                                        "arn:aws:iam::333333333333:role/exec", "arn:aws:iam::333333333333:role/task",
                                        "/ecs/cicd-prod-orders", "us-east-1"))
    container = doc["containerDefinitions"][0]
    assert container["image"] == "<IMAGE1_NAME>"
    assert container["readonlyRootFilesystem"] is True and container["user"] != "root"
    assert (doc["cpu"], doc["memory"], doc["networkMode"]) == ("512", "1024", "awsvpc")
    assert doc["executionRoleArn"] != doc["taskRoleArn"]
