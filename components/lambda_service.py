"""LambdaCanaryService: a function behind the alias `live`, its Errors/Throttles alarms on the alias, and a
CodeDeploy application + deployment group that can shift the alias.

The delivery pipeline deploys with the CodePipeline Lambda deploy action, which shifts the alias itself and
rolls back on these alarms. The CodeDeploy group stays for the GitHub Actions path (GitHubActionsDeployer):
that role may publish versions and create CodeDeploy deployments but not move the alias, so this group (and
its service role and traffic hooks) is how a workflow shifts traffic gradually with alarm rollback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import lambda_alias_arn, lambda_function_arn, role_arn
from components.documents import iam
from components.documents.container_definitions import check_digest_pinned
from components.documents.lambda_deploy import ALARM_METRICS, alarm_name
from components.documents.lambda_roles import codedeploy_lambda_policy, lambda_execution_policy
from components.documents.service_trust import service_trust
from components.workload_checks import check_common, check_retention
from components.workload_names import physical_name

ALIAS = "live"
DEPLOYMENT_CONFIGS = (
    "CodeDeployDefault.LambdaAllAtOnce",
    *(f"CodeDeployDefault.LambdaCanary10Percent{m}Minutes" for m in (5, 10, 15, 30)),
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    *(f"CodeDeployDefault.LambdaLinear10PercentEvery{m}Minutes" for m in (2, 3, 10)),
)
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class LambdaCanaryServiceArgs:
    account: Account
    environment: str
    prefix: str
    service: str
    runtime: str
    handler: str
    code_path: Optional[str] = None                  # zip path of a bootstrap package
    image_uri: Optional[pulumi.Input[str]] = None    # image functions: must be pinned by digest
    memory: int = 256
    timeout: int = 30
    deployment_config: str = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    log_retention_days: int = 30
    protect: bool = False
    pre_traffic_hook: Optional[str] = None           # function names, invoked by CodeDeploy
    post_traffic_hook: Optional[str] = None
    alarm_topic_arn: Optional[pulumi.Input[str]] = None
    tags: Mapping[str, str] = field(default_factory=dict)    # e.g. owner; merged over environment/service
    depends_on: Sequence[pulumi.Resource] = ()       # e.g. the registry's pull grant of an image function


def validate(args: LambdaCanaryServiceArgs) -> None:
    check_common(args.environment, args.prefix, args.service)
    if (args.code_path is None) == (args.image_uri is None):
        raise ValueError("give exactly one of code_path (zip) or image_uri (image pinned by digest)")
    if args.code_path is not None and not (args.runtime and args.handler):
        raise ValueError("a zip function needs runtime and handler")
    if isinstance(args.image_uri, str):
        check_digest_pinned(args.image_uri)
    if args.deployment_config not in DEPLOYMENT_CONFIGS:
        raise ValueError(f"deployment_config must be one of {list(DEPLOYMENT_CONFIGS)}, "
                         f"got {args.deployment_config!r}")
    if not 128 <= args.memory <= 10240:
        raise ValueError(f"memory must be 128..10240 MB, got {args.memory}")
    if not 1 <= args.timeout <= 900:
        raise ValueError(f"timeout must be 1..900 seconds, got {args.timeout}")
    check_retention(args.log_retention_days)
    for hook in (args.pre_traffic_hook, args.post_traffic_hook):
        if hook is not None and not _FUNCTION_NAME.match(hook):
            raise ValueError(f"traffic hook must be a function name, got {hook!r}")


class LambdaCanaryService(pulumi.ComponentResource):
    def __init__(self, name: str, args: LambdaCanaryServiceArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate(args)
        super().__init__(f"{TYPE_PREFIX}:LambdaCanaryService", name, None, opts)
        account = args.account
        function_name = physical_name(args.prefix, args.environment, args.service)
        tags = {"environment": args.environment, "service": args.service, **args.tags}
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=f"/aws/lambda/{function_name}", retention_in_days=args.log_retention_days,
            tags=tags, opts=account.opts(self, protect=args.protect, retain_on_delete=args.protect))
        role_name = physical_name(args.prefix, args.environment, args.service, "fn")
        role = aws.iam.Role(f"{name}-role", name=role_name,
                            assume_role_policy=iam.to_json(service_trust("lambda.amazonaws.com")), tags=tags,
                            description=f"Execution role of {function_name}", opts=account.opts(self))
        execution_policy = lambda_execution_policy(region=account.region, account_id=account.id,
                                                   function_name=function_name)
        logs_policy = aws.iam.RolePolicy(f"{name}-logs-policy", role=role.name, name="logs",
                                         policy=iam.to_json(execution_policy), opts=account.opts(self))
        function = self._function(name, args, function_name, role_arn(account.id, role_name),
                                  [role, log_group, logs_policy, *args.depends_on], tags)
        alias = aws.lambda_.Alias(
            f"{name}-alias", name=ALIAS, function_name=function.name, function_version=function.version,
            # Every deployment (pipeline action or CodeDeploy) moves the alias and its weights; Pulumi must
            # not move it back.
            opts=account.opts(self, ignore_changes=["functionVersion", "routingConfig"]))
        alarms = [self._alarm(name, args, function_name, metric, tags) for metric in ALARM_METRICS]
        app, group = self._deployment(name, args, function_name, alarms, tags)
        self.alias = alias
        # Known in a preview (explicit names); users that need them to exist depend on `self.alias`.
        self.function_name = function_name
        self.function_arn = lambda_function_arn(account.id, account.region, function_name)
        self.alias_name = ALIAS
        self.alias_arn = lambda_alias_arn(account.id, account.region, function_name, ALIAS)
        self.alarm_names = [alarm_name(function_name, metric) for metric in ALARM_METRICS]
        self.codedeploy_application_name = app.name
        self.deployment_group_name = group.deployment_group_name
        self.hooks = {event: hook for event, hook in (("BeforeAllowTraffic", args.pre_traffic_hook),
                                                      ("AfterAllowTraffic", args.post_traffic_hook)) if hook}
        self.register_outputs({
            "function_name": self.function_name, "function_arn": self.function_arn,
            "alias_name": self.alias_name, "alias_arn": self.alias_arn, "alarm_names": self.alarm_names,
            "codedeploy_application_name": self.codedeploy_application_name,
            "deployment_group_name": self.deployment_group_name})

    def _function(self, name, args, function_name, execution_role_arn, depends_on, tags) -> aws.lambda_.Function:
        if args.image_uri is not None:
            code = dict(package_type="Image",
                        image_uri=pulumi.Output.from_input(args.image_uri).apply(check_digest_pinned))
        else:
            code = dict(package_type="Zip", runtime=args.runtime, handler=args.handler,
                        code=pulumi.FileArchive(args.code_path))
        return aws.lambda_.Function(
            f"{name}-function", name=function_name, role=execution_role_arn, publish=True, memory_size=args.memory,
            timeout=args.timeout, tags=tags, **code,
            # The pipeline publishes new code; Pulumi only provides the bootstrap package.
            opts=args.account.opts(self, depends_on=depends_on, ignore_changes=["code", "imageUri"]))

    def _alarm(self, name, args, function_name, metric, tags) -> aws.cloudwatch.MetricAlarm:
        actions = [args.alarm_topic_arn] if args.alarm_topic_arn is not None else []
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{metric.lower()}", name=alarm_name(function_name, metric), namespace="AWS/Lambda",
            metric_name=metric, statistic="Sum", period=60, evaluation_periods=1, threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
            dimensions={"FunctionName": function_name, "Resource": f"{function_name}:{ALIAS}"},
            alarm_description=f"{metric} on {function_name}:{ALIAS}: stop and roll back the deployment",
            alarm_actions=actions, ok_actions=actions, tags=tags, opts=args.account.opts(self))

    def _deployment(self, name, args, function_name, alarms, tags):
        account = args.account
        role_name = physical_name(args.prefix, args.environment, args.service, "codedeploy")
        role = aws.iam.Role(
            f"{name}-codedeploy-role", name=role_name,
            assume_role_policy=iam.to_json(service_trust("codedeploy.amazonaws.com")), tags=tags,
            description=f"CodeDeploy traffic shifting of {function_name}", opts=account.opts(self))
        hooks = [h for h in (args.pre_traffic_hook, args.post_traffic_hook) if h]
        policy = pulumi.Output.from_input(args.alarm_topic_arn).apply(lambda topic: iam.to_json(
            codedeploy_lambda_policy(region=account.region, account_id=account.id,
                                     function_name=function_name, alarm_prefix=f"{function_name}-",
                                     hook_functions=hooks, topic_arn=topic)))
        role_policy = aws.iam.RolePolicy(f"{name}-codedeploy-policy", role=role.name, name="codedeploy",
                                         policy=policy, opts=account.opts(self))
        app = aws.codedeploy.Application(f"{name}-codedeploy", name=function_name, compute_platform="Lambda",
                                         tags=tags, opts=account.opts(self))
        group = aws.codedeploy.DeploymentGroup(
            f"{name}-deployment-group", app_name=app.name, deployment_group_name=function_name,
            service_role_arn=role_arn(account.id, role_name), deployment_config_name=args.deployment_config,
            deployment_style=aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
                deployment_type="BLUE_GREEN", deployment_option="WITH_TRAFFIC_CONTROL"),
            auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
                enabled=True, events=["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]),
            alarm_configuration=aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(
                enabled=True, alarms=[a.name for a in alarms]),
            tags=tags, opts=account.opts(self, depends_on=[role, role_policy]))
        return app, group
