"""The workload documents as pure functions: data in, document out, no Pulumi."""
import json

import pytest
import yaml

from components.documents import appspec, container_definitions as cd, deploy_policies as dp
from components.documents import lambda_roles, oidc_trust, service_trust, task_roles
from tests.components.workload_lint import findings, raw_issues

PIPELINE = "arn:aws:iam::111111111111:role/cicd-tooling-pipeline"
BUILD = "arn:aws:iam::111111111111:role/cicd-tooling-build"
BUCKET = "arn:aws:s3:::cicd-tooling-artifacts"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SCOPE = dp.DeployScope("333333333333", "eu-west-1", "cicd", "prod")
IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-orders:0a1b2c3d"
SSM = "arn:aws:ssm:eu-west-1:333333333333:parameter/cicd/prod/orders/db-url"
SECRET = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:cicd/prod/orders/api-AbCdEf"
OIDC = "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"


def statements_by_sid(doc):
    return {s["Sid"]: s for s in doc["Statement"]}


# --- deploy role -------------------------------------------------------------------------------

def test_deploy_trust_names_exactly_the_tooling_roles():
    doc = dp.deploy_role_trust([PIPELINE, BUILD])
    (statement,) = doc["Statement"]
    assert statement["Principal"] == {"AWS": [BUILD, PIPELINE]}
    assert statement["Action"] == "sts:AssumeRole"


@pytest.mark.parametrize("bad", ["arn:aws:iam::111111111111:root", "*", "111111111111",
                                 "arn:aws:iam::111111111111:user/alice", "arn:aws:iam::1111:role/x"])
def test_deploy_trust_refuses_anything_but_role_arns(bad):
    with pytest.raises(ValueError, match="must be an IAM role ARN"):
        dp.deploy_role_trust([PIPELINE, bad])


def test_deploy_trust_needs_a_principal():
    with pytest.raises(ValueError, match="at least one trusted"):
        dp.deploy_role_trust([])


def test_deploy_policy_passrole_is_scoped_to_environment_roles_and_ecs_tasks():
    s = statements_by_sid(dp.deploy_role_policy(SCOPE, BUCKET, KEY))["PassWorkloadRolesToEcsTasks"]
    assert s["Action"] == "iam:PassRole"
    assert s["Resource"] == "arn:aws:iam::333333333333:role/cicd-prod-*"
    assert s["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_deploy_policy_covers_codedeploy_ecs_and_lambda_within_the_environment():
    doc = dp.deploy_role_policy(SCOPE, BUCKET, KEY)
    by_sid = statements_by_sid(doc)
    assert by_sid["CodeDeployDeployments"]["Resource"] == \
        "arn:aws:codedeploy:eu-west-1:333333333333:deploymentgroup:cicd-prod-*/cicd-prod-*"
    assert "codedeploy:CreateDeployment" in by_sid["CodeDeployDeployments"]["Action"]
    assert by_sid["EcsServices"]["Resource"] == \
        "arn:aws:ecs:eu-west-1:333333333333:service/cicd-prod-*/cicd-prod-*"
    assert "ecs:UpdateService" in by_sid["EcsServices"]["Action"]
    star = [s["Sid"] for s in doc["Statement"] if s["Resource"] == "*"]
    assert star == ["EcsTaskDefinitions"]


def test_deploy_policy_grants_the_lambda_deploy_action_exactly_its_documented_permissions():
    """action-reference-LambdaDeploy.html, service role policy: those actions, scoped to the environment."""
    by_sid = statements_by_sid(dp.deploy_role_policy(SCOPE, BUCKET, KEY))
    function = "arn:aws:lambda:eu-west-1:333333333333:function:cicd-prod-*"
    assert by_sid["LambdaDeployFunctions"]["Action"] == [
        "lambda:GetAlias", "lambda:GetFunctionConfiguration", "lambda:GetProvisionedConcurrencyConfig",
        "lambda:PublishVersion", "lambda:UpdateAlias", "lambda:UpdateFunctionCode"]
    assert by_sid["LambdaDeployFunctions"]["Resource"] == [function, f"{function}:*"]
    alarm = "arn:aws:cloudwatch:eu-west-1:333333333333:alarm:cicd-prod-*"
    assert by_sid["LambdaDeployAlarms"] == {"Sid": "LambdaDeployAlarms", "Effect": "Allow",
                                            "Action": "cloudwatch:DescribeAlarms",
                                            "Resource": [f"{alarm}-errors", f"{alarm}-throttles"]}
    group = "arn:aws:logs:eu-west-1:333333333333:log-group:/eu-west-1/codepipeline/cicd-*"
    assert (by_sid["LambdaDeployLogGroup"]["Action"], by_sid["LambdaDeployLogGroup"]["Resource"]) == \
        ("logs:CreateLogGroup", [group, f"{group}:*"])
    assert (by_sid["LambdaDeployLogEvents"]["Action"], by_sid["LambdaDeployLogEvents"]["Resource"]) == \
        (["logs:CreateLogStream", "logs:PutLogEvents"], f"{group}:log-stream:*")
    assert not [sid for sid in by_sid if sid.startswith("Commands")]


def test_deploy_policy_reads_artifacts_and_decrypts_with_the_key_arn():
    by_sid = statements_by_sid(dp.deploy_role_policy(SCOPE, BUCKET, KEY))
    assert by_sid["ReadPipelineArtifacts"]["Resource"] == f"{BUCKET}/*"
    assert by_sid["DecryptPipelineArtifacts"] == {
        "Sid": "DecryptPipelineArtifacts", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
        "Resource": KEY}


def test_deploy_policy_refuses_a_key_alias():
    with pytest.raises(ValueError, match="never an alias"):
        dp.deploy_role_policy(SCOPE, BUCKET, "arn:aws:kms:eu-west-1:111111111111:alias/artifacts")


def test_register_task_definition_is_the_only_listed_parliament_exception():
    doc = dp.deploy_role_policy(SCOPE, BUCKET, KEY)
    assert raw_issues(doc) == ["RESOURCE_STAR"]
    assert findings(doc) == []


# --- container definitions ---------------------------------------------------------------------

def spec(**overrides):
    values = dict(name="orders", image=IMAGE, port=8080, log_group="/ecs/cicd-prod-orders",
                  region="eu-west-1", environment={"LOG_LEVEL": "info"},
                  secrets={"DB_URL": SSM, "API_KEY": SECRET})
    return cd.ContainerSpec(**{**values, **overrides})


def test_container_definition_is_hardened_and_logs_to_cloudwatch():
    (c,) = json.loads(cd.container_definitions_json(spec()))
    assert c["image"] == IMAGE
    assert c["readonlyRootFilesystem"] is True and c["privileged"] is False
    assert c["user"] == "10001:10001"
    assert c["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert c["logConfiguration"] == {"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/cicd-prod-orders", "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "orders"}}
    assert c["secrets"] == [{"name": "API_KEY", "valueFrom": SECRET}, {"name": "DB_URL", "valueFrom": SSM}]
    assert c["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
    assert c["mountPoints"][0]["containerPath"] == "/tmp"


@pytest.mark.parametrize("image, message", [
    ("nginx:latest", "uses ':latest'"), ("nginx", "no tag or digest"),
    (IMAGE.rsplit(":", 1)[0], "no tag or digest"), ("localhost:5000/app", "no tag or digest"),
    ("", "not a valid")])
def test_unpinned_images_are_refused(image, message):
    with pytest.raises(ValueError, match=message):
        cd.container_definitions_json(spec(image=image))


@pytest.mark.parametrize("image", [IMAGE, "localhost:5000/app:v1", f"app@sha256:{'a' * 64}",
                                   f"app:v1@sha256:{'b' * 64}"])
def test_pinned_images_pass(image):
    assert cd.check_image_pinned(image) == image


def test_lambda_images_need_a_digest():
    with pytest.raises(ValueError, match="pinned by digest"):
        cd.check_digest_pinned(IMAGE)
    digest = f"{IMAGE.rsplit(':', 1)[0]}@sha256:{'c' * 64}"
    assert cd.check_digest_pinned(digest) == digest


@pytest.mark.parametrize("overrides, message", [
    ({"user": "root"}, "must not be root"), ({"user": "0:0"}, "must not be root"),
    ({"environment": {"DB_PASSWORD": "hunter2"}}, "looks like a secret"),
    ({"secrets": {"TOKEN": "plain-value"}}, "SSM parameter or Secrets Manager ARN"),
    ({"secrets": {"TOKEN": "arn:aws:s3:::bucket/token"}}, "SSM parameter or Secrets Manager ARN"),
    ({"port": 70000}, "1..65535")])
def test_container_definition_refuses_unsafe_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        cd.container_definition(spec(**overrides))


def test_ecr_repository_arn_is_derived_from_the_image():
    assert cd.repository_arn_of_image(IMAGE) == "arn:aws:ecr:eu-west-1:111111111111:repository/cicd-orders"
    with pytest.raises(ValueError, match="not in an ECR repository"):
        cd.repository_arn_of_image("docker.io/library/nginx:1.27")


# --- appspec -----------------------------------------------------------------------------------

def test_ecs_appspec_names_container_port_and_placeholder():
    spec_ = appspec.ecs_appspec("orders", 8080, hooks={"AfterAllowTestTraffic": "cicd-prod-smoke"})
    doc = yaml.safe_load(appspec.to_yaml(spec_))
    target = doc["Resources"][0]["TargetService"]
    assert target["Type"] == "AWS::ECS::Service"
    assert target["Properties"] == {"TaskDefinition": "<TASK_DEFINITION>",
                                    "LoadBalancerInfo": {"ContainerName": "orders", "ContainerPort": 8080}}
    assert doc["Hooks"] == [{"AfterAllowTestTraffic": "cicd-prod-smoke"}]


def test_lambda_appspec_shifts_the_alias_between_versions():
    doc = yaml.safe_load(appspec.to_yaml(appspec.lambda_appspec(
        "cicd-prod-thumbs", "live", "3", "4", hooks={"BeforeAllowTraffic": "cicd-prod-thumbs-pre"})))
    props = doc["Resources"][0]["cicd-prod-thumbs"]["Properties"]
    assert props == {"Name": "cicd-prod-thumbs", "Alias": "live", "CurrentVersion": "3", "TargetVersion": "4"}
    assert doc["Hooks"] == [{"BeforeAllowTraffic": "cicd-prod-thumbs-pre"}]


@pytest.mark.parametrize("call, message", [
    (lambda: appspec.lambda_appspec("f", "live", "$LATEST", "2"), "published version number"),
    (lambda: appspec.lambda_appspec("f", "live", "2", "2"), "already the current version"),
    (lambda: appspec.ecs_appspec("orders", 8080, hooks={"AfterInstal": "x"}), "unknown appspec hook"),
    (lambda: appspec.lambda_appspec("f", "live", "1", "2", hooks={"AfterAllowTestTraffic": "x"}),
     "unknown appspec hook")])
def test_appspec_refuses_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- GitHub OIDC trust -------------------------------------------------------------------------

def test_github_trust_pins_audience_and_one_repository_environment():
    (s,) = oidc_trust.github_trust(OIDC, "acme/orders", "environment:production", "prod")["Statement"]
    assert s["Principal"] == {"Federated": OIDC}
    assert s["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert s["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/orders:environment:production"}}


@pytest.mark.parametrize("repository, subject, environment, message", [
    ("acme/*", "environment:production", "prod", "org/repo"),
    ("acme", "environment:production", "prod", "org/repo"),
    ("acme/orders", "ref:refs/heads/*", "staging", "no wildcard"),
    ("acme/orders", "*", "staging", "no wildcard"),
    ("acme/orders", "ref:refs/heads/main", "prod", "GitHub environment")])
def test_github_trust_refuses_loose_subjects(repository, subject, environment, message):
    with pytest.raises(ValueError, match=message):
        oidc_trust.github_trust(OIDC, repository, subject, environment)


def test_github_trust_needs_the_github_provider():
    with pytest.raises(ValueError, match="GitHub OIDC provider"):
        oidc_trust.github_trust("arn:aws:iam::333333333333:oidc-provider/gitlab.com", "acme/o",
                                "ref:refs/heads/main", "staging")


# --- service roles -----------------------------------------------------------------------------

def test_task_role_trust_guards_against_confused_deputy():
    (s,) = service_trust.service_trust("ecs-tasks.amazonaws.com", source_account="333333333333",
                                       source_arn_like="arn:aws:ecs:eu-west-1:333333333333:*")["Statement"]
    assert s["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert s["Condition"] == {"StringEquals": {"aws:SourceAccount": "333333333333"},
                              "ArnLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:333333333333:*"}}
    with pytest.raises(ValueError, match="amazonaws.com"):
        service_trust.service_trust("*")


def test_execution_role_reads_only_its_repository_logs_and_secrets():
    doc = task_roles.execution_role_policy(
        repository_arns=[cd.repository_arn_of_image(IMAGE)], region="eu-west-1", account_id="333333333333",
        log_group="/ecs/cicd-prod-orders", secret_arns=[SSM, SECRET])
    by_sid = statements_by_sid(doc)
    assert by_sid["PullImage"]["Resource"] == "arn:aws:ecr:eu-west-1:111111111111:repository/cicd-orders"
    assert by_sid["WriteContainerLogs"]["Resource"] == \
        "arn:aws:logs:eu-west-1:333333333333:log-group:/ecs/cicd-prod-orders:log-stream:*"
    assert by_sid["ReadSsmParameters"]["Resource"] == SSM
    assert by_sid["ReadSecrets"]["Resource"] == SECRET
    assert [s["Sid"] for s in doc["Statement"] if s["Resource"] == "*"] == ["EcrLogin"]


def test_codedeploy_lambda_policy_invokes_only_the_named_hooks():
    doc = lambda_roles.codedeploy_lambda_policy(
        region="eu-west-1", account_id="333333333333", function_name="cicd-prod-thumbs",
        alarm_prefix="cicd-prod-thumbs-", hook_functions=["cicd-prod-thumbs-pre"])
    by_sid = statements_by_sid(doc)
    assert by_sid["InvokeTrafficHooks"]["Resource"] == \
        "arn:aws:lambda:eu-west-1:333333333333:function:cicd-prod-thumbs-pre"
    assert "NotifyDeploymentEvents" not in by_sid


def every_document():
    yield dp.deploy_role_trust([PIPELINE, BUILD])
    yield dp.deploy_role_policy(SCOPE, BUCKET, KEY)
    yield oidc_trust.github_trust(OIDC, "acme/orders", "environment:production", "prod")
    yield service_trust.service_trust("ecs-tasks.amazonaws.com", source_account="333333333333",
                                      source_arn_like="arn:aws:ecs:eu-west-1:333333333333:*")
    yield service_trust.service_trust("codedeploy.amazonaws.com")
    yield task_roles.execution_role_policy(
        repository_arns=[cd.repository_arn_of_image(IMAGE)], region="eu-west-1", account_id="333333333333",
        log_group="/ecs/cicd-prod-orders", secret_arns=[SSM, SECRET])
    yield lambda_roles.lambda_execution_policy(region="eu-west-1", account_id="333333333333",
                                               function_name="cicd-prod-thumbs")
    yield lambda_roles.codedeploy_lambda_policy(
        region="eu-west-1", account_id="333333333333", function_name="cicd-prod-thumbs",
        alarm_prefix="cicd-prod-thumbs-", hook_functions=["cicd-prod-thumbs-pre", "cicd-prod-thumbs-post"],
        topic_arn="arn:aws:sns:eu-west-1:333333333333:cicd-prod-alarms")


@pytest.mark.parametrize("document", list(every_document()), ids=lambda d: d["Statement"][0]["Sid"])
def test_every_workload_document_passes_parliament(document):
    assert findings(document) == []


def test_parliament_exceptions_do_not_hide_real_findings():
    wildcard = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecs:UpdateServce", "Resource": "*"}]}
    assert findings(wildcard) != []
