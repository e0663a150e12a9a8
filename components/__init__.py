"""The platform's ComponentResources (one concept per module).

Workload components (deploy_role, ecs_service, lambda_service, github_oidc) are imported where used, so
importing this package never drags in modules another helper may still be editing.
"""
from components.account import Account, AccountArgs
from components.artifact_store import ArtifactStore, ArtifactStoreArgs
from components.build_project import BuildProject, BuildProjectArgs
from components.config import ConfigError, LoadedConfig, PlatformConfig, load, parse
from components.container_registry import ContainerRegistry, ContainerRegistryArgs
from components.delivery_pipeline import DeliveryPipeline, DeliveryPipelineArgs
from components.notifications import Notifications, NotificationsArgs
from components.pipeline_role import PipelineRole, PipelineRoleArgs
from components.platform import Platform, PlatformArgs

__all__ = ["Account", "AccountArgs", "ArtifactStore", "ArtifactStoreArgs", "BuildProject", "BuildProjectArgs",
           "ConfigError", "ContainerRegistry", "ContainerRegistryArgs", "DeliveryPipeline", "DeliveryPipelineArgs",
           "LoadedConfig", "Notifications", "NotificationsArgs", "PipelineRole", "PipelineRoleArgs", "Platform",
           "PlatformArgs", "PlatformConfig", "load", "parse"]
