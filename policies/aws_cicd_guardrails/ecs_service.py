"""ECS service and cluster rules: networking, how deployments roll out, Container Insights."""
from __future__ import annotations

from collections.abc import Mapping

from . import _prod
from ._common import as_list, as_str, get, is_true
from ._registry import resource_rule

SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
PROGRESSIVE_STRATEGIES = ("BLUE_GREEN", "CANARY", "LINEAR")
# CodeDeploy owns these after the first deployment; Pulumi must not try to change them back.
CODEDEPLOY_OWNED = {"taskDefinition": "task_definition", "loadBalancers": "load_balancers"}
INSIGHTS_ON = ("enabled", "enhanced")


def controller_type(props) -> str:
    return as_str(get(props, "deploymentController", 0, "type")).upper() or "ECS"


def deployment_strategy(props) -> str:
    return as_str(get(props, "deploymentConfiguration", 0, "strategy")).upper() or "ROLLING"


@resource_rule(
    "ecs-service-no-public-ip",
    types=[SERVICE],
    description="ECS services must not assign public IP addresses to their tasks.",
    severity="high",
    remediation=("Set network_configuration.assign_public_ip=False and run tasks in private subnets behind "
                 "the load balancer."),
    topic="network",
    anchors=["SH ECS.2"],
)
def ecs_service_no_public_ip(args, cfg):
    if is_true(get(args.props, "networkConfiguration", 0, "assignPublicIp")):
        yield (f"service \"{args.name}\" assigns public IPs to its tasks; set assign_public_ip=False and use "
               "private subnets")


@resource_rule(
    "ecs-service-prod-progressive-deployment",
    types=[SERVICE],
    description=("Prod ECS services must deploy progressively (CodeDeploy blue/green or ECS BLUE_GREEN, "
                 "CANARY or LINEAR)."),
    severity="high",
    remediation=("Use deployment_controller={\"type\": \"CODE_DEPLOY\"} with a CodeDeploy blue/green "
                 "deployment group, or deployment_configuration={\"strategy\": \"BLUE_GREEN\" | "
                 "\"CANARY\" | \"LINEAR\"}."),
    topic="deployment-safety",
    config=_prod.CONFIG,
)
def ecs_service_prod_progressive_deployment(args, cfg):
    controller = controller_type(args.props)
    if controller == "CODE_DEPLOY" or not _prod.resource_is_prod(args, cfg):
        return
    strategy = deployment_strategy(args.props)
    if controller == "ECS" and strategy in PROGRESSIVE_STRATEGIES:
        return
    how = f"deployment controller {controller}" if controller != "ECS" else f"ECS strategy {strategy}"
    yield (f"prod service \"{args.name}\" deploys with {how} (all tasks replaced at once, no traffic shift); "
           "use CODE_DEPLOY blue/green or deployment_configuration strategy BLUE_GREEN, CANARY or LINEAR")


@resource_rule(
    "ecs-service-codedeploy-ignores-task-definition",
    types=[SERVICE],
    description=("A CODE_DEPLOY-controlled ECS service must ignore changes to taskDefinition and "
                 "loadBalancers."),
    severity="medium",
    remediation=("Create the service with opts=ResourceOptions(ignore_changes=[\"task_definition\", "
                 "\"load_balancers\"]): CodeDeploy changes both on every deployment."),
    topic="deployment-safety",
)
def ecs_service_codedeploy_ignores_task_definition(args, cfg):
    if controller_type(args.props) != "CODE_DEPLOY":
        return
    ignored = set(getattr(args.opts, "ignore_changes", None) or [])
    missing = [camel for camel, snake in CODEDEPLOY_OWNED.items()
               if camel not in ignored and snake not in ignored]
    if missing:
        yield (f"CODE_DEPLOY service \"{args.name}\" does not ignore changes to {', '.join(missing)}; "
               "after the first CodeDeploy deployment the next `pulumi up` fails or rolls the service "
               "back: add ignore_changes=[\"task_definition\", \"load_balancers\"]")


@resource_rule(
    "ecs-service-rolling-circuit-breaker",
    types=[SERVICE],
    description="An ECS rolling deployment must enable the deployment circuit breaker with rollback.",
    severity="medium",
    remediation="Set deployment_circuit_breaker={\"enable\": True, \"rollback\": True}.",
    topic="deployment-safety",
)
def ecs_service_rolling_circuit_breaker(args, cfg):
    if controller_type(args.props) != "ECS" or deployment_strategy(args.props) != "ROLLING":
        return
    breaker = get(args.props, "deploymentCircuitBreaker", 0)
    enabled, rollback = is_true(get(breaker, "enable")), is_true(get(breaker, "rollback"))
    if not (enabled and rollback):
        missing = "circuit breaker" if not enabled else "rollback"
        yield (f"service \"{args.name}\" rolls out without a deployment {missing}: a failing release keeps "
               "replacing tasks; set deployment_circuit_breaker enable=True, rollback=True")


@resource_rule(
    "ecs-cluster-container-insights",
    types=[CLUSTER],
    description="ECS clusters must enable Container Insights.",
    severity="low",
    remediation="Add settings=[{\"name\": \"containerInsights\", \"value\": \"enabled\"}] (or \"enhanced\").",
    topic="observability",
    anchors=["SH ECS.12", "nag ECS4"],
)
def ecs_cluster_container_insights(args, cfg):
    values = [as_str(get(s, "value")).lower() for s in as_list(get(args.props, "settings"))
              if isinstance(s, Mapping) and get(s, "name") == "containerInsights"]
    if not any(v in INSIGHTS_ON for v in values):
        shown = repr(values[0]) if values else "not set"
        yield (f"cluster \"{args.name}\" has containerInsights {shown}; add setting containerInsights = "
               "\"enabled\" (or \"enhanced\")")
