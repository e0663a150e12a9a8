"""IAM roles of an EcsBlueGreenService: task execution, task, and the service roles of the deployer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pulumi
import pulumi_aws as aws

from components.account import Account
from components.documents import iam
from components.documents.container_definitions import repository_arn_of_image
from components.documents.service_trust import service_trust
from components.documents.task_roles import (CODEDEPLOY_FOR_ECS, ECS_INFRASTRUCTURE_FOR_LOAD_BALANCERS,
                                             execution_role_policy)
from components.workload_names import physical_name


@dataclass(frozen=True)
class RoleSpec:
    prefix: str
    environment: str
    service: str
    log_group: str
    secrets: Mapping[str, str]
    tags: dict

    def role_name(self, suffix: str) -> str:
        return physical_name(self.prefix, self.environment, self.service, suffix)


def _role(parent, account: Account, name: str, role_name: str, trust: dict, description: str,
          tags: dict) -> aws.iam.Role:
    return aws.iam.Role(name, name=role_name, assume_role_policy=iam.to_json(trust), description=description,
                        tags=tags, opts=account.opts(parent))


def create_task_roles(parent, account: Account, spec: RoleSpec, name: str,
                      image: pulumi.Input[str]) -> tuple[aws.iam.Role, aws.iam.Role]:
    """Execution role (pull, logs, secrets) and a separate, empty-by-default task role for the app."""
    execution = _role(parent, account, f"{name}-execution-role", spec.role_name("exec"),
                      service_trust("ecs-tasks.amazonaws.com"), f"ECS task execution of {spec.service}",
                      spec.tags)

    def policy(image_ref: str) -> str:
        return iam.to_json(execution_role_policy(
            repository_arns=[repository_arn_of_image(image_ref)], region=account.region, account_id=account.id,
            log_group=spec.log_group, secret_arns=sorted(spec.secrets.values())))

    aws.iam.RolePolicy(f"{name}-execution-policy", role=execution.name, name="execution",
                       policy=pulumi.Output.from_input(image).apply(policy), opts=account.opts(parent))
    task = _role(parent, account, f"{name}-task-role", spec.role_name("task"),
                 service_trust("ecs-tasks.amazonaws.com", source_account=account.id,
                               source_arn_like=f"arn:aws:ecs:{account.region}:{account.id}:*"),
                 f"Application role of {spec.service}", spec.tags)
    return execution, task


def create_managed_service_role(parent, account: Account, spec: RoleSpec, name: str, *, suffix: str,
                                service: str, policy_arn: str, description: str):
    role = _role(parent, account, f"{name}-{suffix}-role", spec.role_name(suffix), service_trust(service),
                 description, spec.tags)
    attachment = aws.iam.RolePolicyAttachment(f"{name}-{suffix}-policy", role=role.name,
                                              policy_arn=policy_arn, opts=account.opts(parent))
    return role, attachment


def create_codedeploy_role(parent, account: Account, spec: RoleSpec, name: str):
    return create_managed_service_role(parent, account, spec, name, suffix="codedeploy",
                                       service="codedeploy.amazonaws.com", policy_arn=CODEDEPLOY_FOR_ECS,
                                       description=f"CodeDeploy blue/green of {spec.service}")


def create_infrastructure_role(parent, account: Account, spec: RoleSpec, name: str):
    return create_managed_service_role(parent, account, spec, name, suffix="ecs-infra",
                                       service="ecs.amazonaws.com",
                                       policy_arn=ECS_INFRASTRUCTURE_FOR_LOAD_BALANCERS,
                                       description=f"ECS traffic shifting of {spec.service}")
