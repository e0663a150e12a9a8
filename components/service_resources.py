"""One service of the platform: registry (image services), staging + prod targets, pull grants, builds and the
delivery pipeline - created under the Platform, in a monolith or in the service's own stack."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi

from components.config import EcsServiceConfig
from components.container_registry import ContainerRegistry, ContainerRegistryArgs, LambdaPull, RegistryPull, \
    RegistryPullArgs
from components.delivery_pipeline import DeliveryPipeline
from components.service_delivery import ENVIRONMENTS, Service, Shared, create_delivery, create_workload, \
    function_arn


@dataclass
class ServiceResources:
    pipeline: DeliveryPipeline
    builds: list[Any]                                     # BuildProjects: their roles use the artifact key
    repository_url: Optional[str] = None                  # ECS services
    listeners: dict[str, pulumi.Output[str]] = field(default_factory=dict)   # "<env>_<prod|test>" -> URL


def create_service(shared: Shared, service: Service, pipeline_role: Any) -> ServiceResources:
    cfg, tooling = shared.config, shared.accounts["tooling"]
    builds_image = isinstance(service, EcsServiceConfig) or bool(service.image)
    registry = ContainerRegistry(f"{service.name}-registry", ContainerRegistryArgs(
        account=tooling, prefix=cfg.prefix, service=service.name, protect=cfg.protect,
        untagged_days=cfg.retention.untagged_image_days, keep_last=cfg.retention.images_to_keep,
        max_age_days=cfg.retention.max_image_age_days), shared.child_opts()) if builds_image else None
    if isinstance(service, EcsServiceConfig):
        targets = {env: create_workload(shared, service, env, registry) for env in ENVIRONMENTS}
        RegistryPull(f"{service.name}-registry-pull", RegistryPullArgs(
            registry=registry, role_arns=[t.task_execution_role_arn for t in targets.values()],
            roles=[role for t in targets.values() for role in t.task_roles]), shared.child_opts())
        listeners = {f"{env}_{kind}": getattr(t, f"{kind}_listener_url")
                     for env, t in targets.items() for kind in ("prod", "test")}
        pipeline, builds = create_delivery(shared, service, registry, targets, pipeline_role)
        return ServiceResources(pipeline, builds, registry.repository_url, listeners)
    # An image function's create/update pulls across accounts: the grant must exist first.
    grant = [_lambda_pull(shared, service, registry)] if registry is not None else []
    targets = {env: create_workload(shared, service, env, registry, grant) for env in ENVIRONMENTS}
    pipeline, builds = create_delivery(shared, service, registry, targets, pipeline_role)
    return ServiceResources(pipeline, builds)


def _lambda_pull(shared: Shared, service: Any, registry: ContainerRegistry) -> Any:
    callers = [shared.accounts[env].role_arn for env in ENVIRONMENTS] + \
        [shared.deploy_role_arns[env] for env in ENVIRONMENTS]
    return RegistryPull(f"{service.name}-registry-pull", RegistryPullArgs(
        registry=registry, role_arns=[], roles=list(shared.ready), lambda_pull=LambdaPull(
            function_arns=[function_arn(shared, service, env) for env in ENVIRONMENTS],
            caller_role_arns=callers)), shared.child_opts()).policy
