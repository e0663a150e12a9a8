"""One AWS account of the platform and the explicit provider that targets it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components import arns

TYPE_PREFIX = "aws-cicd-platform:components"
PLATFORM_SERVICE = "platform"


def default_tags(role: str, owner: str) -> dict[str, str]:
    """Tags on everything in the account; a resource of one service overrides `service` with its name."""
    return {"owner": owner, "environment": role, "service": PLATFORM_SERVICE}


@dataclass(frozen=True)
class AccountArgs:
    role: str                    # "tooling" | "staging" | "prod"
    account_id: str              # 12 digits
    region: str
    bootstrap_role: str          # role name assumed in the account
    session_name: str = "aws-cicd-platform"
    external_id: Optional[pulumi.Input[str]] = None     # sts:ExternalId, a secret Output
    tags: Mapping[str, str] = field(default_factory=dict)   # default tags of every resource (see default_tags)
    provider_aliases: Sequence[pulumi.Alias] = ()           # URNs the provider had before (e.g. in another stack)


class Account(pulumi.ComponentResource):
    """An account of the platform; every resource in it is created with `self.provider`."""

    def __init__(self, name: str, args: AccountArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:Account", name, None, opts)
        self.role = args.role
        self.id = args.account_id
        self.region = args.region
        self.role_arn = arns.role_arn(args.account_id, args.bootstrap_role)
        assume = aws.ProviderAssumeRoleArgs(role_arn=self.role_arn, session_name=args.session_name,
                                            external_id=args.external_id)
        self.provider = aws.Provider(
            f"{name}-provider",
            region=args.region,
            assume_roles=[assume],
            # Refuses to act if the credentials resolve to any other account.
            allowed_account_ids=[args.account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=dict(args.tags)),
            opts=pulumi.ResourceOptions(parent=self, aliases=list(args.provider_aliases)))
        self.register_outputs({"id": self.id, "region": self.region})

    def opts(self, parent: pulumi.Resource, **kwargs) -> pulumi.ResourceOptions:
        """Options for a child of `parent` that lives in this account."""
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, **kwargs)
