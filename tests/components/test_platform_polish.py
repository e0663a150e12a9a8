"""The prod layout (foundation + service stacks) and dev: required tags, config-derived ARNs (with their ordering), test listener ingress, the Lambda
integration test's invoke role, Lambda deploy strategies, image-function pulls across accounts, termination
waits."""
from __future__ import annotations

import copy
import json

import pytest
import yaml

from tests.components.harness import ROOT, merged, run_layout, run_program

TAGGABLE = {"aws:ecr/repository:Repository", "aws:s3/bucket:Bucket", "aws:kms/key:Key",
            "aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:iam/role:Role",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:codebuild/project:Project",
            "aws:codepipeline/pipeline:Pipeline", "aws:codedeploy/application:Application",
            "aws:codedeploy/deploymentGroup:DeploymentGroup",
            "aws:codestarnotifications/notificationRule:NotificationRule", "aws:ecs/cluster:Cluster",
            "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:lambda/function:Function",
            "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener",
            "aws:ec2/securityGroup:SecurityGroup", "aws:sns/topic:Topic"}
ROLES = {"111111111111": "tooling", "222222222222": "staging", "333333333333": "prod"}
SERVICES = ("orders", "payments", "catalog", "notifier")


@pytest.fixture(scope="module")
def layout():
    return run_layout()


@pytest.fixture(scope="module")
def rec(layout):
    return merged(layout)


def _raw(stack: str) -> dict:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.split(":", 1)[1]: copy.deepcopy(v) for k, v in config.items()}


def effective_tags(rec, reg) -> dict:
    defaults = json.loads(rec.provider_of(reg).inputs["defaultTags"])["tags"]
    return {**defaults, **(reg.inputs.get("tags") or {})}


def test_providers_tag_owner_environment_and_platform_service(layout):
    for stack in layout.values():
        providers = {p.name: json.loads(p.inputs["defaultTags"])["tags"] for p in stack.of_type("pulumi:providers:aws")}
        assert providers == {f"{role}-provider": {"owner": "platform-team", "environment": role, "service": "platform"}
                             for role in ("tooling", "staging", "prod")}


def test_every_taggable_resource_names_owner_its_environment_and_its_service(rec):
    checked = 0
    for reg in rec.aws_resources():
        if reg.type not in TAGGABLE and "tags" not in reg.inputs:
            continue
        tags, checked = effective_tags(rec, reg), checked + 1
        service = next((s for s in SERVICES if reg.name.startswith(f"{s}-")), "platform")
        assert (tags["owner"], tags["service"], tags["environment"]) == \
            ("platform-team", service, ROLES[rec.account_of(reg)]), reg.name
    assert checked > 150


def test_notification_rules_belong_to_their_service(rec):
    rule = rec.one("aws:codestarnotifications/notificationRule:NotificationRule", "orders-delivery-notifications")
    assert rule.inputs["tags"] == {"service": "orders"}
    pipeline = rec.one("aws:codepipeline/pipeline:Pipeline", "orders-delivery-pipeline")
    assert rule.inputs["resource"] == pipeline.outputs["arn"] == "arn:aws:codepipeline:us-east-1:111111111111:cicd-orders"
    assert pipeline.urn in rule.property_dependencies["resource"]


def test_config_derived_arns_equal_what_aws_reports_and_keep_their_ordering(rec, layout):
    task = rec.one("aws:ecs/taskDefinition:TaskDefinition", "orders-prod-task")
    execution = rec.one("aws:iam/role:Role", "orders-prod-execution-role")
    repo = rec.one("aws:ecr/repository:Repository", "orders-registry-repository")
    assert task.inputs["executionRoleArn"] == execution.outputs["arn"]
    assert execution.urn in task.dependencies
    image = json.loads(task.inputs["containerDefinitions"])[0]["image"]
    assert image == f"{repo.outputs['repositoryUrl']}:sha-9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
    assert layout["prod-orders"].outputs["repository_urls"]["orders"] == repo.outputs["repositoryUrl"]
    pull = rec.one("aws:ecr/repositoryPolicy:RepositoryPolicy", "orders-registry-pull")
    assert execution.urn in pull.dependencies
    topic = rec.one("aws:sns/topic:Topic", "notifications-topic")
    assert rec.one("aws:sns/topicPolicy:TopicPolicy").inputs["arn"] == topic.outputs["arn"]
    bucket = rec.one("aws:s3/bucket:Bucket")
    bucket_policy = json.loads(rec.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    assert bucket_policy["Statement"][0]["Resource"] == [bucket.outputs["arn"], bucket.outputs["arn"] + "/*"]
    project = rec.one("aws:codebuild/project:Project", "orders-image-project")
    build_role = rec.one("aws:iam/role:Role", "orders-image-role")
    logs = rec.one("aws:cloudwatch/logGroup:LogGroup", "orders-image-logs")
    assert project.inputs["serviceRole"] == build_role.outputs["arn"] and build_role.urn in project.dependencies
    build_policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "orders-image-policy").inputs["policy"])
    assert build_policy["Statement"][0]["Resource"] == [logs.outputs["arn"], logs.outputs["arn"] + ":*"]
    pipeline_policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "orders-delivery-policy").inputs["policy"])
    assert project.outputs["arn"] in json.dumps(pipeline_policy)


@pytest.mark.parametrize("stack,service", [("dev", "web"), ("prod", "payments")])
def test_pipeline_actions_and_deploy_trust_name_existing_roles(stack, service, rec):
    """In a monolith the pipeline waits for the deploy roles it names; in the split layout the foundation that
    holds them is deployed first (the service stack reads its outputs)."""
    rec = run_program("dev") if stack == "dev" else rec
    pipeline = rec.one("aws:codepipeline/pipeline:Pipeline", f"{service}-delivery-pipeline")
    staging_role = rec.one("aws:iam/role:Role", "staging-deploy-role")
    assert pipeline.inputs["stages"][2]["actions"][0]["roleArn"] == staging_role.outputs["arn"]
    assert (staging_role.urn in pipeline.dependencies) == (stack == "dev")
    pipeline_role = rec.one("aws:iam/role:Role", f"{service}-pipeline-role-role")
    assert pipeline.inputs["roleArn"] == pipeline_role.outputs["arn"]
    trust = json.loads(staging_role.inputs["assumeRolePolicy"])
    assert pipeline_role.outputs["arn"] in trust["Statement"][0]["Principal"]["AWS"]
    assert pipeline_role.urn in staging_role.dependencies
    github = rec.one("aws:iam/role:Role", "prod-github-role")
    # dev's environments share one account, and so one OIDC provider (the staging deployer's).
    provider = rec.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider",
                       "staging-github-github-oidc" if stack == "dev" else "prod-github-github-oidc")
    federated = json.loads(github.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Federated"]
    assert federated == provider.outputs["arn"] and provider.urn in github.dependencies
    key_policy = rec.one("aws:kms/keyPolicy:KeyPolicy", "artifacts-key-policy")
    assert pipeline_role.urn in key_policy.dependencies and staging_role.urn in key_policy.dependencies


def _ingress(rec, service: str, env: str, label: str) -> list[str]:
    return sorted(r.inputs["cidrIpv4"] for r in rec.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                  if r.name.startswith(f"{service}-{env}-alb-{label}-in-"))


def test_test_listener_admits_only_the_vpc_by_default(rec):
    assert _ingress(rec, "orders", "staging", "test") == ["10.20.0.0/16"]
    assert _ingress(rec, "orders", "prod", "test") == ["10.30.0.0/16"]
    assert _ingress(rec, "orders", "prod", "prod") == ["0.0.0.0/0"]


def test_test_listener_admits_configured_cidrs():
    raw = _raw("prod")
    raw["networks"]["staging"]["testIngressCidrs"] = ["203.0.113.0/28", "198.51.100.16/28"]
    # The foundation's networks and the service stack's agree (the service stack checks it).
    networks = {"networks": raw["networks"]}
    rec = run_layout(("prod", "prod-catalog"), {"prod": networks, "prod-catalog": networks})["prod-catalog"]
    assert _ingress(rec, "catalog", "staging", "test") == ["198.51.100.16/28", "203.0.113.0/28"]
    assert _ingress(rec, "catalog", "prod", "test") == ["10.30.0.0/16"]


def test_lambda_integration_tests_may_invoke_only_the_staging_alias(rec):
    alias = rec.one("aws:lambda/alias:Alias", "notifier-staging-alias")
    role = rec.one("aws:iam/role:Role", "notifier-staging-invoke-role")
    test_role = rec.one("aws:iam/role:Role", "notifier-integration-test-role")
    assert rec.account_of(role) == "222222222222"
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"AWS": test_role.outputs["arn"]}]
    assert test_role.urn in role.dependencies
    policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "notifier-staging-invoke-policy").inputs["policy"])
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [("lambda:InvokeFunction", alias.outputs["arn"])]
    build_policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy",
                                      "notifier-integration-test-policy").inputs["policy"])
    assume = [s for s in build_policy["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert [s["Resource"] for s in assume] == [role.outputs["arn"]]
    project = rec.one("aws:codebuild/project:Project", "notifier-integration-test-project")
    variables = {v["name"]: v["value"] for v in project.inputs["environment"]["environmentVariables"]}
    assert variables["TEST_ROLE_ARN"] == role.outputs["arn"]
    commands = yaml.safe_load(project.inputs["source"]["buildspec"])["phases"]["build"]["commands"]
    assert commands[:3] == ['aws configure set profile.integration-test.role_arn "$TEST_ROLE_ARN"',
                            "aws configure set profile.integration-test.credential_source EcsContainer",
                            "export AWS_PROFILE=integration-test"]
    invokers = [r.name for r in rec.of_type("aws:iam/role:Role") if r.name.endswith("-invoke-role")]
    assert invokers == ["notifier-staging-invoke-role"]     # only Lambda services, only staging


@pytest.mark.parametrize("stack, service, strategy, deploy_strategy, codedeploy_config", [
    ("prod-notifier", "notifier", "linear", "Linear10PercentEvery1Minute",
     "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"),
    ("dev", "events", "all-at-once", "AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce"),   # prod refuses it
])
def test_lambda_deploy_strategy_follows_the_service_config(stack, service, strategy, deploy_strategy,
                                                           codedeploy_config):
    raw = _raw(stack)
    next(s for s in raw["services"] if s["name"] == service)["strategy"] = strategy
    rec = run_program(stack, {"services": raw["services"]})
    pipeline = rec.one("aws:codepipeline/pipeline:Pipeline", f"{service}-delivery-pipeline")
    deploys = {s["name"]: s["actions"][0]["configuration"] for s in pipeline.inputs["stages"]
               if s["name"].startswith("Deploy")}
    assert {stage: c["DeployStrategy"] for stage, c in deploys.items()} == \
        {"DeployStaging": deploy_strategy, "DeployProd": deploy_strategy}
    # The GitHub Actions path's CodeDeploy group paces the same way.
    group = rec.one("aws:codedeploy/deploymentGroup:DeploymentGroup", f"{service}-prod-deployment-group")
    assert group.inputs["deploymentConfigName"] == codedeploy_config


def _group_wait(rec, name: str) -> int:
    group = rec.one("aws:codedeploy/deploymentGroup:DeploymentGroup", name)
    return group.inputs["blueGreenDeploymentConfig"]["terminateBlueInstancesOnDeploymentSuccess"][
        "terminationWaitTimeInMinutes"]


def test_termination_wait_defaults_to_60_in_prod_and_5_in_dev(rec):
    assert _group_wait(rec, "orders-prod-deployment-group") == 60
    assert _group_wait(run_program("dev"), "web-prod-deployment-group") == 5


def test_termination_wait_is_configurable_per_service():
    orders, catalog = _raw("prod-orders")["services"], _raw("prod-catalog")["services"]
    orders[0]["terminationWaitMinutes"], catalog[0]["terminationWaitMinutes"] = 120, 45
    rec = run_program("prod-orders", {"services": orders})
    assert _group_wait(rec, "orders-staging-deployment-group") == 120
    rec = run_program("prod-catalog", {"services": catalog})
    catalog = rec.one("aws:ecs/service:Service", "catalog-prod-service")
    assert catalog.inputs["deploymentConfiguration"]["bakeTimeInMinutes"] == "45"


IMAGE = f"111111111111.dkr.ecr.us-east-1.amazonaws.com/cicd/thumbs@sha256:{'a' * 64}"


@pytest.fixture(scope="module")
def image_function():
    thumbs = {"name": "thumbs", "kind": "lambda", "repository": "example-org/thumbs", "image": IMAGE,
              "strategy": "canary"}
    return run_program("prod-notifier", {"services": [thumbs]}, expect_error=True)


def test_image_functions_stop_the_program_before_the_first_resource(image_function):
    """action-reference-LambdaDeploy.html documents a .zip input artifact only: config validation says so."""
    assert "services[0].image: is not supported" in str(image_function.error)
    assert image_function.resources == []
