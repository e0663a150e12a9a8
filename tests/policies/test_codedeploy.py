"""CodeDeploy deployment-group rules through the analyzer."""
from preflight.analyzer import UNKNOWN
from tests.policies.conftest import aws_provider

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
PROD_ACCOUNT = "444444444444"
LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:444444444444:listener/app/orders/abc/"
ROLLBACK_EVENTS = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
ALARMS, LAMBDA_ALL_AT_ONCE = "codedeploy-alarms-configured", "codedeploy-lambda-no-all-at-once-in-prod"


def terminate(minutes, action="TERMINATE"):
    return {"action": action, "terminationWaitTimeInMinutes": minutes}


def ecs_group(**overrides):
    """An ECS blue/green group as the platform builds it: every rule passes."""
    props = {
        "appName": "orders", "deploymentGroupName": "orders", "serviceRoleArn": "arn:aws:iam::1:role/cd",
        "deploymentConfigName": "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "ecsService": {"clusterName": "orders", "serviceName": "orders"},
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "autoRollbackConfiguration": {"enabled": True, "events": ROLLBACK_EVENTS},
        "alarmConfiguration": {"enabled": True, "alarms": ["orders-5xx"]},
        "blueGreenDeploymentConfig": {
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
            "terminateBlueInstancesOnDeploymentSuccess": terminate(15)},
        "loadBalancerInfo": {"targetGroupPairInfo": {
            "prodTrafficRoute": {"listenerArns": [LISTENER + "1"]},
            "testTrafficRoute": {"listenerArns": [LISTENER + "2"]},
            "targetGroups": [{"name": "orders-blue"}, {"name": "orders-green"}]}},
    }
    props.update(overrides)
    return props


def lambda_group(**overrides):
    props = {"appName": "resize", "deploymentGroupName": "resize", "serviceRoleArn": "arn:aws:iam::1:role/cd",
             "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
             "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
             "autoRollbackConfiguration": {"enabled": True, "events": ROLLBACK_EVENTS},
             "alarmConfiguration": {"enabled": True, "alarms": ["resize-errors"]}}
    props.update(overrides)
    return props


def check(pack, props, name="orders", config=None, provider=None):
    return pack.check(GROUP, props, name=name, config=config,
                      provider=provider or aws_provider("222222222222"))


def test_platform_groups_pass_every_codedeploy_rule(pack):
    for props in (ecs_group(), lambda_group()):
        r = check(pack, props, name="orders-prod")
        assert not {p for p in r.policies() if p.startswith("codedeploy-")}


def test_ecs_group_in_place_violates_traffic_control(pack):
    r = check(pack, ecs_group(deploymentStyle={"deploymentType": "IN_PLACE"}))
    [d] = r.of("codedeploy-ecs-blue-green-traffic-control")
    assert d.enforcement == "mandatory" and d.severity == "high"
    assert '"orders"' in d.message and "'IN_PLACE' / 'WITHOUT_TRAFFIC_CONTROL'" in d.message
    assert "BLUE_GREEN" in d.message
    # Not an ECS group: the rule does not apply.
    assert not check(pack, lambda_group(deploymentStyle={})).of("codedeploy-ecs-blue-green-traffic-control")


def test_auto_rollback_off_or_incomplete_violates(pack):
    [off] = check(pack, ecs_group(autoRollbackConfiguration={"enabled": False})).of(
        "codedeploy-auto-rollback-enabled")
    assert off.severity == "high" and "auto-rollback disabled" in off.message
    partial = {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    [d] = check(pack, ecs_group(autoRollbackConfiguration=partial)).of("codedeploy-auto-rollback-enabled")
    assert "DEPLOYMENT_STOP_ON_ALARM" in d.message and "DEPLOYMENT_FAILURE'" not in d.message


def test_prod_group_without_alarms_violates(pack):
    [d] = check(pack, ecs_group(alarmConfiguration={}), name="orders-prod").of(ALARMS)
    assert d.severity == "high" and 'prod deployment group "orders-prod"' in d.message
    assert "alarms" in d.message
    disabled = {"alarms": ["orders-5xx"]}  # enabled unset: the provider sends false
    [e] = check(pack, ecs_group(alarmConfiguration=disabled), name="orders-prod").of(ALARMS)
    assert "enabled is not true" in e.message


def test_prod_by_account_and_non_prod_alarm_rule(pack):
    config = {ALARMS: {"prodAccountIds": [PROD_ACCOUNT]}}
    props = ecs_group(alarmConfiguration={})
    assert check(pack, props, config=config, provider=aws_provider(PROD_ACCOUNT)).of(ALARMS)
    assert not check(pack, props, config=config).of(ALARMS)


def test_prod_lambda_all_at_once_violates(pack):
    props = lambda_group(deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce")
    [d] = check(pack, props, name="resize-production").of(LAMBDA_ALL_AT_ONCE)
    assert d.severity == "high" and "'CodeDeployDefault.LambdaAllAtOnce'" in d.message
    assert "Canary" in d.message
    assert not check(pack, props, name="resize-staging").of(LAMBDA_ALL_AT_ONCE)


def test_blue_fleet_terminated_too_soon_violates(pack):
    quick = {"terminateBlueInstancesOnDeploymentSuccess": terminate(1)}
    [d] = check(pack, ecs_group(blueGreenDeploymentConfig=quick)).of("codedeploy-blue-termination-wait")
    assert d.severity == "low" and "after 1 minutes" in d.message and "at least 5" in d.message
    config = {"codedeploy-blue-termination-wait": {"minTerminationWaitMinutes": 30}}
    [strict] = check(pack, ecs_group(), config=config).of("codedeploy-blue-termination-wait")
    assert "after 15 minutes" in strict.message and "at least 30" in strict.message
    keep = {"terminateBlueInstancesOnDeploymentSuccess": terminate(0, action="KEEP_ALIVE")}
    assert not check(pack, ecs_group(blueGreenDeploymentConfig=keep)).of("codedeploy-blue-termination-wait")


def test_ecs_group_without_test_listener_violates(pack):
    lb = {"targetGroupPairInfo": {"prodTrafficRoute": {"listenerArns": [LISTENER + "1"]},
                                  "targetGroups": [{"name": "orders-blue"}, {"name": "orders-green"}]}}
    [d] = check(pack, ecs_group(loadBalancerInfo=lb)).of("codedeploy-ecs-test-listener")
    assert d.severity == "medium" and '"orders"' in d.message and "testTrafficRoute" in d.message
    assert not check(pack, lambda_group()).of("codedeploy-ecs-test-listener")


def test_test_listener_created_alongside_passes_in_preview(pack):
    """A listener's ARN is unknown until it exists: the route is judged by its listeners, not their ARNs."""
    lb = {"targetGroupPairInfo": {"prodTrafficRoute": {"listenerArns": [UNKNOWN]},
                                  "testTrafficRoute": {"listenerArns": [UNKNOWN]},
                                  "targetGroups": [{"name": "orders-blue"}, {"name": "orders-green"}]}}
    r = check(pack, ecs_group(loadBalancerInfo=lb))
    assert not r.of("codedeploy-ecs-test-listener"), r.diagnostics  # nor a "can't be known" advisory
    lb["targetGroupPairInfo"]["testTrafficRoute"] = {"listenerArns": []}
    [d] = check(pack, ecs_group(loadBalancerInfo=lb)).of("codedeploy-ecs-test-listener")
    assert "no test traffic route" in d.message
