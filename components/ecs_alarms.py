"""CloudWatch alarms that stop (and roll back) an ECS blue/green deployment."""
from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.account import Account
from components.ecs_network import LoadBalancing


def _alarm(parent, account: Account, resource_name: str, alarm_name: str, metric: str, statistic: str,
           threshold: float, dimensions: dict, description: str, topic_arn: Optional[pulumi.Input[str]],
           tags: dict) -> aws.cloudwatch.MetricAlarm:
    actions = [topic_arn] if topic_arn is not None else []
    return aws.cloudwatch.MetricAlarm(
        resource_name, name=alarm_name, namespace="AWS/ApplicationELB", metric_name=metric,
        statistic=statistic, period=60, evaluation_periods=2, datapoints_to_alarm=2, threshold=threshold,
        comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
        dimensions=dimensions, alarm_description=description, alarm_actions=actions, ok_actions=actions,
        tags=tags, opts=account.opts(parent))


def create_deployment_alarms(parent: pulumi.Resource, account: Account, name: str, alarm_prefix: str,
                             lb: LoadBalancing, topic_arn: Optional[pulumi.Input[str]],
                             tags: dict) -> list[aws.cloudwatch.MetricAlarm]:
    """Target 5xx on the load balancer, and unhealthy hosts in either target group."""
    alarms = [_alarm(parent, account, f"{name}-5xx", f"{alarm_prefix}-target-5xx",
                     "HTTPCode_Target_5XX_Count", "Sum", 5, {"LoadBalancer": lb.alb.arn_suffix},
                     "Targets answer 5xx: stop and roll back the deployment", topic_arn, tags)]
    for colour, group in (("blue", lb.blue), ("green", lb.green)):
        alarms.append(_alarm(
            parent, account, f"{name}-{colour}-unhealthy", f"{alarm_prefix}-{colour}-unhealthy-hosts",
            "UnHealthyHostCount", "Maximum", 1,
            {"LoadBalancer": lb.alb.arn_suffix, "TargetGroup": group.arn_suffix},
            f"Unhealthy targets in the {colour} target group", topic_arn, tags))
    return alarms
