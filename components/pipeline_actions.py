"""Pipeline action declarations (plain dicts for aws.codepipeline.Pipeline stages), per deploy kind.

- ECS with CodeDeploy blue/green: `CodeDeployToECS` - registers taskdef-<env>.json with the new image
  (imageDetail.json -> <IMAGE1_NAME>) and hands appspec.yaml to the service's deployment group.
- ECS-native BLUE_GREEN / CANARY / LINEAR: the standard `ECS` action with imagedefinitions.json; ECS runs
  the service's own deployment strategy.
- Lambda: the CodePipeline Lambda deploy action (V2 only) with the built .zip: it publishes a version and shifts
  the alias `live` at the service's DeployStrategy, rolling back when the service's alarms fire.
Every deploy action runs as the target account's CrossAccountDeployRole.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from components.documents.lambda_deploy import LambdaDeploy, lambda_deploy_configuration

KINDS = ("codedeploy-ecs", "ecs", "lambda")
APPSPEC_PATH = "appspec.yaml"
IMAGE_DEFINITIONS = "imagedefinitions.json"


def taskdef_path(environment: str) -> str:
    return f"taskdef-{environment}.json"


def action(name: str, category: str, provider: str, *, owner: str = "AWS", **kwargs) -> dict:
    return {"name": name, "category": category, "owner": owner, "provider": provider, "version": "1", **kwargs}


@dataclass(frozen=True)
class DeployTarget:
    environment: str                                   # "staging" | "prod"
    kind: str                                          # one of KINDS
    role_arn: pulumi.Input[str]                        # CrossAccountDeployRole in that account
    application_name: Optional[pulumi.Input[str]] = None
    deployment_group_name: Optional[pulumi.Input[str]] = None
    cluster_name: Optional[pulumi.Input[str]] = None
    service_name: Optional[pulumi.Input[str]] = None
    lambda_deploy: Optional[LambdaDeploy] = None


def deploy_action(name: str, target: DeployTarget, artifact: str) -> dict:
    common = {"input_artifacts": [artifact], "role_arn": target.role_arn}
    if target.kind == "codedeploy-ecs":
        return action(name, "Deploy", "CodeDeployToECS", **common, configuration={
            "ApplicationName": target.application_name, "DeploymentGroupName": target.deployment_group_name,
            "TaskDefinitionTemplateArtifact": artifact, "TaskDefinitionTemplatePath": taskdef_path(target.environment),
            "AppSpecTemplateArtifact": artifact, "AppSpecTemplatePath": APPSPEC_PATH,
            "Image1ArtifactName": artifact, "Image1ContainerName": "IMAGE1_NAME"})
    if target.kind == "ecs":
        return action(name, "Deploy", "ECS", **common, configuration={
            "ClusterName": target.cluster_name, "ServiceName": target.service_name,
            "FileName": IMAGE_DEFINITIONS, "DeploymentTimeout": "60"})
    if target.kind == "lambda":
        if target.lambda_deploy is None:
            raise ValueError(f"a lambda deploy target needs lambda_deploy ({target.environment})")
        return action(name, "Deploy", "Lambda", **common,
                      configuration=lambda_deploy_configuration(target.lambda_deploy))
    raise ValueError(f"deploy kind must be one of {KINDS}, got {target.kind!r}")
