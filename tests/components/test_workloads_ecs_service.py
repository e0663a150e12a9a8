"""EcsBlueGreenService under the SDK mocks: CodeDeploy and ECS-native rollouts, task definition, network."""
import json

import pulumi
import pytest

from components.ecs_service import EcsBlueGreenService, EcsBlueGreenServiceArgs
from tests.components.workload_lint import findings
from tests.components.workload_mocks import (PROD_ID, assert_children_use_account, make_account,
                                             missing_tags, run)

TYPE = "aws-cicd-platform:components:EcsBlueGreenService"
IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-orders:0a1b2c3d"
SSM = "arn:aws:ssm:eu-west-1:333333333333:parameter/cicd/prod/orders/db-url"
TOPIC = "arn:aws:sns:eu-west-1:333333333333:cicd-prod-alarms"
SERVICE, TASK_DEF, GROUP = "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", \
    "aws:codedeploy/deploymentGroup:DeploymentGroup"


def args(account, **overrides):
    values = dict(account=account, environment="prod", prefix="cicd", service="orders", image=IMAGE,
                  port=8080, health_check_path="/health", cpu=512, memory=1024, desired_count=2,
                  strategy="codedeploy",
                  vpc_id="vpc-0abc", vpc_cidr="10.30.0.0/16", public_subnet_ids=["subnet-pub-a", "subnet-pub-b"],
                  private_subnet_ids=["subnet-priv-a", "subnet-priv-b"], log_retention_days=90,
                  termination_wait_minutes=15, protect=True, alarm_topic_arn=TOPIC, secrets={"DB_URL": SSM})
    return EcsBlueGreenServiceArgs(**{**values, **overrides})


def build(**overrides):
    def program():
        return EcsBlueGreenService("orders", args(make_account("prod", PROD_ID), **overrides))
    return run(program, lambda s: [s.prod_listener_url, s.test_listener_url, s.cluster_name, s.service_name,
                                   s.task_execution_role_arn, s.task_role_arn])


@pytest.fixture(scope="module")
def codedeploy():
    return build()


def role_named(result, suffix):
    return next(r for r in result.of_type("aws:iam/role:Role") if r.inputs["name"].endswith(suffix))


def test_codedeploy_service_leaves_task_definition_and_load_balancers_to_codedeploy(codedeploy):
    service = codedeploy.one(SERVICE)
    assert service.inputs["deploymentController"] == {"type": "CODE_DEPLOY"}
    assert service.ignore_changes == ["taskDefinition", "loadBalancers"]
    assert "deploymentConfiguration" not in service.inputs
    listeners = codedeploy.of_type("aws:lb/listener:Listener")
    assert sorted((l.inputs["port"], l.ignore_changes) for l in listeners) == [(80, ["defaultActions"]),
                                                                         (8080, ["defaultActions"])]


def test_deployment_group_is_blue_green_with_test_route_rollback_and_alarms(codedeploy):
    group = codedeploy.one(GROUP).inputs
    assert group["deploymentStyle"] == {"deploymentType": "BLUE_GREEN",
                                        "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    pair = group["loadBalancerInfo"]["targetGroupPairInfo"]
    prod, test = (codedeploy.one("aws:lb/listener:Listener", f"orders-{n}-listener")
                  for n in ("prod", "test"))
    assert pair["prodTrafficRoute"]["listenerArns"] == [listener_arn(prod)]
    assert pair["testTrafficRoute"]["listenerArns"] == [listener_arn(test)]
    assert [tg["name"] for tg in pair["targetGroups"]] == ["cicd-prod-orders-blue", "cicd-prod-orders-green"]
    assert group["blueGreenDeploymentConfig"]["terminateBlueInstancesOnDeploymentSuccess"] == {
        "action": "TERMINATE", "terminationWaitTimeInMinutes": 15}
    assert group["autoRollbackConfiguration"] == {
        "enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
    alarm_names = [a.inputs["name"] for a in codedeploy.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
    assert sorted(group["alarmConfiguration"]["alarms"]) == sorted(alarm_names) == [
        "cicd-prod-orders-blue-unhealthy-hosts", "cicd-prod-orders-green-unhealthy-hosts",
        "cicd-prod-orders-target-5xx"]
    assert group["ecsService"] == {"clusterName": "cicd-prod-orders", "serviceName": "cicd-prod-orders"}


def listener_arn(listener):
    return (f"arn:aws:elasticloadbalancing:eu-west-1:{PROD_ID}:listener/app/{listener.name}/"
            "50dc6c495c0c9188/f2f7dc8efc522ab2")


def test_codedeploy_has_a_service_role_in_the_workload_account(codedeploy):
    role = role_named(codedeploy, "-codedeploy")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    attachment = codedeploy.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs == {"role": "cicd-prod-orders-codedeploy",
                                 "policyArn": "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"}
    assert codedeploy.one(GROUP).inputs["serviceRoleArn"] == \
        f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-codedeploy"
    assert codedeploy.one("aws:codedeploy/application:Application").inputs["computePlatform"] == "ECS"


def test_task_definition_pins_the_image_and_hardens_the_container(codedeploy):
    task = codedeploy.one(TASK_DEF).inputs
    assert (task["networkMode"], task["requiresCompatibilities"], task["cpu"], task["memory"]) == \
        ("awsvpc", ["FARGATE"], "512", "1024")
    (container,) = json.loads(task["containerDefinitions"])
    assert container["image"] == IMAGE
    assert container["readonlyRootFilesystem"] is True and container["user"] == "10001:10001"
    assert container["logConfiguration"]["options"]["awslogs-group"] == \
        codedeploy.one("aws:cloudwatch/logGroup:LogGroup").inputs["name"] == "/ecs/cicd-prod-orders"
    assert container["secrets"] == [{"name": "DB_URL", "valueFrom": SSM}]
    assert container["environment"] == []
    assert task["executionRoleArn"] != task["taskRoleArn"]
    assert task["executionRoleArn"] == f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-exec"


def test_execution_role_pulls_from_the_image_repository_and_reads_the_secret(codedeploy):
    policy = json.loads(codedeploy.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["PullImage"]["Resource"] == "arn:aws:ecr:eu-west-1:111111111111:repository/cicd-orders"
    assert by_sid["ReadSsmParameters"]["Resource"] == SSM


def test_service_runs_in_private_subnets_without_public_ip(codedeploy):
    network = codedeploy.one(SERVICE).inputs["networkConfiguration"]
    assert network == {"subnets": ["subnet-priv-a", "subnet-priv-b"], "securityGroups": ["orders-task-sg-id"],
                       "assignPublicIp": False}
    cluster = codedeploy.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_tasks_accept_traffic_only_from_the_load_balancer(codedeploy):
    ingress = codedeploy.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                             "orders-task-from-alb")
    assert ingress.inputs["referencedSecurityGroupId"] == "orders-alb-sg-id"
    assert (ingress.inputs["fromPort"], ingress.inputs["toPort"]) == (8080, 8080)
    alb = codedeploy.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["subnets"] == ["subnet-pub-a", "subnet-pub-b"] and alb["dropInvalidHeaderFields"] is True


def test_log_group_is_protected_and_retained(codedeploy):
    logs = codedeploy.one("aws:cloudwatch/logGroup:LogGroup")
    assert (logs.protect, logs.retain_on_delete, logs.inputs["retentionInDays"]) == (True, True, 90)
    unprotected = build(protect=False).one("aws:cloudwatch/logGroup:LogGroup")
    assert (unprotected.protect, unprotected.retain_on_delete) == (False, False)


def test_outputs_name_listener_urls_and_roles(codedeploy):
    prod_url, test_url, cluster, service, execution, task = codedeploy.result[1]
    assert prod_url == "http://cicd-prod-orders-123.eu-west-1.elb.amazonaws.com"
    assert test_url == "http://cicd-prod-orders-123.eu-west-1.elb.amazonaws.com:8080"
    assert (cluster, service) == ("cicd-prod-orders", "cicd-prod-orders")
    assert task == f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-task"


def test_every_child_uses_the_prod_provider_and_the_component(codedeploy):
    assert_children_use_account(codedeploy, TYPE, "prod")


def test_every_taggable_child_carries_owner_service_and_environment():
    result = build(strategy="ecs-linear", tags={"owner": "team-orders"})
    assert missing_tags(result, {"owner": "team-orders", "service": "orders", "environment": "prod"}) == []


def test_every_emitted_iam_document_passes_parliament(codedeploy):
    documents = [r.inputs["assumeRolePolicy"] for r in codedeploy.of_type("aws:iam/role:Role")]
    documents += [r.inputs["policy"] for r in codedeploy.of_type("aws:iam/rolePolicy:RolePolicy")]
    assert len(documents) == 4
    assert [findings(d) for d in documents] == [[]] * 4


@pytest.mark.parametrize("strategy, expected", [
    ("ecs-blue-green", {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"}),
    ("ecs-canary", {"strategy": "CANARY", "bakeTimeInMinutes": "15",
                    "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": "5"}}),
    ("ecs-linear", {"strategy": "LINEAR", "bakeTimeInMinutes": "15",
                    "linearConfiguration": {"stepPercent": 20.0, "stepBakeTimeInMinutes": "2"}})])
def test_ecs_native_strategies_set_deployment_configuration(strategy, expected):
    result = build(strategy=strategy)
    service = result.one(SERVICE).inputs
    assert service["deploymentController"] == {"type": "ECS"}
    assert service["deploymentConfiguration"] == expected
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["alarms"]["rollback"] is True and len(service["alarms"]["alarmNames"]) == 3
    assert result.of_type(GROUP) == [] and result.of_type("aws:codedeploy/application:Application") == []


def test_ecs_native_load_balancer_names_green_group_rules_and_infrastructure_role():
    result = build(strategy="ecs-blue-green")
    (lb,) = result.one(SERVICE).inputs["loadBalancers"]
    advanced = lb["advancedConfiguration"]
    assert advanced["alternateTargetGroupArn"].split(":targetgroup/")[1].startswith("cicd-prod-orders-green/")
    assert lb["targetGroupArn"].split(":targetgroup/")[1].startswith("cicd-prod-orders-blue/")
    assert "/orders-prod-rule/" in advanced["productionListenerRule"]
    assert "/orders-test-rule/" in advanced["testListenerRule"]
    assert advanced["roleArn"] == f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-ecs-infra"
    infra = role_named(result, "-ecs-infra")
    principal = json.loads(infra.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]
    assert principal == {"Service": "ecs.amazonaws.com"}
    assert result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs["policyArn"] == \
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
    rules = sorted(result.of_type("aws:lb/listenerRule:ListenerRule"), key=lambda r: r.name)
    assert [(r.name, r.ignore_changes) for r in rules] == [("orders-prod-rule", ["actions"]),
                                                           ("orders-test-rule", ["actions"])]
    weights = [tg["weight"] for tg in rules[0].inputs["actions"][0]["forward"]["targetGroups"]]
    assert weights == [100, 0]
    assert_children_use_account(result, TYPE, "prod")


BAD_VALUES = [
    ({"image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-orders:latest"}, "uses ':latest'"),
    ({"image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-orders"}, "no tag or digest"),
    ({"strategy": "rolling"}, "strategy must be one of"),
    ({"port": 70000}, "port must be 1..65535, got 70000"),
    ({"cpu": 300}, "cpu must be one of"),
    ({"memory": 8192}, "memory for cpu 512 must be 1024..4096"),
    ({"public_subnet_ids": ["subnet-pub-a"]}, "two public subnets"),
    ({"log_retention_days": 10}, "log_retention_days must be one of"),
    ({"termination_wait_minutes": 2000, "strategy": "ecs-canary"}, "0..1440 for ecs-canary"),
    ({"environment_variables": {"DB_PASSWORD": "x"}}, "looks like a secret"),
    ({"secrets": {"DB_URL": "postgres://u:p@h/db"}}, "SSM parameter or Secrets Manager ARN"),
    ({"service": "Orders_Service"}, "service must be lowercase"),
    ({"health_check_path": "health"}, "must start with '/'"),
    ({"test_ingress_cidrs": ["0.0.0.0/0"]}, "prod test listener must not be open to the world"),
    ({"vpc_cidr": None}, "give vpc_cidr or test_ingress_cidrs"),
    ({"test_ingress_cidrs": []}, "at least one CIDR"),
    ({"test_ingress_cidrs": ["10.0.0.1/8"]}, "IPv4 networks like 10.0.0.0/16, got '10.0.0.1/8'"),
]


@pytest.mark.parametrize("overrides, message", BAD_VALUES)
def test_bad_arguments_stop_before_anything_is_registered(overrides, message):
    def program():
        account = make_account("prod", PROD_ID)
        with pytest.raises(ValueError, match=message):
            EcsBlueGreenService("orders", args(account, **overrides))
    result = run(program)
    assert result.of_type(TYPE) == [] and result.aws_resources() == []


def test_an_unpinned_image_known_only_at_deploy_time_still_fails():
    def program():
        image = pulumi.Output.from_input("111111111111.dkr.ecr.eu-west-1.amazonaws.com/cicd-orders:latest")
        return EcsBlueGreenService("orders", args(make_account("prod", PROD_ID), image=image))
    with pytest.raises(Exception, match="uses ':latest'"):
        run(program, lambda s: [s.task_family])


def _listener_ingress(result, label):
    return sorted(r.inputs["cidrIpv4"] for r in result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                  if r.name.startswith(f"orders-alb-{label}-in-"))


def test_test_listener_defaults_to_the_vpc_and_takes_listed_cidrs(codedeploy):
    assert _listener_ingress(codedeploy, "test") == ["10.30.0.0/16"]
    assert _listener_ingress(codedeploy, "prod") == ["0.0.0.0/0"]
    listed = build(test_ingress_cidrs=["203.0.113.0/28"])
    assert _listener_ingress(listed, "test") == ["203.0.113.0/28"]
    # Outside prod a sandbox may open it, but only when asked to.
    staging = run(lambda: EcsBlueGreenService("orders", args(make_account("staging", "222222222222"),
                                                              environment="staging", test_ingress_cidrs=["0.0.0.0/0"])))
    assert _listener_ingress(staging, "test") == ["0.0.0.0/0"]


def test_task_definition_names_roles_by_their_deterministic_arns(codedeploy):
    task = codedeploy.one(TASK_DEF).inputs
    assert task["executionRoleArn"] == f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-exec"
    assert task["taskRoleArn"] == f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-task"
    assert codedeploy.one(GROUP).inputs["serviceRoleArn"] == f"arn:aws:iam::{PROD_ID}:role/cicd-prod-orders-codedeploy"
