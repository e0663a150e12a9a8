"""LambdaCanaryService under the SDK mocks: alias, alarms, CodeDeploy group (GitHub Actions path), roles."""
import json

import pytest

from components.lambda_service import LambdaCanaryService, LambdaCanaryServiceArgs
from tests.components.workload_lint import findings
from tests.components.workload_mocks import (STAGING_ID, assert_children_use_account, make_account,
                                             missing_tags, run)

TYPE = "aws-cicd-platform:components:LambdaCanaryService"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
TOPIC = "arn:aws:sns:eu-west-1:222222222222:cicd-staging-alarms"
DIGEST_IMAGE = f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-thumbs@sha256:{'d' * 64}"


def args(account, **overrides):
    values = dict(account=account, environment="staging", prefix="cicd", service="thumbs",
                  runtime="python3.12", handler="app.handler", code_path="bootstrap.zip",
                  deployment_config="CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
                  log_retention_days=14, protect=True,
                  pre_traffic_hook="cicd-staging-thumbs-pre", alarm_topic_arn=TOPIC)
    return LambdaCanaryServiceArgs(**{**values, **overrides})


def build(**overrides):
    def program():
        return LambdaCanaryService("thumbs", args(make_account("staging", STAGING_ID), **overrides))
    return run(program, lambda s: [s.alias_name, s.alias_arn, s.function_name, s.codedeploy_application_name,
                                   s.deployment_group_name, s.alarm_names])


@pytest.fixture(scope="module")
def service():
    return build()


def test_function_is_published_behind_the_live_alias(service):
    function = service.one("aws:lambda/function:Function")
    assert function.inputs["publish"] is True and function.inputs["name"] == "cicd-staging-thumbs"
    alias = service.one("aws:lambda/alias:Alias")
    assert alias.inputs == {"name": "live", "functionName": "cicd-staging-thumbs", "functionVersion": "1"}
    assert alias.ignore_changes == ["functionVersion", "routingConfig"]
    assert service.result[1][:2] == [
        "live", f"arn:aws:lambda:eu-west-1:{STAGING_ID}:function:cicd-staging-thumbs:live"]


def test_deployment_group_uses_the_configured_config_with_rollback_alarms(service):
    group = service.one(GROUP).inputs
    assert group["deploymentConfigName"] == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    assert group["deploymentStyle"] == {"deploymentType": "BLUE_GREEN",
                                        "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert group["autoRollbackConfiguration"]["events"] == ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
    assert sorted(group["alarmConfiguration"]["alarms"]) == ["cicd-staging-thumbs-errors",
                                                            "cicd-staging-thumbs-throttles"]
    assert service.one("aws:codedeploy/application:Application").inputs["computePlatform"] == "Lambda"
    assert service.result[1][3:5] == ["cicd-staging-thumbs", "cicd-staging-thumbs"]


def test_default_deployment_config_is_canary_ten_percent_five_minutes():
    group = build(deployment_config=LambdaCanaryServiceArgs.deployment_config).one(GROUP)
    assert group.inputs["deploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"


def test_alarms_watch_the_alias_and_notify_the_topic(service):
    registered = service.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    alarms = {a.inputs["metricName"]: a.inputs for a in registered}
    assert sorted(alarms) == ["Errors", "Throttles"]
    assert alarms["Errors"]["dimensions"] == {"FunctionName": "cicd-staging-thumbs",
                                              "Resource": "cicd-staging-thumbs:live"}
    assert alarms["Errors"]["alarmActions"] == [TOPIC]
    # What the pipeline's Lambda deploy action watches (its Alarms), known before the alarms exist.
    assert service.result[1][5] == sorted(a["name"] for a in alarms.values()) == \
        ["cicd-staging-thumbs-errors", "cicd-staging-thumbs-throttles"]


def test_codedeploy_role_shifts_only_this_alias_and_invokes_only_the_hook(service):
    policy = next(r for r in service.of_type("aws:iam/rolePolicy:RolePolicy")
                  if r.inputs["name"] == "codedeploy")
    by_sid = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    function = f"arn:aws:lambda:eu-west-1:{STAGING_ID}:function:cicd-staging-thumbs"
    assert by_sid["ShiftAliasTraffic"]["Resource"] == [function, f"{function}:*"]
    assert by_sid["InvokeTrafficHooks"]["Resource"] == \
        f"arn:aws:lambda:eu-west-1:{STAGING_ID}:function:cicd-staging-thumbs-pre"
    assert by_sid["NotifyDeploymentEvents"]["Resource"] == TOPIC


def test_log_group_exists_before_the_function_and_is_retained(service):
    logs = service.one("aws:cloudwatch/logGroup:LogGroup")
    assert logs.inputs["name"] == "/aws/lambda/cicd-staging-thumbs" and logs.inputs["retentionInDays"] == 14
    assert (logs.protect, logs.retain_on_delete) == (True, True)
    assert logs.urn in service.one("aws:lambda/function:Function").dependencies


def test_every_child_uses_the_staging_provider_and_the_component(service):
    assert_children_use_account(service, TYPE, "staging")


def test_every_taggable_child_carries_owner_service_and_environment():
    result = build(tags={"owner": "team-media"})
    assert missing_tags(result, {"owner": "team-media", "service": "thumbs", "environment": "staging"}) == []


def test_every_emitted_iam_document_passes_parliament(service):
    documents = [r.inputs["assumeRolePolicy"] for r in service.of_type("aws:iam/role:Role")]
    documents += [r.inputs["policy"] for r in service.of_type("aws:iam/rolePolicy:RolePolicy")]
    assert len(documents) == 4 and [findings(d) for d in documents] == [[]] * 4


def test_image_functions_are_pinned_by_digest():
    function = build(code_path=None, image_uri=DIGEST_IMAGE).one("aws:lambda/function:Function").inputs
    assert (function["packageType"], function["imageUri"]) == ("Image", DIGEST_IMAGE)


@pytest.mark.parametrize("overrides, message", [
    ({"code_path": None}, "exactly one of code_path"),
    ({"image_uri": DIGEST_IMAGE}, "exactly one of code_path"),
    ({"code_path": None, "image_uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-thumbs:v1"},
     "pinned by digest"),
    ({"code_path": None, "image_uri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-thumbs:latest"},
     "uses ':latest'"),
    ({"deployment_config": "CodeDeployDefault.ECSAllAtOnce"}, "deployment_config must be one of"),
    ({"memory": 64}, "memory must be 128..10240"),
    ({"timeout": 901}, "timeout must be 1..900"),
    ({"pre_traffic_hook": "arn:aws:lambda:*"}, "traffic hook must be a function name"),
    ({"environment": "Staging"}, "environment must be lowercase")])
def test_bad_arguments_stop_before_anything_is_registered(overrides, message):
    def program():
        account = make_account("staging", STAGING_ID)
        with pytest.raises(ValueError, match=message):
            LambdaCanaryService("thumbs", args(account, **overrides))
    result = run(program)
    assert result.of_type(TYPE) == [] and result.aws_resources() == []
