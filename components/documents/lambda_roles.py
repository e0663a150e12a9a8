"""Policies of a Lambda service's roles: the function's execution role and CodeDeploy's service role."""
from __future__ import annotations

from typing import Any, Optional, Sequence

from components.arns import lambda_alias_arn, lambda_function_arn, log_group_arn
from components.documents import iam


def lambda_execution_policy(*, region: str, account_id: str, function_name: str) -> dict[str, Any]:
    group = log_group_arn(account_id, region, f"/aws/lambda/{function_name}")
    return iam.document([iam.statement("WriteFunctionLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                                       f"{group}:log-stream:*")])


def codedeploy_lambda_policy(*, region: str, account_id: str, function_name: str, alarm_prefix: str,
                             hook_functions: Sequence[str] = (),
                             topic_arn: Optional[str] = None) -> dict[str, Any]:
    """What CodeDeploy needs to shift the alias of one function (an inline, scoped version of
    AWSCodeDeployRoleForLambdaLimited, whose hook permission only covers functions named CodeDeployHook_*)."""
    function = lambda_function_arn(account_id, region, function_name)
    statements = [
        iam.statement("ShiftAliasTraffic",
                      ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"],
                      [function, f"{function}:*"]),
        iam.statement("WatchDeploymentAlarms", "cloudwatch:DescribeAlarms",
                      f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{alarm_prefix}*"),
    ]
    if hook_functions:
        statements.append(iam.statement("InvokeTrafficHooks", "lambda:InvokeFunction",
                                        [lambda_function_arn(account_id, region, h) for h in hook_functions]))
    if topic_arn:
        statements.append(iam.statement("NotifyDeploymentEvents", "sns:Publish", topic_arn))
    return iam.document(statements)


def invoke_alias_policy(*, region: str, account_id: str, function_name: str, alias: str) -> dict[str, Any]:
    """Integration tests may call the function through its alias (what clients call), nothing else."""
    return iam.document([iam.statement("InvokeThroughAlias", "lambda:InvokeFunction",
                                       lambda_alias_arn(account_id, region, function_name, alias))])
