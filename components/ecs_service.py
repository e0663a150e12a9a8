"""EcsBlueGreenService: a Fargate service behind an ALB, released blue/green by CodeDeploy or by ECS."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import role_arn
from components.documents.container_definitions import (TMP_VOLUME, ContainerSpec, check_image_pinned,
                                                        check_plain_environment, check_secret_source,
                                                        container_definitions_json)
from components.ecs_alarms import create_deployment_alarms
from components.ecs_deployment import (CODEDEPLOY, STRATEGIES, create_codedeploy_group,
                                       native_deployment_configuration)
from components.ecs_network import TEST_LISTENER_PORT, NetworkSpec, create_load_balancing, ingress_rules
from components.ecs_roles import (RoleSpec, create_codedeploy_role, create_infrastructure_role,
                                  create_task_roles)
from components.workload_checks import check_common, check_retention
from components.workload_names import physical_name

FARGATE_CPU = (256, 512, 1024, 2048, 4096, 8192, 16384)


@dataclass(frozen=True)
class EcsBlueGreenServiceArgs:
    account: Account
    environment: str
    prefix: str
    service: str
    image: pulumi.Input[str]                 # pinned: "<repo-url>:<sha-tag>" or "<repo-url>@sha256:..."
    port: int
    health_check_path: str
    cpu: int
    memory: int
    desired_count: int
    strategy: str                            # "codedeploy" | "ecs-blue-green" | "ecs-canary" | "ecs-linear"
    vpc_id: str
    public_subnet_ids: Sequence[str]
    private_subnet_ids: Sequence[str]
    log_retention_days: int
    termination_wait_minutes: int
    protect: bool
    alarm_topic_arn: Optional[pulumi.Input[str]] = None
    environment_variables: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)    # name -> SSM parameter / Secrets Manager ARN
    codedeploy_config: str = "CodeDeployDefault.ECSAllAtOnce"
    ingress_cidrs: Sequence[str] = ("0.0.0.0/0",)               # the production listener
    vpc_cidr: Optional[str] = None
    # The test listener serves the new task set before traffic shifts: the VPC only unless listed here.
    test_ingress_cidrs: Optional[Sequence[str]] = None
    tags: Mapping[str, str] = field(default_factory=dict)       # e.g. owner; merged over environment/service


def test_ingress(args: EcsBlueGreenServiceArgs) -> list[str]:
    if args.test_ingress_cidrs is not None:
        return list(args.test_ingress_cidrs)
    if args.vpc_cidr is None:
        raise ValueError("give vpc_cidr or test_ingress_cidrs: the test listener is never open by default")
    return [args.vpc_cidr]


def check_ingress(args: EcsBlueGreenServiceArgs) -> None:
    cidrs = test_ingress(args)
    if not cidrs:
        raise ValueError("test_ingress_cidrs must list at least one CIDR")
    for cidr in [*args.ingress_cidrs, *cidrs, *([args.vpc_cidr] if args.vpc_cidr else [])]:
        try:
            ipaddress.IPv4Network(cidr, strict=True)
        except ValueError:
            raise ValueError(f"ingress CIDRs must be IPv4 networks like 10.0.0.0/16, got {cidr!r}") from None
    if args.environment == "prod" and any(ipaddress.IPv4Network(c).prefixlen == 0 for c in cidrs):
        raise ValueError(f"the prod test listener must not be open to the world, got test_ingress_cidrs {cidrs}")
    ingress_rules("prod", args.ingress_cidrs)
    ingress_rules("test", cidrs)


def validate(args: EcsBlueGreenServiceArgs) -> None:
    """Every check runs before the component registers anything."""
    check_common(args.environment, args.prefix, args.service)
    if args.strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {list(STRATEGIES)}, got {args.strategy!r}")
    if not 1 <= args.port <= 65535:
        raise ValueError(f"port must be 1..65535, got {args.port}")
    if not args.health_check_path.startswith("/"):
        raise ValueError(f"health_check_path must start with '/', got {args.health_check_path!r}")
    if args.cpu not in FARGATE_CPU:
        raise ValueError(f"cpu must be one of {FARGATE_CPU} (Fargate), got {args.cpu}")
    if not 2 * args.cpu <= args.memory <= 8 * args.cpu:
        raise ValueError(f"memory for cpu {args.cpu} must be {2 * args.cpu}..{8 * args.cpu} MiB, "
                         f"got {args.memory}")
    if args.desired_count < 1:
        raise ValueError(f"desired_count must be at least 1, got {args.desired_count}")
    if len(args.public_subnet_ids) < 2 or not args.private_subnet_ids:
        raise ValueError("an ALB needs two public subnets and the service at least one private subnet")
    limit = 2880 if args.strategy == CODEDEPLOY else 1440
    if not 0 <= args.termination_wait_minutes <= limit:
        raise ValueError(f"termination_wait_minutes must be 0..{limit} for {args.strategy}, "
                         f"got {args.termination_wait_minutes}")
    check_retention(args.log_retention_days)
    check_ingress(args)
    if isinstance(args.image, str):
        check_image_pinned(args.image)
    check_plain_environment(args.environment_variables)
    for name, arn in args.secrets.items():
        check_secret_source(name, arn)


class EcsBlueGreenService(pulumi.ComponentResource):
    """Cluster, task definition, service, ALB with production and test listeners, alarms and the deployer."""

    def __init__(self, name: str, args: EcsBlueGreenServiceArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate(args)
        super().__init__(f"{TYPE_PREFIX}:EcsBlueGreenService", name, None, opts)
        account, native = args.account, args.strategy != CODEDEPLOY
        physical = physical_name(args.prefix, args.environment, args.service)
        tags = {"environment": args.environment, "service": args.service, **args.tags}
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=f"/ecs/{physical}", retention_in_days=args.log_retention_days, tags=tags,
            opts=account.opts(self, protect=args.protect, retain_on_delete=args.protect))
        roles = RoleSpec(args.prefix, args.environment, args.service, f"/ecs/{physical}", dict(args.secrets),
                         tags)
        execution, task = create_task_roles(self, account, roles, name, args.image)
        cluster = aws.ecs.Cluster(f"{name}-cluster", name=physical, tags=tags, settings=[
            aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")], opts=account.opts(self))
        task_definition = self._task_definition(name, args, physical, roles, [execution, task, log_group], tags)
        lb = create_load_balancing(self, account, NetworkSpec(
            args.prefix, args.environment, args.service, args.port, args.health_check_path, args.vpc_id,
            args.public_subnet_ids, args.ingress_cidrs, test_ingress(args), native, args.protect, tags), name)
        alarms = create_deployment_alarms(self, account, name, physical, lb, args.alarm_topic_arn, tags)
        alarm_names = [a.name for a in alarms]
        service = self._service(name, args, physical, cluster, task_definition, lb, roles, alarm_names, tags)
        self.codedeploy_application_name: Optional[pulumi.Output[str]] = None
        self.deployment_group_name: Optional[pulumi.Output[str]] = None
        if not native:
            role, attachment = create_codedeploy_role(self, account, roles, name)
            app, group = create_codedeploy_group(
                self, account, name, physical, service_role_arn=role_arn(account.id, roles.role_name("codedeploy")),
                depends_on=[role, attachment], cluster_name=cluster.name,
                service_name=service.name, lb=lb, config_name=args.codedeploy_config,
                termination_wait_minutes=args.termination_wait_minutes, alarm_names=alarm_names, tags=tags)
            self.codedeploy_application_name = app.name
            self.deployment_group_name = group.deployment_group_name
        self.cluster_name = cluster.name
        self.service_name = service.name
        # Known in a preview (explicit names); users that need the roles to exist depend on `self.task_roles`.
        self.task_roles = [execution, task]
        self.task_execution_role_arn = role_arn(account.id, roles.role_name("exec"))
        self.task_role_arn = role_arn(account.id, roles.role_name("task"))
        self.task_family = task_definition.family
        self.container_name = args.service
        self.prod_listener_arn = lb.prod_listener.arn
        self.test_listener_arn = lb.test_listener.arn
        self.prod_listener_url = lb.alb.dns_name.apply(lambda dns: f"http://{dns}")
        self.test_listener_url = lb.alb.dns_name.apply(lambda dns: f"http://{dns}:{TEST_LISTENER_PORT}")
        self.register_outputs({
            "cluster_name": self.cluster_name, "service_name": self.service_name,
            "task_execution_role_arn": self.task_execution_role_arn, "task_role_arn": self.task_role_arn,
            "task_family": self.task_family, "container_name": self.container_name,
            "prod_listener_url": self.prod_listener_url, "test_listener_url": self.test_listener_url,
            "codedeploy_application_name": self.codedeploy_application_name,
            "deployment_group_name": self.deployment_group_name})

    def _task_definition(self, name, args, physical, roles, depends_on, tags) -> aws.ecs.TaskDefinition:
        def render(image: str) -> str:
            return container_definitions_json(ContainerSpec(
                name=args.service, image=image, port=args.port, log_group=f"/ecs/{physical}",
                region=args.account.region, environment=dict(args.environment_variables),
                secrets=dict(args.secrets)))

        return aws.ecs.TaskDefinition(
            f"{name}-task", family=physical, network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            cpu=str(args.cpu), memory=str(args.memory),
            # Plain ARNs from the explicit role names keep the document checkable in a preview.
            execution_role_arn=role_arn(args.account.id, roles.role_name("exec")),
            task_role_arn=role_arn(args.account.id, roles.role_name("task")),
            container_definitions=pulumi.Output.from_input(args.image).apply(render),
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=TMP_VOLUME)],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(operating_system_family="LINUX",
                                                                       cpu_architecture="X86_64"),
            tags=tags, opts=args.account.opts(self, depends_on=depends_on))

    def _service(self, name, args, physical, cluster, task_definition, lb, roles, alarm_names,
                 tags) -> aws.ecs.Service:
        account = args.account
        load_balancer = dict(target_group_arn=lb.blue.arn, container_name=args.service,
                             container_port=args.port)
        extra: dict = {}
        depends_on = list(lb.ready)
        if args.strategy == CODEDEPLOY:
            controller = "CODE_DEPLOY"
        else:
            controller = "ECS"
            infra, attachment = create_infrastructure_role(self, account, roles, name)
            depends_on += [infra, attachment]
            load_balancer["advanced_configuration"] = aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                alternate_target_group_arn=lb.green.arn, production_listener_rule=lb.prod_rule.arn,
                test_listener_rule=lb.test_rule.arn, role_arn=role_arn(account.id, roles.role_name("ecs-infra")))
            extra = dict(
                deployment_configuration=native_deployment_configuration(args.strategy,
                                                                          args.termination_wait_minutes),
                deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True,
                                                                                   rollback=True),
                alarms=aws.ecs.ServiceAlarmsArgs(alarm_names=alarm_names, enable=True, rollback=True))
        return aws.ecs.Service(
            f"{name}-service", name=physical, cluster=cluster.arn, task_definition=task_definition.arn,
            desired_count=args.desired_count, launch_type="FARGATE", platform_version="LATEST",
            deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(type=controller),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(**load_balancer)],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.private_subnet_ids), security_groups=[lb.task_security_group.id],
                assign_public_ip=False),
            health_check_grace_period_seconds=60, enable_ecs_managed_tags=True, propagate_tags="SERVICE",
            tags=tags, **extra,
            # The deployer owns these after the first rollout: CodeDeploy (or the pipeline's ECS action)
            # registers new task definition revisions and swaps target groups; Pulumi must not revert them.
            opts=account.opts(self, depends_on=depends_on,
                              ignore_changes=["taskDefinition", "loadBalancers"]))
