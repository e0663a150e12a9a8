"""ContainerRegistry: one ECR repository per service in tooling, with a lifecycle that lets nothing live forever."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import ecr_repository_arn, ecr_repository_url
from components.documents import iam, lifecycle


@dataclass(frozen=True)
class ContainerRegistryArgs:
    account: Account                  # tooling
    prefix: str
    service: str
    protect: bool
    untagged_days: int
    keep_last: int
    max_age_days: int


PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
LAMBDA_PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


@dataclass(frozen=True)
class LambdaPull:
    """Image functions in the workload accounts: the Lambda service fetches the image on their behalf."""
    function_arns: Sequence[str]
    caller_role_arns: Sequence[str]       # roles that create/update the functions (bootstrap, deploy roles)


def pull_policy(role_arns: Sequence[str], lambda_pull: Optional[LambdaPull] = None) -> dict:
    statements = []
    if role_arns:
        statements.append({**iam.statement("WorkloadExecutionRolesPull", list(PULL_ACTIONS), "*"),
                           "Principal": {"AWS": sorted(set(role_arns))}})
    if lambda_pull is not None:
        accounts = sorted({arn.split(":")[4] for arn in lambda_pull.function_arns})
        statements.append({**iam.statement("FunctionDeployersPull", list(LAMBDA_PULL_ACTIONS), "*"),
                           "Principal": {"AWS": sorted(set(lambda_pull.caller_role_arns))}})
        # Scoped to the platform's own functions: a confused deputy in another account cannot use the grant.
        statements.append({**iam.statement("LambdaServicePull", list(LAMBDA_PULL_ACTIONS), "*", conditions={
            "StringEquals": {"aws:sourceAccount": accounts},
            "ArnLike": {"aws:sourceArn": sorted(set(lambda_pull.function_arns))}}),
            "Principal": {"Service": "lambda.amazonaws.com"}})
    if not statements:
        raise ValueError("a pull policy needs execution role ARNs or image functions")
    return iam.document(statements)


class ContainerRegistry(pulumi.ComponentResource):
    def __init__(self, name: str, args: ContainerRegistryArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:ContainerRegistry", name, None, opts)
        self.resource_name, self.account = name, args.account
        policy = lifecycle.lifecycle_policy(untagged_days=args.untagged_days, keep_last=args.keep_last,
                                            max_age_days=args.max_age_days)
        self.repository = aws.ecr.Repository(
            f"{name}-repository", name=f"{args.prefix}/{args.service}", image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            # AWS-managed KMS key: a customer key would need a grant per workload account to pull.
            encryption_configurations=[{"encryption_type": "KMS"}],
            force_delete=not args.protect, tags={"service": args.service},
            opts=args.account.opts(self, protect=args.protect, retain_on_delete=args.protect))
        aws.ecr.LifecyclePolicy(f"{name}-lifecycle", repository=self.repository.name,
                                policy=lifecycle.to_json(policy), opts=args.account.opts(self))
        # Known in a preview (the name is explicit), so task definitions and build variables are checkable.
        repository_name = f"{args.prefix}/{args.service}"
        self.repository_url = ecr_repository_url(args.account.id, args.account.region, repository_name)
        self.repository_arn = ecr_repository_arn(args.account.id, args.account.region, repository_name)
        self.repository_name = repository_name
        self.register_outputs({"repository_url": self.repository_url, "repository_arn": self.repository_arn})


@dataclass(frozen=True)
class RegistryPullArgs:
    registry: ContainerRegistry
    role_arns: Sequence[pulumi.Input[str]]           # the staging/prod task execution roles (only)
    roles: Sequence[pulumi.Resource] = ()            # the resources behind the ARNs
    lambda_pull: Optional[LambdaPull] = None         # image functions: the workload accounts' Lambda service


class RegistryPull(pulumi.ComponentResource):
    """The repository policy that lets the workloads pull. ECR rejects a policy naming a missing principal, so
    it follows the roles; a component of its own because the registry is complete before they exist."""

    def __init__(self, name: str, args: RegistryPullArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:RegistryPull", name, None, opts)
        registry = args.registry
        policy = pulumi.Output.all(*args.role_arns).apply(
            lambda arns: iam.to_json(pull_policy(arns, args.lambda_pull)))
        # It was the registry's child: the alias keeps it in place (a replacement deletes the old policy
        # after writing the new one, leaving the repository with none).
        self.policy = aws.ecr.RepositoryPolicy(
            f"{registry.resource_name}-pull", repository=registry.repository.name, policy=policy,
            opts=registry.account.opts(self, depends_on=list(args.roles), aliases=[pulumi.Alias(parent=registry)]))
        self.register_outputs({})
