"""Per-service wiring used by Platform: the staging/prod targets, build + test projects and the pipeline."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import pulumi

from components.account import Account
from components.build_project import BuildProject, BuildProjectArgs
from components.arns import lambda_function_arn, role_arn
from components.config import (EcsServiceConfig, LambdaServiceConfig, PlatformConfig, termination_wait_minutes,
                               test_ingress_cidrs)
from components.container_registry import ContainerRegistry
from components.delivery_pipeline import DeliveryPipeline, DeliveryPipelineArgs
from components.documents import appspec, buildspec, taskdef
from components.documents.lambda_deploy import LambdaDeploy
from components.documents.lifecycle import IMAGE_TAG_PREFIX
from components.lambda_invoke_role import LambdaInvokeRole, LambdaInvokeRoleArgs, invoke_role_name
from components.pipeline_actions import APPSPEC_PATH, DeployTarget, taskdef_path
from components.workload_names import physical_name

ENVIRONMENTS = ("staging", "prod")
LAMBDA_CONFIGS = {"canary": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
                  "linear": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
                  "all-at-once": "CodeDeployDefault.LambdaAllAtOnce"}
ECS_CODEDEPLOY_CONFIGS = {"staging": "CodeDeployDefault.ECSAllAtOnce",
                          "prod": "CodeDeployDefault.ECSCanary10Percent5Minutes"}
LAMBDA_PACKAGE = "dist/function.zip"
TEST_ROLE_VARIABLE = "TEST_ROLE_ARN"
BOOTSTRAP_CODE = str(Path(__file__).parent / "lambda_bootstrap")
Service = Union[EcsServiceConfig, LambdaServiceConfig]


@dataclass(frozen=True)
class Shared:
    """What every service's delivery uses from the platform. ARNs are plain strings where config determines
    them (known in a preview); `ready` lists the resources behind them, which users depend on."""
    config: PlatformConfig
    stack: str
    parent: pulumi.Resource
    accounts: dict[str, Account]
    bucket_name: str
    bucket_arn: str
    key_arn: pulumi.Output[str]
    deploy_role_arns: dict[str, str]
    topic_arn: str
    topic_key_arn: pulumi.Output[str]
    ready: Sequence[pulumi.Resource] = ()        # artifact bucket, topic policy, deploy roles
    # Aliases of each service's top-level components: where `pulumi state move` left them (a service stack).
    moved_from: Sequence[pulumi.Alias] = ()

    def child_opts(self) -> pulumi.ResourceOptions:
        """Options of a service's top-level component: the platform's child."""
        return pulumi.ResourceOptions(parent=self.parent, aliases=list(self.moved_from))


def pipeline_name(prefix: str, service: str) -> str:
    return f"{prefix}-{service}"


def function_arn(shared: Shared, service: LambdaServiceConfig, environment: str) -> str:
    """The ARN LambdaCanaryService's function will have (its name is physical_name(prefix, env, service))."""
    account = shared.accounts[environment]
    return lambda_function_arn(account.id, account.region, physical_name(shared.config.prefix, environment,
                                                                         service.name))


def create_workload(shared: Shared, service: Service, environment: str, registry: Optional[ContainerRegistry],
                    depends_on: Sequence[pulumi.Resource] = ()) -> Any:
    from components.ecs_service import EcsBlueGreenService, EcsBlueGreenServiceArgs
    from components.lambda_service import LambdaCanaryService, LambdaCanaryServiceArgs

    cfg, account = shared.config, shared.accounts[environment]
    opts = shared.child_opts()
    if isinstance(service, EcsServiceConfig):
        network = getattr(cfg.networks, environment)
        # A plain string (the registry URL follows from config): the image pin is checkable in a preview.
        image = f"{registry.repository_url}:{IMAGE_TAG_PREFIX}{service.image_tag}"
        return EcsBlueGreenService(f"{service.name}-{environment}", EcsBlueGreenServiceArgs(
            account=account, environment=environment, prefix=cfg.prefix, service=service.name, image=image,
            port=service.port, health_check_path=service.health_check_path, cpu=service.cpu, memory=service.memory,
            desired_count=service.desired_count, strategy=service.strategy, vpc_id=network.vpc_id,
            public_subnet_ids=network.public_subnet_ids, private_subnet_ids=network.private_subnet_ids,
            vpc_cidr=network.vpc_cidr, test_ingress_cidrs=test_ingress_cidrs(network),
            log_retention_days=cfg.retention.log_days,
            termination_wait_minutes=termination_wait_minutes(service, shared.stack),
            protect=cfg.protect, codedeploy_config=ECS_CODEDEPLOY_CONFIGS[environment]), opts)
    return LambdaCanaryService(f"{service.name}-{environment}", LambdaCanaryServiceArgs(
        account=account, environment=environment, prefix=cfg.prefix, service=service.name,
        runtime=service.runtime or "", handler=service.handler or "",
        code_path=None if service.image else BOOTSTRAP_CODE, image_uri=service.image,
        memory=service.memory, timeout=service.timeout, deployment_config=LAMBDA_CONFIGS[service.strategy],
        log_retention_days=cfg.retention.log_days, protect=cfg.protect, depends_on=list(depends_on)), opts)


def _taskdef_json(cfg: PlatformConfig, service: EcsServiceConfig, environment: str, account: Account,
                  roles: list[str]) -> str:
    family = physical_name(cfg.prefix, environment, service.name)
    return taskdef.to_json(taskdef.taskdef_template(taskdef.TaskTemplate(
        family=family, container_name=service.name, port=service.port, cpu=service.cpu, memory=service.memory,
        execution_role_arn=roles[0], task_role_arn=roles[1], log_group=f"/ecs/{family}", region=account.region)))


def image_buildspec(shared: Shared, service: Service, targets: dict[str, Any]) -> pulumi.Output[str]:
    secrets = buildspec.BuildSecrets(dict(service.parameter_store), dict(service.secrets_manager))
    if isinstance(service, LambdaServiceConfig) or service.strategy != "codedeploy":
        return pulumi.Output.from_input(buildspec.to_yaml(buildspec.image_buildspec(
            buildspec.ImageBuild(container_name=service.name, test_command=service.test_command, secrets=secrets))))
    roles = [pulumi.Output.all(t.task_execution_role_arn, t.task_role_arn) for t in targets.values()]

    def render(role_pairs: list[list[str]]) -> str:
        files = {taskdef_path(env): _taskdef_json(shared.config, service, env, shared.accounts[env], pair)
                 for env, pair in zip(targets, role_pairs)}
        files[APPSPEC_PATH] = taskdef.to_json(appspec.ecs_appspec(service.name, service.port))
        return buildspec.to_yaml(buildspec.image_buildspec(buildspec.ImageBuild(
            container_name=service.name, test_command=service.test_command, deploy_files=files, secrets=secrets)))
    return pulumi.Output.all(*roles).apply(render)


def _build_buildspec(shared: Shared, service: Service, targets: dict[str, Any]) -> pulumi.Input[str]:
    if isinstance(service, EcsServiceConfig) or service.image:
        return image_buildspec(shared, service, targets)
    return buildspec.to_yaml(buildspec.package_buildspec(buildspec.PackageBuild(
        test_command=service.test_command, package_command="make package", package_path=LAMBDA_PACKAGE,
        secrets=buildspec.BuildSecrets(dict(service.parameter_store), dict(service.secrets_manager)))))


def _test_variables(shared: Shared, service: Service, staging: Any) -> dict[str, pulumi.Input[str]]:
    if isinstance(service, EcsServiceConfig):
        return {"TEST_URL": staging.test_listener_url, "HEALTH_CHECK_PATH": service.health_check_path}
    return {"FUNCTION_NAME": staging.function_name, "FUNCTION_ALIAS": staging.alias_name,
            TEST_ROLE_VARIABLE: _invoke_role_arn(shared, service)}


def _invoke_role_arn(shared: Shared, service: LambdaServiceConfig) -> str:
    return role_arn(shared.accounts["staging"].id, invoke_role_name(shared.config.prefix, "staging", service.name))


def _project(shared: Shared, service: Service, purpose: str, spec: pulumi.Input[str],
             registry: Optional[ContainerRegistry], variables: dict,
             assume_role_arns: Sequence[str] = ()) -> BuildProject:
    cfg, build = shared.config, shared.config.build
    return BuildProject(f"{service.name}-{purpose}", BuildProjectArgs(
        account=shared.accounts["tooling"], prefix=cfg.prefix, service=service.name, purpose=purpose, buildspec=spec,
        pipeline_name=pipeline_name(cfg.prefix, service.name), artifact_bucket_name=shared.bucket_name,
        artifact_bucket_arn=shared.bucket_arn, artifact_key_arn=shared.key_arn, compute_type=build.compute_type,
        image=build.image, cache_mode=build.cache_mode, timeout_minutes=build.timeout_minutes,
        log_retention_days=cfg.retention.log_days, protect=cfg.protect,
        repository_arn=registry.repository_arn if registry else None, variables=variables,
        parameter_names=sorted(service.parameter_store.values()), secret_ids=sorted(service.secrets_manager.values()),
        assume_role_arns=list(assume_role_arns), depends_on=[*shared.ready, *([registry] if registry else [])]),
        shared.child_opts())


def _deploy_target(shared: Shared, service: Service, environment: str, target: Any) -> DeployTarget:
    role = shared.deploy_role_arns[environment]
    if isinstance(service, EcsServiceConfig):
        if service.strategy == "codedeploy":
            return DeployTarget(environment, "codedeploy-ecs", role, application_name=target.codedeploy_application_name,
                                deployment_group_name=target.deployment_group_name)
        return DeployTarget(environment, "ecs", role, cluster_name=target.cluster_name,
                            service_name=target.service_name)
    return DeployTarget(environment, "lambda", role, lambda_deploy=LambdaDeploy(
        target.function_name, target.alias_name, service.strategy, target.alarm_names))


def _check_deliverable(service: Service) -> None:
    """The Lambda deploy action takes the function's code from a .zip input artifact
    (action-reference-LambdaDeploy.html); it documents no container-image input."""
    if isinstance(service, LambdaServiceConfig) and service.image:
        raise ValueError(f"lambda service {service.name!r} is a container-image function: the pipeline deploys "
                         "Lambda functions with the CodePipeline Lambda deploy action, which takes a .zip "
                         "package only; give the service runtime + handler instead of image")


def _grant_invoke(shared: Shared, service: LambdaServiceConfig, staging: Any, test: BuildProject) -> None:
    """The integration tests (tooling build role) may invoke the staging alias, and nothing else."""
    LambdaInvokeRole(f"{service.name}-staging-invoke", LambdaInvokeRoleArgs(
        account=shared.accounts["staging"], prefix=shared.config.prefix, environment="staging",
        service=service.name, function_name=staging.function_name, alias_name=staging.alias_name,
        principal_arns=[test.role_arn], principals=[test.role], alias=staging.alias,
        tags={"environment": "staging", "service": service.name}, previous_parent=staging),
        shared.child_opts())


def create_delivery(shared: Shared, service: Service, registry: Optional[ContainerRegistry],
                    targets: dict[str, Any], pipeline_role: Any) -> tuple[DeliveryPipeline, list[BuildProject]]:
    _check_deliverable(service)
    cfg = shared.config
    build = _project(shared, service, "image" if registry else "package", _build_buildspec(shared, service, targets),
                     registry, {"REPOSITORY_URI": registry.repository_url} if registry else {})
    invokes = isinstance(service, LambdaServiceConfig)
    test_spec = buildspec.to_yaml(buildspec.integration_test_buildspec(
        service.integration_test_command, {}, buildspec.BuildSecrets(dict(service.parameter_store),
                                                                     dict(service.secrets_manager)),
        role_arn_variable=TEST_ROLE_VARIABLE if invokes else None))
    test = _project(shared, service, "integration-test", test_spec, None,
                    _test_variables(shared, service, targets["staging"]),
                    [_invoke_role_arn(shared, service)] if invokes else ())
    if invokes:
        _grant_invoke(shared, service, targets["staging"], test)
    pipeline = DeliveryPipeline(f"{service.name}-delivery", DeliveryPipelineArgs(
        account=shared.accounts["tooling"], prefix=cfg.prefix, service=service.name,
        pipeline_name=pipeline_name(cfg.prefix, service.name), role_arn=pipeline_role.arn,
        role_name=pipeline_role.name, connection_arn=cfg.source_connection_arn, repository=service.repository,
        branch=service.branch, artifact_bucket_name=shared.bucket_name, artifact_bucket_arn=shared.bucket_arn,
        artifact_key_arn=shared.key_arn, build_project=build.project_name, test_project=test.project_name,
        build_project_arns=[build.project_arn, test.project_arn],
        staging=_deploy_target(shared, service, "staging", targets["staging"]),
        prod=_deploy_target(shared, service, "prod", targets["prod"]), topic_arn=shared.topic_arn,
        topic_key_arn=shared.topic_key_arn, extra_topic_arns=list(cfg.notifications.sns_topic_arns),
        depends_on=[*([pipeline_role.role] if pipeline_role.role else []), *shared.ready, build.project,
                    test.project]),
        shared.child_opts())
    return pipeline, [build, test]
