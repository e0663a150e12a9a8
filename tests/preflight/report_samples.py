"""Report objects for the report-format tests: a prod-like stack over three accounts."""
from __future__ import annotations

import copy

from preflight.model import MultiReport, PolicyMeta, RecordedResource, Report, StackFailure, Violation

TOOLING, STAGING, PROD = "111111111111", "222222222222", "333333333333"
STAGING_ROLE = f"arn:aws:iam::{STAGING}:role/cicd-staging-deploy"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/cicd-prod-deploy"
PREFIX = "urn:pulumi:prod::aws-cicd-platform::"
PLATFORM = "aws-cicd-platform:components:Platform"


def urn(type_chain: str, name: str) -> str:
    return f"{PREFIX}{type_chain}::{name}"


def provider(name: str, account: str) -> RecordedResource:
    return RecordedResource(urn=urn("pulumi:providers:aws", name), type="pulumi:providers:aws", name=name,
                            custom=True, inputs={}, account=account)


def stages(staging_role=STAGING_ROLE, prod_role=PROD_ROLE) -> list[dict]:
    def stage(name, category, role=None):
        action = {"name": name, "category": category, "owner": "AWS", "provider": "X", "version": "1"}
        if role is not None:
            action["roleArn"] = role
        return {"name": name, "actions": [action]}
    return [stage("Source", "Source"), stage("Build", "Build"),
            stage("DeployStaging", "Deploy", staging_role), stage("IntegrationTest", "Test"),
            stage("Approval", "Approval"), stage("DeployProd", "Deploy", prod_role)]


def pipeline(service: str, stage_list=None) -> RecordedResource:
    chain = f"{PLATFORM}$aws-cicd-platform:components:DeliveryPipeline$aws:codepipeline/pipeline:Pipeline"
    return RecordedResource(urn=urn(chain, f"{service}-pipeline"), type="aws:codepipeline/pipeline:Pipeline",
                            name=f"{service}-pipeline", custom=True, account=TOOLING,
                            inputs={"name": f"cicd-prod-{service}", "pipelineType": "V2",
                                    "stages": stage_list if stage_list is not None else stages()},
                            source=("components/pipeline.py", 88))


def ecs_service(service: str, account: str, env: str) -> RecordedResource:
    chain = f"{PLATFORM}$aws-cicd-platform:components:EcsBlueGreenService$aws:ecs/service:Service"
    return RecordedResource(urn=urn(chain, f"{service}-{env}"), type="aws:ecs/service:Service",
                            name=f"{service}-{env}", custom=True, account=account,
                            inputs={"name": f"cicd-{env}-{service}"},
                            source=("components/ecs_service.py", 120))


def function(name: str, account: str) -> RecordedResource:
    chain = f"{PLATFORM}$aws-cicd-platform:components:LambdaCanaryService$aws:lambda/function:Function"
    return RecordedResource(urn=urn(chain, name), type="aws:lambda/function:Function", name=name,
                            custom=True, account=account, inputs={})


def role(name: str, account: str) -> RecordedResource:
    chain = f"{PLATFORM}$aws-cicd-platform:components:CrossAccountDeployRole$aws:iam/role:Role"
    return RecordedResource(urn=urn(chain, f"{name}-role"), type="aws:iam/role:Role", name=f"{name}-role",
                            custom=True, account=account, inputs={"name": name})


REPO = RecordedResource(
    urn=urn(f"{PLATFORM}$aws-cicd-platform:components:ContainerRegistry$aws:ecr/repository:Repository",
            "orders"),
    type="aws:ecr/repository:Repository", name="orders", custom=True, account=TOOLING,
    inputs={"imageTagMutability": "MUTABLE"}, source=("components/registry.py", 42))
ROOT = RecordedResource(urn=urn("pulumi:pulumi:Stack", "aws-cicd-platform-prod"), type="pulumi:pulumi:Stack",
                        name="aws-cicd-platform-prod", custom=False, inputs={})

POLICIES = [
    PolicyMeta("codepipeline-prod-manual-approval-required", "Prod deploys need a manual approval first.",
               "critical", "mandatory", remediation="Add a Manual approval stage before the prod deploy.",
               tags=["codepipeline", "change-control"]),
    PolicyMeta("ecr-repository-tags-immutable", "ECR tags must be immutable.", "high", "mandatory",
               remediation="Set image_tag_mutability=\"IMMUTABLE\".", tags=["ecr"],
               framework={"securityhub": "ECR.2", "checkov": "CKV_AWS_51"}),
    PolicyMeta("ecs-cluster-container-insights", "Container Insights on.", "low", "advisory",
               remediation="Enable containerInsights.", kind="stack"),
    PolicyMeta("lambda-function-runtime-supported", "Supported runtimes only.", "medium", "advisory",
               remediation="Use python3.12."),
    PolicyMeta("kms-key-rotation-enabled", "Rotation on.", "medium", "mandatory", remediation="Rotate."),
    PolicyMeta("codebuild-project-cache-configured", "Cache builds.", "low", "disabled"),
]

VIOLATIONS = [
    Violation("lambda-function-runtime-supported", "advisory", "medium", function("hook", PROD).urn, "hook",
              "aws:lambda/function:Function", 'runtime "python3.8" is deprecated; use python3.12'),
    Violation("ecr-repository-tags-immutable", "mandatory", "high", REPO.urn, "orders",
              "aws:ecr/repository:Repository", 'imageTagMutability is "MUTABLE"; set IMMUTABLE'),
    Violation("ecs-cluster-container-insights", "advisory", "low", None, None, None,
              "2 clusters without Container Insights | see cicd-prod"),
    Violation("codepipeline-prod-manual-approval-required", "mandatory", "critical", pipeline("orders").urn,
              "orders-pipeline", "aws:codepipeline/pipeline:Pipeline",
              'stage "DeployProd" deploys to prod with no Manual approval before it'),
]


def resources() -> list[RecordedResource]:
    return [copy.deepcopy(ROOT), provider("tooling", TOOLING), provider("staging", STAGING),
            provider("prod", PROD), copy.deepcopy(REPO), pipeline("orders"),
            ecs_service("orders", STAGING, "staging"), ecs_service("orders", PROD, "prod"),
            function("hook", PROD)]


def prod_report(**overrides) -> Report:
    fields = dict(stack="prod", project="aws-cicd-platform", mode="preview",
                  policy_pack={"name": "aws-cicd-guardrails", "version": "0.1.0"},
                  resources=resources(), violations=copy.deepcopy(VIOLATIONS), waived=2,
                  policies=copy.deepcopy(POLICIES),
                  unanswered_invokes=["aws:ec2/getVpc:getVpc"],
                  secret_config_keys=["aws-cicd-platform:githubToken"])
    fields.update(overrides)
    return Report(**fields)


def clean_report() -> Report:
    return prod_report(violations=[], waived=0, unanswered_invokes=[], secret_config_keys=[])


def repository(name: str, line: int) -> RecordedResource:
    """Another mutable ECR repository, registered at `line` of components/registry.py."""
    return RecordedResource(urn=urn(f"{PLATFORM}$aws-cicd-platform:components:ContainerRegistry"
                                    "$aws:ecr/repository:Repository", name),
                            type="aws:ecr/repository:Repository", name=name, custom=True, account=TOOLING,
                            inputs={"imageTagMutability": "MUTABLE"}, source=("components/registry.py", line))


def mutable_repositories_report(count: int) -> Report:
    """The prod report plus `count` more repositories the ECR rule fires on with the same message."""
    report = prod_report()
    extra = [repository(f"svc{i}", 100 + i) for i in range(count)]
    report.resources += extra
    report.violations += [Violation("ecr-repository-tags-immutable", "mandatory", "high", r.urn, r.name, r.type,
                                    'imageTagMutability is "MUTABLE"; set IMMUTABLE') for r in extra]
    return report


def multi_report() -> MultiReport:
    """prod (failing), dev (clean, reads prod) and a stack that could not run."""
    dev = clean_report()
    dev.stack = "dev"
    return MultiReport(project="aws-cicd-platform", mode="preview", reports=[prod_report(), dev],
                       failures=[StackFailure("broken", "stack broken: program error at __main__.py:8: ValueError")],
                       order=["prod", "dev", "broken"], reads={"dev": ["prod"]})
