"""Policies of a Lambda service's roles: the function's execution role and CodeDeploy's service role."""
from __future__ import annotations

from typing import Any, Optional, Sequence

from components.documents import iam
from components.documents.task_roles import log_group_arn


def function_arn(region: str, account_id: str, function_name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"


def lambda_execution_policy(*, region: str, account_id: str, function_name: str) -> dict[str, Any]:
    group = log_group_arn(region, account_id, f"/aws/lambda/{function_name}")
    return iam.document([iam.statement("WriteFunctionLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                                       f"{group}:log-stream:*")])


def codedeploy_lambda_policy(*, region: str, account_id: str, function_name: str, alarm_prefix: str,
                             hook_functions: Sequence[str] = (),
                             topic_arn: Optional[str] = None) -> dict[str, Any]:
    """What CodeDeploy needs to shift the alias of one function (an inline, scoped version of
    AWSCodeDeployRoleForLambdaLimited, whose hook permission only covers functions named CodeDeployHook_*)."""
    function = function_arn(region, account_id, function_name)
    statements = [
        iam.statement("ShiftAliasTraffic",
                      ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
                      [function, f"{function}:*"]),
        iam.statement("WatchDeploymentAlarms", "cloudwatch:DescribeAlarms",
                      f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{alarm_prefix}*"),
    ]
    if hook_functions:
        statements.append(iam.statement("InvokeTrafficHooks", "lambda:InvokeFunction",
                                        [function_arn(region, account_id, h) for h in hook_functions]))
    if topic_arn:
        statements.append(iam.statement("NotifyDeploymentEvents", "sns:Publish", topic_arn))
    return iam.document(statements)
