"""Platform: the stack's accounts and what its scope holds - the whole platform (monolith), the shared foundation,
or one service reading its foundation. Every scope builds the same components under the same Platform, so a
resource keeps its URN wherever it lives and a monolith splits with `pulumi state move` and aliases alone."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi

from components.account import TYPE_PREFIX, Account, AccountArgs, default_tags
from components.config import LambdaServiceConfig, LoadedConfig
from components.config_scope import FOUNDATION, SERVICE
from components.foundation import create_foundation, github_deployers, grant_access, service_stack_build_roles
from components.foundation_exports import foundation_exports
from components.foundation_reference import read_foundation, service_shared
from components.pipeline_role import PipelineRoleRef
from components.service_resources import ServiceResources, create_service

ROLES = ("tooling", "staging", "prod")


@dataclass(frozen=True)
class PlatformArgs:
    config: LoadedConfig


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, args: PlatformArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:Platform", name, None, opts)
        loaded, cfg = args.config, args.config.platform
        self.scope = cfg.scope
        # `pulumi state move` leaves a moved resource's top-level ancestor, and a copy of each provider it uses, at
        # the destination stack's root (pkg/cmd/pulumi/state/state_move.go): a service stack adopts them there.
        moved = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)] if cfg.scope == SERVICE else []
        child = pulumi.ResourceOptions(parent=self)
        self.accounts = {role: Account(role, AccountArgs(
            role=role, account_id=getattr(cfg.accounts, role).id, region=getattr(cfg.accounts, role).region,
            bootstrap_role=getattr(cfg.accounts, role).bootstrap_role,
            external_id=loaded.external_ids.get(role), tags=default_tags(role, cfg.owner),
            provider_aliases=moved), child) for role in ROLES}
        self.pipelines: dict[str, Any] = {}
        self.repositories: dict[str, str] = {}
        self.listeners: dict[str, dict[str, pulumi.Output[str]]] = {}
        self.deploy_role_arns: dict[str, str] = {}
        self.github_role_arns: dict[str, str] = {}
        self.foundation_outputs: dict[str, Any] = {}
        if cfg.scope == SERVICE:
            agreed = self._service_stack(loaded, moved)
            self.register_outputs({"foundation_agrees": agreed})
        else:
            self._with_foundation(loaded)
            self.register_outputs({"deploy_role_arns": self.deploy_role_arns,
                                   "github_role_arns": self.github_role_arns})

    @property
    def exports(self) -> dict[str, Any]:
        """The stack's outputs: what users need next and, from a foundation, what its service stacks read."""
        delivery = {"pipelines": {name: {"name": p.pipeline_name, "console_url": p.console_url}
                                  for name, p in self.pipelines.items()},
                    "repository_urls": self.repositories, "listener_urls": self.listeners}
        roles = {"deploy_role_arns": self.deploy_role_arns, "github_actions_role_arns": self.github_role_arns}
        if self.scope == FOUNDATION:
            return {**self.foundation_outputs, **roles}
        return delivery if self.scope == SERVICE else {**delivery, **roles}

    def _with_foundation(self, loaded: LoadedConfig) -> None:
        """Monolith and foundation: the shared pieces, then the services the stack holds (none in a foundation)."""
        cfg = loaded.platform
        services = list(cfg.service_stacks) if cfg.scope == FOUNDATION else [s.name for s in cfg.services]
        image_functions = [s.name for s in cfg.services if isinstance(s, LambdaServiceConfig) and s.image]
        foundation = create_foundation(self, cfg, loaded.stack, self.accounts, services, image_functions)
        builds: list[Any] = []
        for service in cfg.services:
            resources = create_service(foundation.shared, service, foundation.pipeline_roles[service.name])
            builds += resources.builds
            self._record(service.name, resources)
        grant_access(self, foundation, builds, service_stack_build_roles(cfg))
        self.deploy_role_arns = foundation.shared.deploy_role_arns
        self.github_role_arns = github_deployers(self, cfg, self.accounts)
        if cfg.scope == FOUNDATION:
            shared = foundation.shared
            self.foundation_outputs = foundation_exports(
                cfg, loaded.organization, loaded.project, bucket_name=shared.bucket_name, key_arn=shared.key_arn,
                topic_arn=shared.topic_arn, topic_key_arn=shared.topic_key_arn,
                pipeline_role_arns={s: r.arn for s, r in foundation.pipeline_roles.items()},
                deploy_role_arns=shared.deploy_role_arns)

    def _service_stack(self, loaded: LoadedConfig, moved: list[pulumi.Alias]) -> pulumi.Output[bool]:
        """One service, its tooling pieces named by the foundation (pipeline role, bucket, topic, deploy roles)."""
        cfg, tooling = loaded.platform, self.accounts["tooling"]
        foundation = read_foundation(self, loaded)
        shared = service_shared(self, loaded, self.accounts, foundation, moved)
        service = cfg.services[0]
        resources = create_service(shared, service, PipelineRoleRef.of(tooling, cfg.prefix, service.name))
        self._record(service.name, resources)
        return foundation.agreed

    def _record(self, service: str, resources: ServiceResources) -> None:
        self.pipelines[service] = resources.pipeline
        if resources.repository_url is not None:
            self.repositories[service] = resources.repository_url
            self.listeners[service] = resources.listeners
