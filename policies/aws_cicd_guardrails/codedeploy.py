"""CodeDeploy deployment-group rules: blue/green with traffic control, rollback, alarms, pacing."""
from __future__ import annotations

from typing import Any, Mapping

from . import _prod
from ._common import as_list, as_number, get, is_true, str_list
from ._registry import resource_rule

GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")


def _block(value: Any) -> Mapping:
    """A nested block that the schema may send as a map or as a one-item list."""
    return next((b for b in as_list(value) if isinstance(b, Mapping)), {})


def _is_ecs(props: Any) -> bool:
    return bool(_block(get(props, "ecsService")))


def _label(args) -> str:
    return f"deployment group \"{args.name}\""


@resource_rule(
    "codedeploy-ecs-blue-green-traffic-control",
    types=[GROUP],
    description="ECS deployment groups must deploy blue/green with traffic control.",
    severity="high",
    remediation="Set deployment_style = {deployment_type: \"BLUE_GREEN\", deployment_option: "
                "\"WITH_TRAFFIC_CONTROL\"} and give the group a load balancer target-group pair.",
    topic="progressive-delivery",
)
def codedeploy_ecs_blue_green_traffic_control(args, cfg):
    if not _is_ecs(args.props):
        return
    style = _block(get(args.props, "deploymentStyle"))
    kind = get(style, "deploymentType") or "IN_PLACE"
    option = get(style, "deploymentOption") or "WITHOUT_TRAFFIC_CONTROL"
    if kind != "BLUE_GREEN" or option != "WITH_TRAFFIC_CONTROL":
        yield (f"ECS {_label(args)} deploys {kind!r} / {option!r}; set deploymentStyle to "
               "\"BLUE_GREEN\" + \"WITH_TRAFFIC_CONTROL\"")


@resource_rule(
    "codedeploy-auto-rollback-enabled",
    types=[GROUP],
    description="Deployment groups must roll back automatically on deployment failure and on alarm.",
    severity="high",
    remediation="Set auto_rollback_configuration = {enabled: True, events: [\"DEPLOYMENT_FAILURE\", "
                "\"DEPLOYMENT_STOP_ON_ALARM\"]}.",
    topic="progressive-delivery",
    anchors=["Config codedeploy-auto-rollback-monitor-enabled"],
)
def codedeploy_auto_rollback_enabled(args, cfg):
    rollback = _block(get(args.props, "autoRollbackConfiguration"))
    if not is_true(get(rollback, "enabled")):
        yield (f"{_label(args)} has auto-rollback disabled; enable autoRollbackConfiguration with events "
               f"{list(ROLLBACK_EVENTS)}")
        return
    missing = [e for e in ROLLBACK_EVENTS if e not in str_list(get(rollback, "events"))]
    if missing:
        yield f"{_label(args)} does not roll back on {missing}; add them to autoRollbackConfiguration.events"


@resource_rule(
    "codedeploy-alarms-configured",
    types=[GROUP],
    description="Prod deployment groups must watch at least one enabled CloudWatch alarm.",
    severity="high",
    remediation="Set alarm_configuration = {enabled: True, alarms: [<5xx / error-rate / latency alarm "
                "names>]}.",
    topic="progressive-delivery",
    anchors=["Config codedeploy-auto-rollback-monitor-enabled"],
    config=_prod.CONFIG,
)
def codedeploy_alarms_configured(args, cfg):
    if not _prod.resource_is_prod(args, cfg):
        return
    alarms_cfg = _block(get(args.props, "alarmConfiguration"))
    alarms = str_list(get(alarms_cfg, "alarms"))
    if not alarms:
        yield f"prod {_label(args)} has no alarms; set alarmConfiguration.alarms and enabled = true"
    elif not is_true(get(alarms_cfg, "enabled")):
        # The provider sends enabled = false when unset: the alarms are then ignored.
        yield (f"prod {_label(args)} lists alarms {alarms} but alarmConfiguration.enabled is not true; "
               "enable it")


@resource_rule(
    "codedeploy-lambda-no-all-at-once-in-prod",
    types=[GROUP],
    description="Prod Lambda deployment groups must shift traffic gradually, not all at once.",
    severity="high",
    remediation="Use deployment_config_name \"CodeDeployDefault.LambdaCanary10Percent5Minutes\" (or a linear "
                "config) with alarms and auto-rollback.",
    topic="progressive-delivery",
    anchors=["Config codedeploy-lambda-allatonce-traffic-shift-disabled"],
    config=_prod.CONFIG,
)
def codedeploy_lambda_no_all_at_once_in_prod(args, cfg):
    config_name = get(args.props, "deploymentConfigName")
    if not isinstance(config_name, str) or "lambdaallatonce" not in config_name.lower():
        return
    if _prod.resource_is_prod(args, cfg):
        yield (f"prod {_label(args)} uses {config_name!r}; use a canary or linear config such as "
               "\"CodeDeployDefault.LambdaCanary10Percent5Minutes\"")


@resource_rule(
    "codedeploy-blue-termination-wait",
    types=[GROUP],
    description="Blue/green deployment groups must keep the blue fleet for at least the configured wait.",
    severity="low",
    remediation="Set blue_green_deployment_config.terminate_blue_instances_on_deployment_success."
                "termination_wait_time_in_minutes to at least the configured minimum.",
    topic="progressive-delivery",
    config={"minTerminationWaitMinutes": {
        "type": "number", "minimum": 0, "maximum": 2880, "default": 5,
        "description": "Minimum minutes the blue (old) tasks/instances stay up after a blue/green shift."}},
)
def codedeploy_blue_termination_wait(args, cfg):
    blue_green = _block(get(args.props, "blueGreenDeploymentConfig"))
    # Lambda groups shift traffic between versions: there is no blue fleet, and no block to check.
    if not blue_green and not _is_ecs(args.props):
        return
    terminate = _block(get(blue_green, "terminateBlueInstancesOnDeploymentSuccess"))
    if get(terminate, "action") == "KEEP_ALIVE":
        return
    minimum = as_number(cfg.get("minTerminationWaitMinutes")) or 0.0
    wait = as_number(get(terminate, "terminationWaitTimeInMinutes")) or 0.0
    if wait < minimum:
        yield (f"{_label(args)} terminates the blue fleet after {wait:g} minutes; set "
               f"terminationWaitTimeInMinutes to at least {minimum:g} so a rollback stays instant")


@resource_rule(
    "codedeploy-ecs-test-listener",
    types=[GROUP],
    description="ECS blue/green deployment groups must route test traffic through a test listener.",
    severity="medium",
    remediation="Set load_balancer_info.target_group_pair_info.test_traffic_route.listener_arns to a test "
                "listener and run the AfterAllowTestTraffic hook against it.",
    topic="progressive-delivery",
)
def codedeploy_ecs_test_listener(args, cfg):
    if not _is_ecs(args.props):
        return
    pair = _block(get(_block(get(args.props, "loadBalancerInfo")), "targetGroupPairInfo"))
    # Counted, not read: a listener's ARN is unknown until it exists, and any listener is a test route.
    listeners = as_list(get(_block(get(pair, "testTrafficRoute")), "listenerArns"))
    if not len(listeners):
        yield (f"ECS {_label(args)} has no test traffic route; set loadBalancerInfo.targetGroupPairInfo."
               "testTrafficRoute.listenerArns so the green tasks are tested before the shift")
