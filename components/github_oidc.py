"""GitHubActionsDeployer: the account's GitHub OIDC provider and a role one repository's workflows assume."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import oidc_provider_arn, role_arn
from components.documents import iam
from components.documents.oidc_trust import (AUDIENCE, GITHUB_OIDC_URL, check_repository, check_subject,
                                             github_trust)
from components.workload_checks import check_common
from components.workload_names import physical_name


@dataclass(frozen=True)
class GitHubActionsDeployerArgs:
    account: Account
    environment: str
    prefix: str
    repository: str                                   # "org/repo"
    subject: str                                      # "environment:production" or "ref:refs/heads/main"
    oidc_provider_arn: Optional[pulumi.Input[str]] = None   # reuse the account's provider when given
    policy_statements: Sequence[Mapping[str, Any]] = ()     # what the role may do (least privilege)
    tags: Mapping[str, str] = field(default_factory=dict)   # e.g. owner; merged over environment/service
    # The shared provider when oidc_provider_arn is a plain string: the trust must not name it before it exists.
    oidc_provider: Optional[pulumi.Resource] = None


def github_role_name(prefix: str, environment: str, repository: str) -> str:
    repo = re.sub(r"[^a-z0-9-]+", "-", repository.split("/")[-1].lower()).strip("-")
    return physical_name(prefix, environment, "github", repo)


def check_policy_statements(statements: Sequence[Mapping[str, Any]]) -> None:
    for i, s in enumerate(statements):
        actions = s.get("Action")
        actions = [actions] if isinstance(actions, str) else list(actions or [])
        if not actions or "Resource" not in s or s.get("Effect") not in ("Allow", "Deny"):
            raise ValueError(f"policy_statements[{i}] needs Effect, Action and Resource, got {dict(s)}")
        if any(a == "*" or a.endswith(":*") for a in actions):
            raise ValueError(f"policy_statements[{i}] grants a wildcard action {actions}; name the actions")


def validate(args: GitHubActionsDeployerArgs) -> None:
    check_common(args.environment, args.prefix)
    check_repository(args.repository)
    check_subject(args.subject, args.environment)
    check_policy_statements(args.policy_statements)


class GitHubActionsDeployer(pulumi.ComponentResource):
    def __init__(self, name: str, args: GitHubActionsDeployerArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        validate(args)
        super().__init__(f"{TYPE_PREFIX}:GitHubActionsDeployer", name, None, opts)
        account = args.account
        tags = {"environment": args.environment, "service": "platform", **args.tags}
        provider_arn, provider = args.oidc_provider_arn, args.oidc_provider
        if provider_arn is None:
            # One provider per account and URL: the Platform passes it to the account's other deployers.
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github-oidc", url=GITHUB_OIDC_URL, client_id_lists=[AUDIENCE],
                tags=tags, opts=account.opts(self))
            # IAM names the provider after its URL: known in a preview, ordered by depends_on below.
            provider_arn = oidc_provider_arn(account.id, GITHUB_OIDC_URL)
        trust = pulumi.Output.from_input(provider_arn).apply(
            lambda arn: iam.to_json(github_trust(arn, args.repository, args.subject, args.environment)))
        role_name = github_role_name(args.prefix, args.environment, args.repository)
        role = aws.iam.Role(
            f"{name}-role", name=role_name,
            assume_role_policy=trust, max_session_duration=3600, tags=tags,
            description=f"GitHub Actions of {args.repository} ({args.subject})",
            opts=account.opts(self, depends_on=[provider] if provider is not None else []))
        if args.policy_statements:
            aws.iam.RolePolicy(f"{name}-policy", role=role.name, name="deploy",
                               policy=iam.to_json(iam.document(list(args.policy_statements))),
                               opts=account.opts(self))
        self.role_arn: str = role_arn(account.id, role_name)
        self.oidc_provider = provider
        self.oidc_provider_arn: pulumi.Output[str] = pulumi.Output.from_input(provider_arn)
        self.register_outputs({"role_arn": self.role_arn, "oidc_provider_arn": self.oidc_provider_arn})
