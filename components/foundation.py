"""The platform's shared pieces, created under the Platform in a monolith and in a foundation stack alike (same
URNs in both, so a monolith becomes a foundation without moving them): notifications, the artifact store, a
pipeline role per service, the workload accounts' deploy roles, the grants once the tooling roles exist, and
the GitHub Actions deployers.

Creation order follows what AWS validates: pipeline roles exist before the deploy roles that trust them,
deploy roles before the key/bucket policies that name them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pulumi

from components.account import Account
from components.artifact_store import ArtifactAccess, ArtifactAccessArgs, ArtifactStore, ArtifactStoreArgs
from components.arns import ecr_repository_arn, role_arn
from components.build_project import PURPOSES, build_role_name
from components.config import PlatformConfig
from components.deploy_role import CrossAccountDeployRole, CrossAccountDeployRoleArgs
from components.documents import iam
from components.github_oidc import GitHubActionsDeployer, GitHubActionsDeployerArgs
from components.notifications import (NotificationPublishers, NotificationPublishersArgs, Notifications,
                                      NotificationsArgs)
from components.pipeline_role import PipelineRole, PipelineRoleArgs
from components.service_delivery import ENVIRONMENTS, Shared


@dataclass
class Foundation:
    notifications: Notifications
    store: ArtifactStore
    pipeline_roles: dict[str, PipelineRole]           # service -> its pipeline's role
    deploy_roles: dict[str, CrossAccountDeployRole]   # environment -> its deploy role
    shared: Shared


def github_statements(account: Account, prefix: str, environment: str) -> list[dict[str, Any]]:
    """What a GitHub Actions workflow may do in one environment: roll its services forward."""
    p, region, acct = f"{prefix}-{environment}-", account.region, account.id
    return [
        iam.statement("UpdateEcsServices", ["ecs:DescribeServices", "ecs:UpdateService"],
                      f"arn:aws:ecs:{region}:{acct}:service/{p}*/{p}*"),
        iam.statement("PublishLambdaVersions", ["lambda:GetAlias", "lambda:PublishVersion",
                                                "lambda:UpdateFunctionCode"],
                      [f"arn:aws:lambda:{region}:{acct}:function:{p}*", f"arn:aws:lambda:{region}:{acct}:function:{p}*:*"]),
        iam.statement("RunCodeDeploy", ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
                      f"arn:aws:codedeploy:{region}:{acct}:deploymentgroup:{p}*/{p}*"),
    ]


def create_foundation(parent: pulumi.Resource, cfg: PlatformConfig, stack: str, accounts: dict[str, Account],
                      services: Sequence[str], image_functions: Sequence[str] = ()) -> Foundation:
    """`services`: whose pipelines the foundation's roles serve (the monolith's own, or its service stacks');
    `image_functions`: the Lambda services deployed from an ECR image (their deploy roles pull it)."""
    child = pulumi.ResourceOptions(parent=parent)
    tooling = accounts["tooling"]
    notifications = Notifications("notifications", NotificationsArgs(
        account=tooling, prefix=cfg.prefix, emails=list(cfg.notifications.emails),
        admin_role_arn=tooling.role_arn, protect=cfg.protect), child)
    store = ArtifactStore("artifacts", ArtifactStoreArgs(account=tooling, prefix=cfg.prefix, protect=cfg.protect,
                                                        admin_role_arn=tooling.role_arn), child)
    pipeline_roles = {s: PipelineRole(f"{s}-pipeline-role", PipelineRoleArgs(tooling, cfg.prefix, s), child)
                      for s in services}
    image_repositories = [ecr_repository_arn(tooling.id, tooling.region, f"{cfg.prefix}/{s}") for s in image_functions]
    deploy_roles = {env: CrossAccountDeployRole(f"{env}-deploy", CrossAccountDeployRoleArgs(
        account=accounts[env], environment=env, prefix=cfg.prefix,
        trusted_role_arns=[r.arn for r in pipeline_roles.values()],
        trusted_roles=[r.role for r in pipeline_roles.values()],
        artifact_bucket_arn=store.bucket_arn, artifact_key_arn=store.key_arn,
        function_image_repository_arns=image_repositories), child) for env in ENVIRONMENTS}
    shared = Shared(config=cfg, stack=stack, parent=parent, accounts=accounts,
                    bucket_name=store.bucket_name, bucket_arn=store.bucket_arn, key_arn=store.key_arn,
                    deploy_role_arns={env: role.arn for env, role in deploy_roles.items()},
                    topic_arn=notifications.topic_arn, topic_key_arn=notifications.key_arn,
                    ready=[store.bucket, notifications.topic_policy, *(r.role for r in deploy_roles.values())])
    return Foundation(notifications, store, pipeline_roles, deploy_roles, shared)


def service_stack_build_roles(cfg: PlatformConfig) -> list[str]:
    """The build roles the foundation's service stacks may create (each service's image or package build and
    its integration tests), by the names BuildProject gives them."""
    tooling = cfg.accounts.tooling
    return [role_arn(tooling.id, build_role_name(cfg.prefix, service, purpose))
            for service in sorted(cfg.service_stacks) for purpose in PURPOSES]


def grant_access(parent: pulumi.Resource, foundation: Foundation, build_roles: Sequence[Any],
                 later_build_role_arns: Sequence[str] = ()) -> None:
    """Key and bucket policies naming the pipeline, build and deploy roles, once those exist; the notification
    key's policy naming the pipeline roles that publish approvals. `later_build_role_arns`: build roles of
    other stacks, which may not exist yet."""
    child = pulumi.ResourceOptions(parent=parent)
    pipeline_roles, deploy_roles = list(foundation.pipeline_roles.values()), list(foundation.deploy_roles.values())
    ArtifactAccess("artifacts-access", ArtifactAccessArgs(
        store=foundation.store,
        tooling_role_arns=[r.arn for r in pipeline_roles] + [b.role_arn for b in build_roles],
        deploy_role_arns=[role.arn for role in deploy_roles],
        roles=[r.role for r in pipeline_roles] + [b.role for b in build_roles] + [r.role for r in deploy_roles],
        later_tooling_role_arns=list(later_build_role_arns)), child)
    NotificationPublishers("notifications-publishers", NotificationPublishersArgs(
        notifications=foundation.notifications, role_arns=[r.arn for r in pipeline_roles],
        roles=[r.role for r in pipeline_roles]), child)


def github_deployers(parent: pulumi.Resource, cfg: PlatformConfig, accounts: dict[str, Account]) -> dict[str, str]:
    gha, roles, providers = cfg.github_actions, {}, {}
    subjects = {"staging": f"ref:refs/heads/{gha.staging_branch}",
                "prod": f"environment:{gha.production_environment}"}
    for env in ENVIRONMENTS:
        account = accounts[env]
        shared_arn, shared_provider = providers.get(account.id, (None, None))
        deployer = GitHubActionsDeployer(f"{env}-github", GitHubActionsDeployerArgs(
            account=account, environment=env, prefix=cfg.prefix, repository=gha.repository,
            subject=subjects[env], oidc_provider_arn=shared_arn, oidc_provider=shared_provider,
            policy_statements=github_statements(account, cfg.prefix, env)), pulumi.ResourceOptions(parent=parent))
        # One OIDC provider per account id: in dev both environments share one account.
        providers.setdefault(account.id, (deployer.oidc_provider_arn, deployer.oidc_provider))
        roles[env] = deployer.role_arn
    return roles
