"""PipelineRole: a service pipeline's IAM role, created before the deploy roles that must trust it (IAM rejects
trust policies naming roles that do not exist yet); DeliveryPipeline attaches its permissions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.arns import role_arn
from components.account import TYPE_PREFIX, Account
from components.documents import iam
from components.documents.service_trust import service_trust
from components.workload_names import physical_name


@dataclass(frozen=True)
class PipelineRoleArgs:
    account: Account                  # tooling
    prefix: str
    service: str


def pipeline_role_name(prefix: str, service: str) -> str:
    return physical_name(prefix, "tooling", service, "pipeline")


@dataclass(frozen=True)
class PipelineRoleRef:
    """A pipeline role another stack created (a service stack's, made by its foundation): ARN and name follow
    from config."""
    arn: str
    name: str
    role: Optional[pulumi.Resource] = None

    @classmethod
    def of(cls, account: Account, prefix: str, service: str) -> "PipelineRoleRef":
        name = pipeline_role_name(prefix, service)
        return cls(arn=role_arn(account.id, name), name=name)


class PipelineRole(pulumi.ComponentResource):
    def __init__(self, name: str, args: PipelineRoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:PipelineRole", name, None, opts)
        role_name = pipeline_role_name(args.prefix, args.service)
        self.role = aws.iam.Role(
            f"{name}-role", name=role_name,
            assume_role_policy=iam.to_json(service_trust("codepipeline.amazonaws.com",
                                                         source_account=args.account.id)),
            tags={"service": args.service}, opts=args.account.opts(self))
        # Plain strings, known in a preview; a consumer that needs the role to exist depends on `self.role`.
        self.arn = role_arn(args.account.id, role_name)
        self.name = role_name
        self.register_outputs({"arn": self.arn, "name": self.name})
