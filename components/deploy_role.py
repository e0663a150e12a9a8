"""CrossAccountDeployRole: the role in a workload account that the tooling pipeline assumes to deploy."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import role_arn
from components.documents import iam
from components.documents.deploy_policies import (DeployScope, check_trusted_role_arn, deploy_role_policy,
                                                  deploy_role_trust)
from components.workload_checks import check_common
from components.workload_names import ROLE_NAME_LIMIT


@dataclass(frozen=True)
class CrossAccountDeployRoleArgs:
    account: Account                           # staging or prod
    environment: str                           # "staging" | "prod"
    prefix: str
    trusted_role_arns: Sequence[pulumi.Input[str]]   # tooling pipeline role (+ build role); never :root
    artifact_bucket_arn: pulumi.Input[str]
    artifact_key_arn: pulumi.Input[str]        # KMS key ARN in tooling, never an alias
    tags: Mapping[str, str] = field(default_factory=dict)   # e.g. owner; merged over environment/service
    # The roles the trust names, when passed as plain ARN strings: IAM rejects a trust naming a missing role.
    trusted_roles: Sequence[pulumi.Resource] = ()
    function_image_repository_arns: Sequence[str] = ()      # ECR repositories of image Lambda functions


def deploy_role_name(prefix: str, environment: str) -> str:
    return f"{prefix}-{environment}-deploy"


def deploy_role_arn(account_id: str, prefix: str, environment: str) -> str:
    """Known before the role exists, so the tooling key and bucket policies can name it."""
    return role_arn(account_id, deploy_role_name(prefix, environment))


def validate(args: CrossAccountDeployRoleArgs) -> None:
    check_common(args.environment, args.prefix)
    if len(deploy_role_name(args.prefix, args.environment)) > ROLE_NAME_LIMIT:
        raise ValueError(f"role name {deploy_role_name(args.prefix, args.environment)!r} exceeds "
                         f"{ROLE_NAME_LIMIT} characters")
    if not args.trusted_role_arns:
        raise ValueError("a deploy role needs at least one trusted tooling role ARN")
    for arn in args.trusted_role_arns:
        if isinstance(arn, str):
            check_trusted_role_arn(arn)


class CrossAccountDeployRole(pulumi.ComponentResource):
    def __init__(self, name: str, args: CrossAccountDeployRoleArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate(args)
        super().__init__(f"{TYPE_PREFIX}:CrossAccountDeployRole", name, None, opts)
        account = args.account
        scope = DeployScope(account.id, account.region, args.prefix, args.environment)
        trust = pulumi.Output.all(*args.trusted_role_arns).apply(
            lambda arns: iam.to_json(deploy_role_trust(arns)))
        role = aws.iam.Role(
            f"{name}-role", name=deploy_role_name(args.prefix, args.environment), assume_role_policy=trust,
            description=f"Deploys {args.environment} workloads for the tooling pipelines",
            max_session_duration=3600,
            tags={"environment": args.environment, "service": "platform", **args.tags},
            opts=account.opts(self, depends_on=list(args.trusted_roles)))
        policy = pulumi.Output.all(args.artifact_bucket_arn, args.artifact_key_arn).apply(
            lambda values: iam.to_json(deploy_role_policy(scope, *values, args.function_image_repository_arns)))
        aws.iam.RolePolicy(f"{name}-policy", role=role.name, name="deploy", policy=policy,
                           opts=account.opts(self))
        self.role = role
        # Known before the role exists (a preview can check what names it); depend on `self.role` for ordering.
        self.arn: str = deploy_role_arn(account.id, args.prefix, args.environment)
        self.name: str = deploy_role_name(args.prefix, args.environment)
        self.register_outputs({"arn": self.arn, "name": self.name})
