"""LambdaInvokeRole: a role in the function's account that named tooling roles (the integration-test build)
assume to invoke one function through its alias, and nothing else."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import role_arn
from components.documents import iam
from components.documents.deploy_policies import check_trusted_role_arn
from components.documents.lambda_roles import invoke_alias_policy
from components.workload_names import physical_name


def invoke_role_name(prefix: str, environment: str, service: str) -> str:
    """Deterministic, so the test build can name the role before the role exists."""
    return physical_name(prefix, environment, service, "invoke")


@dataclass(frozen=True)
class LambdaInvokeRoleArgs:
    account: Account                              # the function's account
    prefix: str
    environment: str
    service: str
    function_name: str
    alias_name: str
    principal_arns: Sequence[str]                 # tooling roles that may assume it; never :root or *
    principals: Sequence[pulumi.Resource] = ()    # their resources: IAM rejects a trust naming a missing role
    alias: Optional[pulumi.Resource] = None       # the alias it invokes
    tags: Mapping[str, str] = field(default_factory=dict)
    # Where the role and its policy were registered before this component existed (LambdaCanaryService):
    # aliasing them keeps their URNs, so an update does not create a second role of the same name.
    previous_parent: Optional[pulumi.Resource] = None


class LambdaInvokeRole(pulumi.ComponentResource):
    def __init__(self, name: str, args: LambdaInvokeRoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.principal_arns:
            raise ValueError("an invoke role needs at least one trusted role ARN")
        for arn in args.principal_arns:
            check_trusted_role_arn(arn)
        super().__init__(f"{TYPE_PREFIX}:LambdaInvokeRole", name, None, opts)
        account = args.account
        role_name = invoke_role_name(args.prefix, args.environment, args.service)
        aliases = [pulumi.Alias(parent=args.previous_parent)] if args.previous_parent is not None else []
        trust = iam.document([iam.trust_statement("IntegrationTests", {"AWS": list(args.principal_arns)})])
        role = aws.iam.Role(
            f"{name}-role", name=role_name, tags=dict(args.tags), max_session_duration=3600,
            assume_role_policy=iam.to_json(trust),
            description=f"Integration tests invoke {args.function_name}:{args.alias_name}",
            opts=account.opts(self, depends_on=list(args.principals), aliases=aliases))
        policy = invoke_alias_policy(region=account.region, account_id=account.id,
                                     function_name=args.function_name, alias=args.alias_name)
        aws.iam.RolePolicy(f"{name}-policy", role=role.name, name="invoke", policy=iam.to_json(policy),
                           opts=account.opts(self, depends_on=[args.alias] if args.alias else [], aliases=aliases))
        self.role = role
        self.arn: str = role_arn(account.id, role_name)    # known in a preview; depend on `self.role`
        self.register_outputs({"arn": self.arn})
