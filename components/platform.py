"""Platform: the three accounts, the shared tooling pieces and, per service, registry + targets + pipeline.

Creation order follows what AWS validates: pipeline roles exist before the deploy roles that trust them,
deploy roles before the key/bucket policies that name them, workloads before the build that renders their
task definition template.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi

from components.account import TYPE_PREFIX, Account, AccountArgs
from components.artifact_store import ArtifactStore, ArtifactStoreArgs
from components.config import EcsServiceConfig, LoadedConfig
from components.container_registry import ContainerRegistry, ContainerRegistryArgs
from components.documents import iam
from components.notifications import Notifications, NotificationsArgs
from components.pipeline_role import PipelineRole, PipelineRoleArgs
from components.service_delivery import ENVIRONMENTS, Shared, create_delivery, create_workload

ROLES = ("tooling", "staging", "prod")


@dataclass(frozen=True)
class PlatformArgs:
    config: LoadedConfig


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


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, args: PlatformArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:Platform", name, None, opts)
        cfg = args.config.platform
        child = pulumi.ResourceOptions(parent=self)
        self.accounts = {role: Account(role, AccountArgs(
            role=role, account_id=getattr(cfg.accounts, role).id, region=getattr(cfg.accounts, role).region,
            bootstrap_role=getattr(cfg.accounts, role).bootstrap_role,
            external_id=args.config.external_id if getattr(cfg.accounts, role).use_external_id else None),
            child) for role in ROLES}
        tooling = self.accounts["tooling"]
        notifications = Notifications("notifications", NotificationsArgs(
            account=tooling, prefix=cfg.prefix, emails=list(cfg.notifications.emails),
            admin_role_arn=tooling.role_arn, protect=cfg.protect), child)
        store = ArtifactStore("artifacts", ArtifactStoreArgs(account=tooling, prefix=cfg.prefix, protect=cfg.protect,
                                                            admin_role_arn=tooling.role_arn), child)
        pipeline_roles = {s.name: PipelineRole(f"{s.name}-pipeline-role", PipelineRoleArgs(tooling, cfg.prefix, s.name),
                                               child) for s in cfg.services}
        deploy_roles = self._deploy_roles(cfg, store, [r.arn for r in pipeline_roles.values()])
        shared = Shared(config=cfg, parent=self, accounts=self.accounts, bucket_name=store.bucket_name,
                        bucket_arn=store.bucket_arn, key_arn=store.key_arn,
                        deploy_role_arns={env: role.arn for env, role in deploy_roles.items()},
                        topic_arn=notifications.topic_arn, topic_key_arn=notifications.key_arn)
        self.pipelines: dict[str, Any] = {}
        self.repositories: dict[str, pulumi.Output[str]] = {}
        self.listeners: dict[str, dict[str, pulumi.Output[str]]] = {}
        build_role_arns: list[pulumi.Output[str]] = []
        for service in cfg.services:
            builds_image = isinstance(service, EcsServiceConfig) or bool(service.image)
            registry = ContainerRegistry(f"{service.name}-registry", ContainerRegistryArgs(
                account=tooling, prefix=cfg.prefix, service=service.name, protect=cfg.protect,
                untagged_days=cfg.retention.untagged_image_days, keep_last=cfg.retention.images_to_keep,
                max_age_days=cfg.retention.max_image_age_days), child) if builds_image else None
            targets = {env: create_workload(shared, service, env, registry) for env in ENVIRONMENTS}
            if registry is not None and isinstance(service, EcsServiceConfig):
                registry.grant_pull([t.task_execution_role_arn for t in targets.values()])
                self.repositories[service.name] = registry.repository_url
                self.listeners[service.name] = {
                    f"{env}_{kind}": getattr(t, f"{kind}_listener_url")
                    for env, t in targets.items() for kind in ("prod", "test")}
            pipeline, builds = create_delivery(shared, service, registry, targets, pipeline_roles[service.name])
            build_role_arns += [b.role_arn for b in builds]
            self.pipelines[service.name] = pipeline
        store.grant_access([r.arn for r in pipeline_roles.values()] + build_role_arns,
                           [role.arn for role in deploy_roles.values()])
        notifications.allow_publishers([r.arn for r in pipeline_roles.values()])
        self.deploy_role_arns = shared.deploy_role_arns
        self.github_role_arns = self._github_deployers(cfg)
        self.register_outputs({"deploy_role_arns": self.deploy_role_arns, "github_role_arns": self.github_role_arns})

    def _deploy_roles(self, cfg, store: ArtifactStore, trusted: list) -> dict[str, Any]:
        from components.deploy_role import CrossAccountDeployRole, CrossAccountDeployRoleArgs
        return {env: CrossAccountDeployRole(f"{env}-deploy", CrossAccountDeployRoleArgs(
            account=self.accounts[env], environment=env, prefix=cfg.prefix, trusted_role_arns=trusted,
            artifact_bucket_arn=store.bucket_arn, artifact_key_arn=store.key_arn),
            pulumi.ResourceOptions(parent=self)) for env in ENVIRONMENTS}

    def _github_deployers(self, cfg) -> dict[str, pulumi.Output[str]]:
        from components.github_oidc import GitHubActionsDeployer, GitHubActionsDeployerArgs
        gha, roles, providers = cfg.github_actions, {}, {}
        subjects = {"staging": f"ref:refs/heads/{gha.staging_branch}",
                    "prod": f"environment:{gha.production_environment}"}
        for env in ENVIRONMENTS:
            account = self.accounts[env]
            deployer = GitHubActionsDeployer(f"{env}-github", GitHubActionsDeployerArgs(
                account=account, environment=env, prefix=cfg.prefix, repository=gha.repository,
                subject=subjects[env], oidc_provider_arn=providers.get(account.id),
                policy_statements=github_statements(account, cfg.prefix, env)), pulumi.ResourceOptions(parent=self))
            # One OIDC provider per account id: in dev both environments share one account.
            providers.setdefault(account.id, deployer.oidc_provider_arn)
            roles[env] = deployer.role_arn
        return roles
