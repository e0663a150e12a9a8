"""Load balancing of an EcsBlueGreenService: ALB, security groups, blue/green target groups,
production and test listeners (and, for ECS-native deployments, the listener rules ECS shifts)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import Account
from components.logical_names import cidr_name, keyed
from components.workload_names import LB_NAME_LIMIT, physical_name

PROD_LISTENER_PORT = 80
TEST_LISTENER_PORT = 8080


@dataclass(frozen=True)
class NetworkSpec:
    prefix: str
    environment: str
    service: str
    port: int
    health_check_path: str
    vpc_id: str
    public_subnet_ids: Sequence[str]
    ingress_cidrs: Sequence[str]
    test_ingress_cidrs: Sequence[str]
    native: bool                 # ECS-native blue/green: ECS shifts weights on listener rules
    protect: bool
    tags: dict


@dataclass
class LoadBalancing:
    alb: aws.lb.LoadBalancer
    task_security_group: aws.ec2.SecurityGroup
    blue: aws.lb.TargetGroup
    green: aws.lb.TargetGroup
    prod_listener: aws.lb.Listener
    test_listener: aws.lb.Listener
    prod_rule: Optional[aws.lb.ListenerRule]
    test_rule: Optional[aws.lb.ListenerRule]

    @property
    def ready(self) -> list[pulumi.Resource]:
        """What must exist before the service can register targets."""
        return [r for r in (self.prod_listener, self.test_listener, self.prod_rule, self.test_rule) if r]


def ingress_rules(label: str, cidrs: Sequence[str]) -> dict[str, str]:
    """Rule name part -> CIDR of one listener; a network listed twice is refused."""
    return keyed(cidrs, cidr_name, f"the {label} listener's ingress CIDRs")


def _security_groups(parent, account: Account, spec: NetworkSpec, name: str):
    alb_sg = aws.ec2.SecurityGroup(f"{name}-alb-sg", vpc_id=spec.vpc_id, tags=spec.tags,
                                   description=f"ALB of {spec.service} ({spec.environment})",
                                   opts=account.opts(parent))
    task_sg = aws.ec2.SecurityGroup(f"{name}-task-sg", vpc_id=spec.vpc_id, tags=spec.tags,
                                    description=f"Tasks of {spec.service} ({spec.environment})",
                                    opts=account.opts(parent))
    for port, label, cidrs in ((PROD_LISTENER_PORT, "prod", spec.ingress_cidrs),
                               (TEST_LISTENER_PORT, "test", spec.test_ingress_cidrs)):
        for i, (key, cidr) in enumerate(ingress_rules(label, cidrs).items()):
            # Named by the network, so reordering the list replaces nothing. The alias adopts the rule the
            # index-named version created: AWS refuses a second rule with the same CIDR and port.
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-{label}-in-{key}", security_group_id=alb_sg.id, ip_protocol="tcp", from_port=port,
                to_port=port, cidr_ipv4=cidr, description=f"{label} listener", tags=spec.tags,
                opts=account.opts(parent, aliases=[pulumi.Alias(name=f"{name}-alb-{label}-in-{i}")]))
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-alb-to-tasks", security_group_id=alb_sg.id, ip_protocol="tcp", from_port=spec.port,
        to_port=spec.port, referenced_security_group_id=task_sg.id, tags=spec.tags, opts=account.opts(parent))
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-task-from-alb", security_group_id=task_sg.id, ip_protocol="tcp", from_port=spec.port,
        to_port=spec.port, referenced_security_group_id=alb_sg.id, tags=spec.tags, opts=account.opts(parent))
    # HTTPS out only: ECR, CloudWatch Logs, SSM and Secrets Manager. Add service-specific egress explicitly.
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-task-https-out", security_group_id=task_sg.id, ip_protocol="tcp", from_port=443, to_port=443,
        cidr_ipv4="0.0.0.0/0", tags=spec.tags, opts=account.opts(parent))
    return alb_sg, task_sg


def _target_group(parent, account: Account, spec: NetworkSpec, name: str, colour: str) -> aws.lb.TargetGroup:
    return aws.lb.TargetGroup(
        f"{name}-{colour}", name=physical_name(spec.prefix, spec.environment, spec.service, colour,
                                               limit=LB_NAME_LIMIT),
        port=spec.port, protocol="HTTP", target_type="ip", vpc_id=spec.vpc_id, deregistration_delay=30,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            path=spec.health_check_path, matcher="200-399", interval=15, healthy_threshold=2,
            unhealthy_threshold=3),
        tags=spec.tags, opts=account.opts(parent))


def _listener(parent, account: Account, spec: NetworkSpec, name: str, label: str, port: int,
              alb: aws.lb.LoadBalancer, blue: aws.lb.TargetGroup) -> aws.lb.Listener:
    if spec.native:
        default = aws.lb.ListenerDefaultActionArgs(type="fixed-response", fixed_response=aws.lb.
                                                   ListenerDefaultActionFixedResponseArgs(
                                                       content_type="text/plain", status_code="404"))
        ignore: list[str] = []
    else:
        default = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=blue.arn)
        # CodeDeploy swaps the listeners' target groups on every deployment; Pulumi must not swap them back.
        ignore = ["defaultActions"]
    return aws.lb.Listener(f"{name}-{label}-listener", load_balancer_arn=alb.arn, port=port, protocol="HTTP",
                           default_actions=[default], tags=spec.tags,
                           opts=account.opts(parent, ignore_changes=ignore))


def _weighted_rule(parent, account: Account, spec: NetworkSpec, name: str, label: str, priority: int,
                   listener: aws.lb.Listener, blue: aws.lb.TargetGroup,
                   green: aws.lb.TargetGroup) -> aws.lb.ListenerRule:
    forward = aws.lb.ListenerRuleActionForwardArgs(target_groups=[
        aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=blue.arn, weight=100),
        aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=green.arn, weight=0)])
    return aws.lb.ListenerRule(
        f"{name}-{label}-rule", listener_arn=listener.arn, priority=priority,
        actions=[aws.lb.ListenerRuleActionArgs(type="forward", forward=forward)],
        conditions=[aws.lb.ListenerRuleConditionArgs(
            path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"]))],
        tags=spec.tags,
        # ECS moves the weights between blue and green during each deployment.
        opts=account.opts(parent, ignore_changes=["actions"]))


def create_load_balancing(parent: pulumi.Resource, account: Account, spec: NetworkSpec,
                          name: str) -> LoadBalancing:
    alb_sg, task_sg = _security_groups(parent, account, spec, name)
    alb = aws.lb.LoadBalancer(
        f"{name}-alb", name=physical_name(spec.prefix, spec.environment, spec.service, limit=LB_NAME_LIMIT),
        load_balancer_type="application", internal=False, security_groups=[alb_sg.id],
        subnets=list(spec.public_subnet_ids), drop_invalid_header_fields=True,
        enable_deletion_protection=spec.protect, tags=spec.tags, opts=account.opts(parent))
    blue = _target_group(parent, account, spec, name, "blue")
    green = _target_group(parent, account, spec, name, "green")
    prod = _listener(parent, account, spec, name, "prod", PROD_LISTENER_PORT, alb, blue)
    test = _listener(parent, account, spec, name, "test", TEST_LISTENER_PORT, alb, blue)
    prod_rule = test_rule = None
    if spec.native:
        prod_rule = _weighted_rule(parent, account, spec, name, "prod", 100, prod, blue, green)
        test_rule = _weighted_rule(parent, account, spec, name, "test", 100, test, blue, green)
    return LoadBalancing(alb, task_sg, blue, green, prod, test, prod_rule, test_rule)
