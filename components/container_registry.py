"""ContainerRegistry: one ECR repository per service in tooling, with a lifecycle that lets nothing live forever."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
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


def pull_policy(role_arns: Sequence[str]) -> dict:
    return iam.document([{**iam.statement("WorkloadExecutionRolesPull",
                                          ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                           "ecr:GetDownloadUrlForLayer"], "*"),
                          "Principal": {"AWS": sorted(set(role_arns))}}])


class ContainerRegistry(pulumi.ComponentResource):
    def __init__(self, name: str, args: ContainerRegistryArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:ContainerRegistry", name, None, opts)
        self._account = args.account
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
        self.repository_url = self.repository.repository_url
        self.repository_arn = self.repository.arn
        self.repository_name = self.repository.name
        self.register_outputs({"repository_url": self.repository_url, "repository_arn": self.repository_arn})

    def grant_pull(self, role_arns: Sequence[pulumi.Input[str]]) -> aws.ecr.RepositoryPolicy:
        """Let the staging/prod task execution roles (only) pull."""
        policy = pulumi.Output.all(*role_arns).apply(lambda arns: iam.to_json(pull_policy(arns)))
        return aws.ecr.RepositoryPolicy(f"{self._name}-pull", repository=self.repository.name, policy=policy,
                                        opts=self._account.opts(self))
