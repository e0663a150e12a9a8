"""How an EcsBlueGreenService rolls out: a CodeDeploy blue/green deployment group, or the
ECS-native BLUE_GREEN / CANARY / LINEAR deployment configuration."""
from __future__ import annotations

from typing import Any, Sequence

import pulumi
import pulumi_aws as aws

from components.account import Account
from components.ecs_network import LoadBalancing

CODEDEPLOY = "codedeploy"
NATIVE_STRATEGIES = {"ecs-blue-green": "BLUE_GREEN", "ecs-canary": "CANARY", "ecs-linear": "LINEAR"}
STRATEGIES = (CODEDEPLOY, *NATIVE_STRATEGIES)
CANARY_PERCENT = 10.0
CANARY_BAKE_MINUTES = 5
LINEAR_STEP_PERCENT = 20.0
LINEAR_STEP_BAKE_MINUTES = 2
ROLLBACK_EVENTS = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]


def native_deployment_configuration(strategy: str, bake_minutes: int) -> dict[str, Any]:
    """`deployment_configuration` of an ECS-controlled service (bake times travel as strings)."""
    if strategy not in NATIVE_STRATEGIES:
        raise ValueError(f"strategy must be one of {sorted(NATIVE_STRATEGIES)}, got {strategy!r}")
    if not 0 <= bake_minutes <= 1440:
        raise ValueError(f"ECS bake time must be 0..1440 minutes, got {bake_minutes}")
    config: dict[str, Any] = {"strategy": NATIVE_STRATEGIES[strategy],
                              "bake_time_in_minutes": str(bake_minutes)}
    if strategy == "ecs-canary":
        config["canary_configuration"] = {"canary_percent": CANARY_PERCENT,
                                          "canary_bake_time_in_minutes": str(CANARY_BAKE_MINUTES)}
    elif strategy == "ecs-linear":
        config["linear_configuration"] = {"step_percent": LINEAR_STEP_PERCENT,
                                          "step_bake_time_in_minutes": str(LINEAR_STEP_BAKE_MINUTES)}
    return config


def create_codedeploy_group(parent: pulumi.Resource, account: Account, name: str, physical: str, *,
                            service_role_arn: pulumi.Input[str], cluster_name: pulumi.Input[str],
                            service_name: pulumi.Input[str], lb: LoadBalancing, config_name: str,
                            termination_wait_minutes: int, alarm_names: Sequence[pulumi.Input[str]],
                            tags: dict, depends_on: Sequence[pulumi.Resource] = (),
                            ) -> tuple[aws.codedeploy.Application, aws.codedeploy.DeploymentGroup]:
    cd = aws.codedeploy
    app = cd.Application(f"{name}-codedeploy", name=physical, compute_platform="ECS", tags=tags,
                         opts=account.opts(parent))
    group = cd.DeploymentGroup(
        f"{name}-deployment-group", app_name=app.name, deployment_group_name=physical,
        service_role_arn=service_role_arn, deployment_config_name=config_name,
        deployment_style=cd.DeploymentGroupDeploymentStyleArgs(
            deployment_type="BLUE_GREEN", deployment_option="WITH_TRAFFIC_CONTROL"),
        blue_green_deployment_config=cd.DeploymentGroupBlueGreenDeploymentConfigArgs(
            deployment_ready_option=cd.DeploymentGroupBlueGreenDeploymentConfigDeploymentReadyOptionArgs(
                action_on_timeout="CONTINUE_DEPLOYMENT"),
            terminate_blue_instances_on_deployment_success=cd.
            DeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccessArgs(
                action="TERMINATE", termination_wait_time_in_minutes=termination_wait_minutes)),
        ecs_service=cd.DeploymentGroupEcsServiceArgs(cluster_name=cluster_name, service_name=service_name),
        load_balancer_info=cd.DeploymentGroupLoadBalancerInfoArgs(
            target_group_pair_info=cd.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoArgs(
                prod_traffic_route=cd.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRouteArgs(
                    listener_arns=[lb.prod_listener.arn]),
                test_traffic_route=cd.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRouteArgs(
                    listener_arns=[lb.test_listener.arn]),
                target_groups=[
                    cd.DeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroupArgs(name=tg.name)
                    for tg in (lb.blue, lb.green)])),
        auto_rollback_configuration=cd.DeploymentGroupAutoRollbackConfigurationArgs(
            enabled=True, events=ROLLBACK_EVENTS),
        alarm_configuration=cd.DeploymentGroupAlarmConfigurationArgs(
            enabled=True, alarms=list(alarm_names)),
        tags=tags, opts=account.opts(parent, depends_on=list(depends_on)))
    return app, group
