"""CodeDeploy deployment groups for ECS (blue/green behind a load balancer) and Lambda (alias shifting)."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

BLUE_GREEN, ROLLBACK, ALARMS = ("codedeploy-ecs-blue-green-traffic-control", "codedeploy-auto-rollback-enabled",
                                "codedeploy-alarms-configured")
ALL_AT_ONCE, TERMINATION, TEST_LISTENER = ("codedeploy-lambda-no-all-at-once-in-prod",
                                           "codedeploy-blue-termination-wait", "codedeploy-ecs-test-listener")
# Compliant builders; every variant overrides one argument. Listener ARNs are computed (unknown in preview).
_GROUPS = '''\
ROLE = "arn:aws:iam::{}:role/codedeploy"
ROLLBACK = {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
STYLE = {"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}


def listener(name, port, opts):
    return aws.lb.Listener(name, load_balancer_arn=f"arn:aws:elasticloadbalancing:us-east-1:{PROD}:"
        "loadbalancer/app/orders/50dc6c495c0c9188", port=port, protocol="HTTP",
        default_actions=[{"type": "fixed-response", "fixed_response": {"content_type": "text/plain",
                                                                       "status_code": "404"}}], opts=opts)


def ecs_group(name, opts=in_prod, account=PROD, **overrides):
    app = aws.codedeploy.Application(f"{name}-app", compute_platform="ECS", opts=opts)
    prod_listener, test_listener = listener(f"{name}-prod", 443, opts), listener(f"{name}-test", 8443, opts)
    args = dict(app_name=app.name, deployment_group_name=name, service_role_arn=ROLE.format(account),
        deployment_config_name="CodeDeployDefault.ECSCanary10Percent5Minutes", deployment_style=STYLE,
        auto_rollback_configuration=ROLLBACK, alarm_configuration={"enabled": True, "alarms": ["orders-5xx"]},
        ecs_service={"cluster_name": "orders", "service_name": "orders"},
        blue_green_deployment_config={
            "deployment_ready_option": {"action_on_timeout": "CONTINUE_DEPLOYMENT"},
            "terminate_blue_instances_on_deployment_success": {"action": "TERMINATE",
                                                               "termination_wait_time_in_minutes": 60}},
        load_balancer_info={"target_group_pair_info": {
            "prod_traffic_route": {"listener_arns": [prod_listener.arn]},
            "test_traffic_route": {"listener_arns": [test_listener.arn]},
            "target_groups": [{"name": "orders-blue"}, {"name": "orders-green"}]}})
    return aws.codedeploy.DeploymentGroup(name, **{**args, **overrides}, opts=opts)


def lambda_group(name, opts=in_prod, account=PROD, **overrides):
    app = aws.codedeploy.Application(f"{name}-app", compute_platform="Lambda", opts=opts)
    args = dict(app_name=app.name, deployment_group_name=name, service_role_arn=ROLE.format(account),
        deployment_config_name="CodeDeployDefault.LambdaCanary10Percent5Minutes", deployment_style=STYLE,
        auto_rollback_configuration=ROLLBACK, alarm_configuration={"enabled": True, "alarms": ["orders-errors"]})
    return aws.codedeploy.DeploymentGroup(name, **{**args, **overrides}, opts=opts)
'''


def _program(body: str) -> str:
    return _GROUPS + body


VARIANTS = [
    Variant(BLUE_GREEN, VIOLATES, "style-left-out", resource="orders",
            program=_program('ecs_group("orders", deployment_style=None)\n')),
    Variant(BLUE_GREEN, VIOLATES, "blue-green-without-traffic-control-args", resource="orders",
            program=_program('''\
ecs_group("orders", deployment_style=aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
    deployment_type="BLUE_GREEN", deployment_option="WITHOUT_TRAFFIC_CONTROL"))
''')),
    Variant(BLUE_GREEN, VIOLATES, "in-place-with-traffic-control", resource="orders", program=_program('''\
ecs_group("orders", deployment_style={"deployment_type": "IN_PLACE", "deployment_option": "WITH_TRAFFIC_CONTROL"})
''')),
    Variant(BLUE_GREEN, VIOLATES, "loop-over-services", resource="payments", program=_program('''\
for name, kind in {"orders": "BLUE_GREEN", "payments": "IN_PLACE"}.items():
    ecs_group(name, deployment_style={"deployment_type": kind, "deployment_option": "WITH_TRAFFIC_CONTROL"})
''')),
    Variant(BLUE_GREEN, NEAR_MISS, "ecs-blue-green-and-ec2-in-place", program=_program('''\
ecs_group("orders")
app = aws.codedeploy.Application("legacy-app", compute_platform="Server", opts=in_prod)
aws.codedeploy.DeploymentGroup("legacy", app_name=app.name, deployment_group_name="legacy",
    service_role_arn=ROLE.format(PROD), auto_rollback_configuration=ROLLBACK,
    alarm_configuration={"enabled": True, "alarms": ["legacy-5xx"]},
    ec2_tag_sets=[{"ec2_tag_filters": [{"key": "app", "type": "KEY_AND_VALUE", "value": "legacy"}]}], opts=in_prod)
''')),

    Variant(ROLLBACK, VIOLATES, "rollback-left-out", resource="orders",
            program=_program('lambda_group("orders", auto_rollback_configuration=None)\n')),
    Variant(ROLLBACK, VIOLATES, "rollback-disabled", resource="orders", program=_program('''\
ecs_group("orders", auto_rollback_configuration={"enabled": False, "events": ["DEPLOYMENT_FAILURE"]})
''')),
    Variant(ROLLBACK, VIOLATES, "not-on-alarm-args", resource="orders", program=_program('''\
lambda_group("orders", auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
    enabled=True, events=["DEPLOYMENT_FAILURE"]))
''')),
    Variant(ROLLBACK, VIOLATES, "loop-over-environments", resource="orders-staging", program=_program('''\
for env, events in {"staging": ["DEPLOYMENT_FAILURE"], "prod": ROLLBACK["events"]}.items():
    lambda_group(f"orders-{env}", auto_rollback_configuration={"enabled": True, "events": events})
''')),
    Variant(ROLLBACK, NEAR_MISS, "both-events-any-order", program=_program('''\
lambda_group("orders", auto_rollback_configuration={"enabled": True,
    "events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]})
''')),

    Variant(ALARMS, VIOLATES, "prod-account-no-alarms", resource="orders",
            program=_program('ecs_group("orders", alarm_configuration=None)\n')),
    Variant(ALARMS, VIOLATES, "alarms-listed-not-enabled", resource="orders", program=_program('''\
alarm = aws.cloudwatch.MetricAlarm("orders-errors", comparison_operator="GreaterThanThreshold",
    evaluation_periods=1, metric_name="Errors", namespace="AWS/Lambda", period=60, statistic="Sum", threshold=1,
    opts=in_prod)
lambda_group("orders", alarm_configuration={"alarms": [alarm.name]})
''')),
    Variant(ALARMS, VIOLATES, "prod-by-name-in-staging", resource="orders-prod", program=_program('''\
lambda_group("orders-prod", opts=in_staging, account=STAGING,
    alarm_configuration=aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(enabled=True, alarms=[]))
''')),
    Variant(ALARMS, VIOLATES, "alarms-only-outside-prod", resource="orders-prod", program=_program('''\
for env, opts in {"staging": in_staging, "prod": in_prod}.items():
    lambda_group(f"orders-{env}", opts=opts,
                 alarm_configuration={"enabled": True, "alarms": ["orders-errors"]} if env == "staging" else None)
''')),
    Variant(ALARMS, NEAR_MISS, "staging-without-prod-with-alarm-resource", program=_program('''\
lambda_group("orders", opts=in_staging, account=STAGING, alarm_configuration=None)
alarm = aws.cloudwatch.MetricAlarm("payments-errors", comparison_operator="GreaterThanThreshold",
    evaluation_periods=1, metric_name="Errors", namespace="AWS/Lambda", period=60, statistic="Sum", threshold=1,
    opts=in_prod)
lambda_group("payments", alarm_configuration={"enabled": True, "alarms": [alarm.name]})
''')),

    Variant(ALL_AT_ONCE, VIOLATES, "all-at-once-in-prod-account", resource="orders",
            program=_program('lambda_group("orders",\n'
                             '    deployment_config_name="CodeDeployDefault.LambdaAllAtOnce")\n')),
    Variant(ALL_AT_ONCE, VIOLATES, "prod-by-name-in-tooling", resource="orders-prod", program=_program('''\
lambda_group("orders-prod", opts=in_tooling, account=TOOLING,
             deployment_config_name="CodeDeployDefault.LambdaAllAtOnce")
''')),
    Variant(ALL_AT_ONCE, VIOLATES, "config-per-environment", resource="orders-prod",
            config={"prodDeployConfig": "CodeDeployDefault.LambdaAllAtOnce"}, program=_program('''\
configs = {"staging": "CodeDeployDefault.LambdaAllAtOnce", "prod": pulumi.Config().require("prodDeployConfig")}
for env, opts in {"staging": in_staging, "prod": in_prod}.items():
    lambda_group(f"orders-{env}", opts=opts, deployment_config_name=configs[env])
''')),
    Variant(ALL_AT_ONCE, NEAR_MISS, "ecs-all-at-once-staging-lambda-and-prod-canary", program=_program('''\
ecs_group("orders-api", deployment_config_name="CodeDeployDefault.ECSAllAtOnce")
lambda_group("orders", opts=in_staging, account=STAGING, deployment_config_name="CodeDeployDefault.LambdaAllAtOnce")
lambda_group("payments", deployment_config_name="CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
''')),

    Variant(TERMINATION, VIOLATES, "short-wait", resource="orders", program=_program('''\
ecs_group("orders", blue_green_deployment_config={
    "deployment_ready_option": {"action_on_timeout": "CONTINUE_DEPLOYMENT"},
    "terminate_blue_instances_on_deployment_success": {"action": "TERMINATE",
                                                       "termination_wait_time_in_minutes": 5}})
''')),
    Variant(TERMINATION, VIOLATES, "ecs-block-left-out", resource="orders",
            program=_program('ecs_group("orders", blue_green_deployment_config=None)\n')),
    Variant(TERMINATION, VIOLATES, "ec2-blue-green-args", resource="legacy", program=_program('''\
app = aws.codedeploy.Application("legacy-app", compute_platform="Server", opts=in_prod)
aws.codedeploy.DeploymentGroup("legacy", app_name=app.name, deployment_group_name="legacy",
    service_role_arn=ROLE.format(PROD), deployment_style=STYLE, autoscaling_groups=["legacy-asg"],
    blue_green_deployment_config=aws.codedeploy.DeploymentGroupBlueGreenDeploymentConfigArgs(
        green_fleet_provisioning_option={"action": "COPY_AUTO_SCALING_GROUP"},
        terminate_blue_instances_on_deployment_success=aws.codedeploy.
            DeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccessArgs(
                action="TERMINATE", termination_wait_time_in_minutes=10)), opts=in_prod)
''')),
    Variant(TERMINATION, NEAR_MISS, "long-wait-keep-alive-and-lambda", program=_program('''\
ecs_group("orders")
app = aws.codedeploy.Application("legacy-app", compute_platform="Server", opts=in_prod)
aws.codedeploy.DeploymentGroup("legacy", app_name=app.name, deployment_group_name="legacy",
    service_role_arn=ROLE.format(PROD), deployment_style=STYLE, autoscaling_groups=["legacy-asg"],
    blue_green_deployment_config={"green_fleet_provisioning_option": {"action": "COPY_AUTO_SCALING_GROUP"},
        "terminate_blue_instances_on_deployment_success": {"action": "KEEP_ALIVE"}}, opts=in_prod)
lambda_group("payments")
''')),

    Variant(TEST_LISTENER, VIOLATES, "no-test-route", resource="orders", program=_program('''\
prod_listener = listener("orders-main", 443, in_prod)
ecs_group("orders", load_balancer_info={"target_group_pair_info": {
    "prod_traffic_route": {"listener_arns": [prod_listener.arn]},
    "target_groups": [{"name": "orders-blue"}, {"name": "orders-green"}]}})
''')),
    Variant(TEST_LISTENER, VIOLATES, "empty-test-route", resource="orders", program=_program('''\
prod_listener = listener("orders-main", 443, in_prod)
ecs_group("orders", load_balancer_info=aws.codedeploy.DeploymentGroupLoadBalancerInfoArgs(
    target_group_pair_info=aws.codedeploy.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoArgs(
        prod_traffic_route={"listener_arns": [prod_listener.arn]}, test_traffic_route={"listener_arns": []},
        target_groups=[{"name": "orders-blue"}, {"name": "orders-green"}])))
''')),
    Variant(TEST_LISTENER, VIOLATES, "test-listener-only-where-configured", resource="payments",
            config={"testPort": "8443"}, program=_program('''\
test_port = pulumi.Config().get_int("testPort")
for name in ("orders", "payments"):
    main = listener(f"{name}-main", 443, in_prod)
    routes = {"prod_traffic_route": {"listener_arns": [main.arn]},
              "target_groups": [{"name": f"{name}-blue"}, {"name": f"{name}-green"}]}
    if name == "orders" and test_port:
        routes["test_traffic_route"] = {"listener_arns": [listener(f"{name}-canary", test_port, in_prod).arn]}
    ecs_group(name, load_balancer_info={"target_group_pair_info": routes})
''')),
    Variant(TEST_LISTENER, NEAR_MISS, "computed-test-listener-and-lambda", program=_program('''\
ecs_group("orders")
lambda_group("payments")
''')),
]
