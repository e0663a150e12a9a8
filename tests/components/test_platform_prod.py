"""The prod layout as the program registers it - the foundation (prod) and the service stacks reading it
(prod-orders, prod-payments, prod-catalog, prod-notifier): accounts, ECR, pipelines, images, protection."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.components.harness import PROD_LAYOUT, Recording, merged, run_layout

TOOLING, STAGING, PROD = "111111111111", "222222222222", "333333333333"
STAGE_ORDER = ["Source", "Build", "DeployStaging", "IntegrationTest", "Approval", "DeployProd"]
WORKLOAD_COMPONENTS = {"EcsBlueGreenService", "LambdaCanaryService", "LambdaInvokeRole", "CrossAccountDeployRole",
                       "GitHubActionsDeployer"}


@pytest.fixture(scope="module")
def layout() -> dict[str, Recording]:
    return run_layout()


@pytest.fixture(scope="module")
def rec(layout) -> Recording:
    return merged(layout)


def _owner(rec: Recording, reg) -> str:
    """The account a resource belongs to, from the component it was created in."""
    for ancestor in rec.ancestors(reg):
        kind = ancestor.type.rsplit(":", 1)[-1]
        if kind in WORKLOAD_COMPONENTS:
            env = [part for part in ancestor.name.split("-") if part in ("staging", "prod")]
            return {"staging": STAGING, "prod": PROD}[env[0]]
        if kind == "Account":
            return {"tooling": TOOLING, "staging": STAGING, "prod": PROD}[ancestor.name]
        if kind in ("ArtifactStore", "ArtifactAccess", "ContainerRegistry", "RegistryPull", "BuildProject",
                    "DeliveryPipeline", "Notifications", "NotificationPublishers", "PipelineRole"):
            return TOOLING
    raise AssertionError(f"{reg.name} has no owning component")


def test_every_aws_resource_uses_its_owning_accounts_explicit_provider(rec, layout):
    resources = rec.aws_resources()
    assert len(resources) > 200
    for reg in resources:
        assert reg.provider is not None, f"{reg.type} {reg.name} uses the default provider"
        assert rec.account_of(reg) == _owner(rec, reg), reg.name
    # Each stack has its own providers for the three accounts: a provider is never shared across stacks.
    for stack in layout.values():
        providers = stack.of_type("pulumi:providers:aws")
        assert sorted(json.loads(p.inputs["allowedAccountIds"])[0] for p in providers) == [TOOLING, STAGING, PROD]
        roles = sorted(json.loads(p.inputs["assumeRoles"])[0]["roleArn"] for p in providers)
        assert roles == [f"arn:aws:iam::{a}:role/PulumiBootstrap" for a in (TOOLING, STAGING, PROD)]
        assert all(reg.provider_urn.startswith(f"urn:pulumi:{stack.stack}::") for reg in stack.aws_resources())


def test_ecr_repositories_are_immutable_scanned_kms_encrypted_and_expire_everything(rec):
    repos = rec.of_type("aws:ecr/repository:Repository")
    assert sorted(r.inputs["name"] for r in repos) == ["cicd/catalog", "cicd/orders", "cicd/payments"]
    policies = {p.inputs["repository"]: json.loads(p.inputs["policy"])
                for p in rec.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")}
    for repo in repos:
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
        assert repo.protect and repo.retain_on_delete and not repo.inputs.get("forceDelete")
        rules = sorted(policies[repo.inputs["name"]]["rules"], key=lambda r: r["rulePriority"])
        assert rules[0]["selection"]["tagStatus"] == "untagged"
        assert rules[1]["selection"]["tagPrefixList"] == ["sha-"]
        # The catch-all must come last: ECR requires `any` to carry the highest priority.
        assert rules[-1]["selection"]["tagStatus"] == "any" and rules[-1]["action"]["type"] == "expire"
        assert rules[-1]["selection"]["countNumber"] == 400


def _pipelines(rec):
    return {p.inputs["name"]: p for p in rec.of_type("aws:codepipeline/pipeline:Pipeline")}


def test_every_pipeline_is_v2_codestar_sourced_with_exact_stage_order(rec):
    pipelines = _pipelines(rec)
    assert sorted(pipelines) == ["cicd-catalog", "cicd-notifier", "cicd-orders", "cicd-payments"]
    key_arn = rec.one("aws:kms/key:Key", "artifacts-key").outputs["arn"]
    for name, p in pipelines.items():
        assert p.inputs["pipelineType"] == "V2"
        assert [s["name"] for s in p.inputs["stages"]] == STAGE_ORDER
        source = p.inputs["stages"][0]["actions"][0]
        assert (source["owner"], source["provider"]) == ("AWS", "CodeStarSourceConnection")
        assert "OAuthToken" not in source["configuration"]
        assert source["configuration"]["ConnectionArn"].startswith(f"arn:aws:codestar-connections:us-east-1:{TOOLING}:")
        store = p.inputs["artifactStores"][0]
        assert store["encryptionKey"] == {"id": key_arn, "type": "KMS"} and ":alias/" not in key_arn
        push = p.inputs["triggers"][0]["gitConfiguration"]["pushes"][0]
        assert push["branches"]["includes"] == ["release" if name == "cicd-payments" else "main"]


def test_cross_account_actions_run_as_that_accounts_deploy_role_after_a_notifying_approval(rec):
    topic = rec.one("aws:sns/topic:Topic").outputs["arn"]
    for p in _pipelines(rec).values():
        stages = {s["name"]: s["actions"][0] for s in p.inputs["stages"]}
        assert stages["DeployStaging"]["roleArn"] == f"arn:aws:iam::{STAGING}:role/cicd-staging-deploy"
        assert stages["DeployProd"]["roleArn"] == f"arn:aws:iam::{PROD}:role/cicd-prod-deploy"
        assert (stages["Approval"]["provider"], stages["Approval"]["configuration"]["NotificationArn"]) == \
            ("Manual", topic)
    providers = {n: {s["name"]: s["actions"][0]["provider"] for s in p.inputs["stages"]}
                 for n, p in _pipelines(rec).items()}
    assert providers["cicd-orders"]["DeployProd"] == "CodeDeployToECS"
    assert providers["cicd-payments"]["DeployProd"] == "ECS"
    assert providers["cicd-catalog"]["DeployStaging"] == "ECS"
    assert providers["cicd-notifier"]["DeployProd"] == "Lambda"


def test_every_prod_deploy_is_a_deploy_action_of_the_prod_role_after_the_approval(rec):
    for name, p in _pipelines(rec).items():
        actions = [(i, a) for i, s in enumerate(p.inputs["stages"]) for a in s["actions"]]
        approval = next(i for i, a in actions if (a["category"], a["provider"]) == ("Approval", "Manual"))
        prod = [(i, a) for i, a in actions if a.get("roleArn", "").startswith(f"arn:aws:iam::{PROD}:")]
        assert [(a["name"], a["category"], a["roleArn"]) for _, a in prod] == \
            [("DeployProd", "Deploy", f"arn:aws:iam::{PROD}:role/cicd-prod-deploy")], name
        assert prod[0][0] > approval, name
        assert not [a for _, a in actions if a["category"] == "Compute"], name


def test_lambda_services_deploy_with_the_lambda_deploy_action_in_both_environments(rec):
    stages = {s["name"]: s["actions"][0] for s in _pipelines(rec)["cicd-notifier"].inputs["stages"]}
    for stage, account in (("DeployStaging", STAGING), ("DeployProd", PROD)):
        env = stage.removeprefix("Deploy").lower()
        action = stages[stage]
        alarms = sorted(a.inputs["name"] for a in rec.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                        if a.name.startswith(f"notifier-{env}-"))
        assert alarms == [f"cicd-{env}-notifier-errors", f"cicd-{env}-notifier-throttles"]
        assert all(rec.account_of(a) == account for a in rec.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                   if a.name.startswith(f"notifier-{env}-"))
        assert (action["category"], action["owner"], action["provider"], action["version"]) == \
            ("Deploy", "AWS", "Lambda", "1")
        assert action["configuration"] == {
            "FunctionName": f"cicd-{env}-notifier", "FunctionAlias": "live",
            "DeployStrategy": "Canary10Percent5Minutes", "Alarms": ",".join(alarms)}
        assert action["roleArn"] == f"arn:aws:iam::{account}:role/cicd-{env}-deploy"
        assert action["inputArtifacts"] == stages["Build"]["outputArtifacts"] == ["build"]
        function = rec.one("aws:lambda/function:Function", f"notifier-{env}-function")
        alias = rec.one("aws:lambda/alias:Alias", f"notifier-{env}-alias")
        assert (function.inputs["name"], alias.inputs["name"], rec.account_of(function)) == \
            (f"cicd-{env}-notifier", "live", account)


def test_notification_rules_cover_failed_succeeded_and_approval(rec):
    rules = rec.of_type("aws:codestarnotifications/notificationRule:NotificationRule")
    assert len(rules) == 4
    topic = rec.one("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == rec.one("aws:kms/key:Key", "notifications-key").outputs["arn"]
    for rule in rules:
        assert {"codepipeline-pipeline-pipeline-execution-failed", "codepipeline-pipeline-manual-approval-needed",
                "codepipeline-pipeline-pipeline-execution-succeeded"} == set(rule.inputs["eventTypeIds"])
        assert {t["address"] for t in rule.inputs["targets"]} == {
            topic.outputs["arn"], f"arn:aws:sns:us-east-1:{TOOLING}:chatops-deployments"}


def _image_refs(rec):
    for reg in rec.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        yield from (c["image"] for c in json.loads(reg.inputs["containerDefinitions"]))
    for reg in rec.of_type("aws:codebuild/project:Project"):
        spec = yaml.safe_load(reg.inputs["source"]["buildspec"])
        text = json.dumps(spec)
        yield from re.findall(r'\$REPOSITORY_URI:[^" ]+', text)


def test_no_image_reference_is_latest_or_unpinned(rec):
    refs = list(_image_refs(rec))
    assert len(refs) >= 6
    for ref in refs:
        assert not ref.endswith(":latest")
        assert re.search(r":sha-[0-9a-f$]|@sha256:", ref), ref
    task_images = [json.loads(r.inputs["containerDefinitions"])[0]["image"]
                   for r in rec.of_type("aws:ecs/taskDefinition:TaskDefinition")]
    assert f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/cicd/orders:sha-9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d" \
        in task_images


def test_build_projects_encrypt_log_cache_and_hold_no_plaintext_secrets(rec):
    key_arn = rec.one("aws:kms/key:Key", "artifacts-key").outputs["arn"]
    projects = {p.inputs["name"]: p for p in rec.of_type("aws:codebuild/project:Project")}
    assert len(projects) == 8
    for name, p in projects.items():
        env = p.inputs["environment"]
        assert p.inputs["encryptionKey"] == key_arn
        assert p.inputs["logsConfig"]["cloudwatchLogs"]["status"] == "ENABLED"
        assert p.inputs["cache"]["type"] == "S3" and "/cache/" in p.inputs["cache"]["location"]
        assert env["computeType"] == "BUILD_GENERAL1_MEDIUM"
        assert env.get("privilegedMode", False) == name.endswith("-image")
        for var in env.get("environmentVariables", []):
            assert var["name"] in {"REPOSITORY_URI", "TEST_URL", "HEALTH_CHECK_PATH", "FUNCTION_NAME", "TEST_ROLE_ARN",
                                   "FUNCTION_ALIAS"}, var
    orders = yaml.safe_load(projects["cicd-tooling-orders-image"].inputs["source"]["buildspec"])
    assert orders["env"]["parameter-store"] == {"DATABASE_URL": "/orders/prod/database-url"}
    assert orders["env"]["secrets-manager"] == {"API_TOKEN": "orders/prod/api:token"}


def test_stateful_resources_are_protected_and_retained(rec):
    stateful = [r for r in rec.aws_resources() if r.type in (
        "aws:ecr/repository:Repository", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup")]
    assert len(stateful) >= 20
    for reg in stateful:
        assert reg.protect and reg.retain_on_delete, reg.name
        assert not reg.inputs.get("forceDestroy") and not reg.inputs.get("forceDelete")
    for group in rec.of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert group.inputs["retentionInDays"] in (365,), group.name


def test_codedeploy_ecs_build_writes_task_templates_for_both_accounts(rec):
    spec = yaml.safe_load(rec.one("aws:codebuild/project:Project", "orders-image-project").inputs["source"]["buildspec"])
    assert spec["artifacts"]["files"] == ["imagedefinitions.json", "imageDetail.json", "appspec.yaml",
                                          "taskdef-prod.json", "taskdef-staging.json"]
    writes = " ".join(spec["phases"]["post_build"]["commands"])
    assert f"arn:aws:iam::{PROD}:role/" in writes and f"arn:aws:iam::{STAGING}:role/" in writes
    assert '"image":"<IMAGE1_NAME>"' in writes and '"TaskDefinition":"<TASK_DEFINITION>"' in writes


def test_registrations_are_deterministic(rec):
    """Same URNs with the same inputs on every run (registration order itself is async in the SDK)."""
    again = merged(run_layout(PROD_LAYOUT))
    assert len({r.urn for r in rec.resources}) == len(rec.resources)
    def canonical(r):   # assets compare by identity; their path is what matters
        return json.dumps(r.inputs, sort_keys=True, default=lambda o: [type(o).__name__, getattr(o, "path", None)])
    assert {r.urn: canonical(r) for r in again.resources} == {r.urn: canonical(r) for r in rec.resources}
