"""PipelineRole: a service pipeline's IAM role, created before the deploy roles that must trust it (IAM rejects
trust policies naming roles that do not exist yet); DeliveryPipeline attaches its permissions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.documents import iam
from components.documents.service_trust import service_trust
from components.workload_names import physical_name


@dataclass(frozen=True)
class PipelineRoleArgs:
    account: Account                  # tooling
    prefix: str
    service: str


class PipelineRole(pulumi.ComponentResource):
    def __init__(self, name: str, args: PipelineRoleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:PipelineRole", name, None, opts)
        role = aws.iam.Role(
            f"{name}-role", name=physical_name(args.prefix, "tooling", args.service, "pipeline"),
            assume_role_policy=iam.to_json(service_trust("codepipeline.amazonaws.com",
                                                         source_account=args.account.id)),
            tags={"service": args.service}, opts=args.account.opts(self))
        self.arn = role.arn
        self.name = role.name
        self.register_outputs({"arn": self.arn, "name": self.name})
