"""Policies of the roles an ECS service runs with: task execution role and ECS infrastructure role."""
from __future__ import annotations

from typing import Any, Sequence

from components.arns import log_group_arn
from components.documents import iam
from components.documents.container_definitions import check_secret_source

# AWS-managed policy ECS needs to shift ALB traffic in native blue/green, canary and linear deployments.
ECS_INFRASTRUCTURE_FOR_LOAD_BALANCERS = \
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
# AWS-managed policy for the CodeDeploy service role of ECS blue/green deployment groups.
CODEDEPLOY_FOR_ECS = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"


def execution_role_policy(*, repository_arns: Sequence[str], region: str, account_id: str, log_group: str,
                          secret_arns: Sequence[str] = ()) -> dict[str, Any]:
    """Pull the image, write the container logs, resolve the container's `secrets` — nothing else."""
    if not repository_arns:
        raise ValueError("an execution role needs the ECR repository it pulls from")
    statements = [
        # GetAuthorizationToken is account-wide: AWS has no resource-level permission for it.
        iam.statement("EcrLogin", "ecr:GetAuthorizationToken", "*"),
        iam.statement("PullImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                    "ecr:GetDownloadUrlForLayer"], list(repository_arns)),
        iam.statement("WriteContainerLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      f"{log_group_arn(account_id, region, log_group)}:log-stream:*"),
    ]
    for arn in secret_arns:
        check_secret_source("secret", arn)
    parameters = [a for a in secret_arns if ":ssm:" in a]
    secrets = [a for a in secret_arns if ":secretsmanager:" in a]
    if parameters:
        statements.append(iam.statement("ReadSsmParameters", "ssm:GetParameters", parameters))
    if secrets:
        statements.append(iam.statement("ReadSecrets", "secretsmanager:GetSecretValue", secrets))
    return iam.document(statements)
