"""Platform: the three accounts, the shared tooling pieces and, per service, registry + targets + pipeline.

Creation order follows what AWS validates: pipeline roles exist before the deploy roles that trust them,
deploy roles before the key/bucket policies that name them, workloads before the build that renders their
task definition template.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi

from components.account import TYPE_PREFIX, Account, AccountArgs, default_tags
from components.artifact_store import ArtifactAccess, ArtifactAccessArgs, ArtifactStore, ArtifactStoreArgs
from components.arns import ecr_repository_arn
from components.config import EcsServiceConfig, LambdaServiceConfig, LoadedConfig
from components.container_registry import (ContainerRegistry, ContainerRegistryArgs, LambdaPull, RegistryPull,
                                           RegistryPullArgs)
from components.documents import iam
from components.notifications import (NotificationPublishers, NotificationPublishersArgs, Notifications,
                                      NotificationsArgs)
from components.pipeline_role import PipelineRole, PipelineRoleArgs
from components.service_delivery import ENVIRONMENTS, Shared, create_delivery, create_workload, function_arn

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
            external_id=args.config.external_ids.get(role),
            tags=default_tags(role, cfg.owner)), child) for role in ROLES}
        tooling = self.accounts["tooling"]
        notifications = Notifications("notifications", NotificationsArgs(
            account=tooling, prefix=cfg.prefix, emails=list(cfg.notifications.emails),
            admin_role_arn=tooling.role_arn, protect=cfg.protect), child)
        store = ArtifactStore("artifacts", ArtifactStoreArgs(account=tooling, prefix=cfg.prefix, protect=cfg.protect,
                                                            admin_role_arn=tooling.role_arn), child)
        pipeline_roles = {s.name: PipelineRole(f"{s.name}-pipeline-role", PipelineRoleArgs(tooling, cfg.prefix, s.name),
                                               child) for s in cfg.services}
        deploy_roles = self._deploy_roles(cfg, store, list(pipeline_roles.values()))
        shared = Shared(config=cfg, stack=args.config.stack, parent=self, accounts=self.accounts,
                        bucket_name=store.bucket_name, bucket_arn=store.bucket_arn, key_arn=store.key_arn,
                        deploy_role_arns={env: role.arn for env, role in deploy_roles.items()},
                        topic_arn=notifications.topic_arn, topic_key_arn=notifications.key_arn,
                        ready=[store.bucket, notifications.topic_policy, *(r.role for r in deploy_roles.values())])
        self.pipelines: dict[str, Any] = {}
        self.repositories: dict[str, str] = {}
        self.listeners: dict[str, dict[str, pulumi.Output[str]]] = {}
        builds: list[Any] = []
        for service in cfg.services:
            pipeline, service_builds = self._service(shared, service, pipeline_roles[service.name], child)
            builds += service_builds
            self.pipelines[service.name] = pipeline
        tooling_roles = [r.role for r in pipeline_roles.values()] + [b.role for b in builds]
        ArtifactAccess("artifacts-access", ArtifactAccessArgs(
            store=store, tooling_role_arns=[r.arn for r in pipeline_roles.values()] + [b.role_arn for b in builds],
            deploy_role_arns=[role.arn for role in deploy_roles.values()],
            roles=tooling_roles + [role.role for role in deploy_roles.values()]), child)
        NotificationPublishers("notifications-publishers", NotificationPublishersArgs(
            notifications=notifications, role_arns=[r.arn for r in pipeline_roles.values()],
            roles=[r.role for r in pipeline_roles.values()]), child)
        self.deploy_role_arns = shared.deploy_role_arns
        self.github_role_arns = self._github_deployers(cfg)
        self.register_outputs({"deploy_role_arns": self.deploy_role_arns, "github_role_arns": self.github_role_arns})

    def _service(self, shared: Shared, service: Any, pipeline_role: PipelineRole,
                 child: pulumi.ResourceOptions) -> tuple[Any, list]:
        """Registry (image services), staging + prod targets, pull grants and the delivery pipeline."""
        cfg, tooling = shared.config, self.accounts["tooling"]
        builds_image = isinstance(service, EcsServiceConfig) or bool(service.image)
        registry = ContainerRegistry(f"{service.name}-registry", ContainerRegistryArgs(
            account=tooling, prefix=cfg.prefix, service=service.name, protect=cfg.protect,
            untagged_days=cfg.retention.untagged_image_days, keep_last=cfg.retention.images_to_keep,
            max_age_days=cfg.retention.max_image_age_days), child) if builds_image else None
        if isinstance(service, EcsServiceConfig):
            targets = {env: create_workload(shared, service, env, registry) for env in ENVIRONMENTS}
            RegistryPull(f"{service.name}-registry-pull", RegistryPullArgs(
                registry=registry, role_arns=[t.task_execution_role_arn for t in targets.values()],
                roles=[role for t in targets.values() for role in t.task_roles]), child)
            self.repositories[service.name] = registry.repository_url
            self.listeners[service.name] = {f"{env}_{kind}": getattr(t, f"{kind}_listener_url")
                                            for env, t in targets.items() for kind in ("prod", "test")}
        else:
            # An image function's create/update pulls across accounts: the grant must exist first.
            grant = [self._lambda_pull(shared, service, registry, child)] if registry is not None else []
            targets = {env: create_workload(shared, service, env, registry, grant) for env in ENVIRONMENTS}
        return create_delivery(shared, service, registry, targets, pipeline_role)

    def _lambda_pull(self, shared: Shared, service: Any, registry: ContainerRegistry,
                     child: pulumi.ResourceOptions) -> Any:
        callers = [self.accounts[env].role_arn for env in ENVIRONMENTS] + \
            [shared.deploy_role_arns[env] for env in ENVIRONMENTS]
        return RegistryPull(f"{service.name}-registry-pull", RegistryPullArgs(
            registry=registry, role_arns=[], roles=list(shared.ready), lambda_pull=LambdaPull(
                function_arns=[function_arn(shared, service, env) for env in ENVIRONMENTS],
                caller_role_arns=callers)), child).policy

    def _deploy_roles(self, cfg, store: ArtifactStore, pipeline_roles: list[PipelineRole]) -> dict[str, Any]:
        from components.deploy_role import CrossAccountDeployRole, CrossAccountDeployRoleArgs
        tooling = self.accounts["tooling"]
        image_repositories = [ecr_repository_arn(tooling.id, tooling.region, f"{cfg.prefix}/{s.name}")
                              for s in cfg.services if isinstance(s, LambdaServiceConfig) and s.image]
        return {env: CrossAccountDeployRole(f"{env}-deploy", CrossAccountDeployRoleArgs(
            account=self.accounts[env], environment=env, prefix=cfg.prefix,
            trusted_role_arns=[r.arn for r in pipeline_roles], trusted_roles=[r.role for r in pipeline_roles],
            artifact_bucket_arn=store.bucket_arn, artifact_key_arn=store.key_arn,
            function_image_repository_arns=image_repositories), pulumi.ResourceOptions(parent=self))
            for env in ENVIRONMENTS}

    def _github_deployers(self, cfg) -> dict[str, str]:
        from components.github_oidc import GitHubActionsDeployer, GitHubActionsDeployerArgs
        gha, roles, providers = cfg.github_actions, {}, {}
        subjects = {"staging": f"ref:refs/heads/{gha.staging_branch}",
                    "prod": f"environment:{gha.production_environment}"}
        for env in ENVIRONMENTS:
            account = self.accounts[env]
            shared_arn, shared_provider = providers.get(account.id, (None, None))
            deployer = GitHubActionsDeployer(f"{env}-github", GitHubActionsDeployerArgs(
                account=account, environment=env, prefix=cfg.prefix, repository=gha.repository,
                subject=subjects[env], oidc_provider_arn=shared_arn, oidc_provider=shared_provider,
                policy_statements=github_statements(account, cfg.prefix, env)), pulumi.ResourceOptions(parent=self))
            # One OIDC provider per account id: in dev both environments share one account.
            providers.setdefault(account.id, (deployer.oidc_provider_arn, deployer.oidc_provider))
            roles[env] = deployer.role_arn
        return roles
