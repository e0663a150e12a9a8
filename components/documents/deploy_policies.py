"""Trust and permissions of the cross-account deploy role (one per workload account).

The tooling account's pipeline (and build) roles assume this role to run the deploy actions:
CodePipeline `CodeDeployToECS`, the standard `ECS` action (ECS-native blue/green, canary, linear)
and the `Lambda` deploy action (update the code, publish a version, shift the alias, watch the
alarms). Everything is scoped to resources whose names start with `<prefix>-<environment>-`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from components.documents import iam
from components.documents.lambda_deploy import ALARM_METRICS, alarm_name

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


@dataclass(frozen=True)
class DeployScope:
    """Where a deploy role acts: one environment of one account."""
    account_id: str
    region: str
    prefix: str
    environment: str

    @property
    def name_prefix(self) -> str:
        return f"{self.prefix}-{self.environment}-"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"


def check_trusted_role_arn(arn: str) -> str:
    """A trusted principal must be one named IAM role: never an account root, never `*`."""
    if not isinstance(arn, str) or not _ROLE_ARN.match(arn) or arn.endswith(":root"):
        raise ValueError(f"trusted principal must be an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>), "
                         f"got {arn!r}")
    return arn


def deploy_role_trust(trusted_role_arns: Sequence[str]) -> dict[str, Any]:
    if not trusted_role_arns:
        raise ValueError("a deploy role needs at least one trusted tooling role ARN")
    arns = [check_trusted_role_arn(a) for a in trusted_role_arns]
    return iam.document([iam.trust_statement("ToolingPipelineRoles", {"AWS": arns})])


def _ecs_statements(s: DeployScope) -> list[dict[str, Any]]:
    p = s.name_prefix
    return [
        # RegisterTaskDefinition / DescribeTaskDefinition have no resource-level permissions in AWS.
        iam.statement("EcsTaskDefinitions", ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"],
                      "*"),
        iam.statement("EcsTagNewTaskDefinitions", "ecs:TagResource", s.arn("ecs", f"task-definition/{p}*:*"),
                      conditions={"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}),
        iam.statement("EcsServices", ["ecs:DescribeServices", "ecs:UpdateService"],
                      s.arn("ecs", f"service/{p}*/{p}*")),
        iam.statement("EcsTasks", ["ecs:DescribeTasks"], s.arn("ecs", f"task/{p}*/*")),
        iam.statement("EcsListTasks", ["ecs:ListTasks"], s.arn("ecs", "container-instance/*"),
                      conditions={"ArnLike": {"ecs:cluster": s.arn("ecs", f"cluster/{p}*")}}),
        iam.statement("PassWorkloadRolesToEcsTasks", "iam:PassRole",
                      s.arn("iam", f"role/{p}*", regional=False),
                      conditions={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
    ]


def _codedeploy_statements(s: DeployScope) -> list[dict[str, Any]]:
    p = s.name_prefix
    return [
        iam.statement("CodeDeployDeployments",
                      ["codedeploy:CreateDeployment", "codedeploy:GetDeployment",
                       "codedeploy:GetDeploymentGroup"],
                      s.arn("codedeploy", f"deploymentgroup:{p}*/{p}*")),
        iam.statement("CodeDeployRevisions",
                      ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision",
                       "codedeploy:RegisterApplicationRevision"],
                      s.arn("codedeploy", f"application:{p}*")),
        iam.statement("CodeDeployConfigs", "codedeploy:GetDeploymentConfig",
                      s.arn("codedeploy", "deploymentconfig:*")),
    ]


def _lambda_deploy_statements(s: DeployScope) -> list[dict[str, Any]]:
    """The permissions action-reference-LambdaDeploy.html lists for the role the Lambda deploy action runs
    with, scoped to the environment's functions (versions, aliases), their alarms and the pipelines' logs."""
    function = s.arn("lambda", f"function:{s.name_prefix}*")
    # The action logs to /<region>/codepipeline/<pipeline>; the platform's pipelines are named `<prefix>-...`.
    group = s.arn("logs", f"log-group:/{s.region}/codepipeline/{s.prefix}-*")
    return [
        iam.statement("LambdaDeployFunctions",
                      ["lambda:GetAlias", "lambda:GetFunctionConfiguration", "lambda:GetProvisionedConcurrencyConfig",
                       "lambda:PublishVersion", "lambda:UpdateAlias", "lambda:UpdateFunctionCode"],
                      [function, f"{function}:*"]),
        iam.statement("LambdaDeployAlarms", "cloudwatch:DescribeAlarms",
                      [s.arn("cloudwatch", f"alarm:{alarm_name(f'{s.name_prefix}*', m)}") for m in ALARM_METRICS]),
        iam.statement("LambdaDeployLogGroup", "logs:CreateLogGroup", [group, f"{group}:*"]),
        iam.statement("LambdaDeployLogEvents", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      f"{group}:log-stream:*"),
    ]


def _artifact_statements(bucket_arn: str, key_arn: str) -> list[dict[str, Any]]:
    return [
        iam.statement("ReadPipelineArtifacts", ["s3:GetObject", "s3:GetObjectVersion"], f"{bucket_arn}/*"),
        iam.statement("DecryptPipelineArtifacts", ["kms:Decrypt", "kms:DescribeKey"], key_arn),
    ]


def _function_image_statements(repository_arns: Sequence[str]) -> list[dict[str, Any]]:
    # UpdateFunctionCode with an ImageUri: Lambda checks that the caller itself may read the image.
    if not repository_arns:
        return []
    return [iam.statement("ReadFunctionImages", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                          list(repository_arns))]


def deploy_role_policy(scope: DeployScope, artifact_bucket_arn: str, artifact_key_arn: str,
                       function_image_repository_arns: Sequence[str] = ()) -> dict[str, Any]:
    if ":alias/" in artifact_key_arn or not artifact_key_arn.startswith("arn:"):
        raise ValueError(f"artifact key must be a KMS key ARN (never an alias), got {artifact_key_arn!r}")
    return iam.document([*_ecs_statements(scope), *_codedeploy_statements(scope), *_lambda_deploy_statements(scope),
                         *_function_image_statements(function_image_repository_arns),
                         *_artifact_statements(artifact_bucket_arn, artifact_key_arn)])
