"""The release gates (stack rules): a prod deploy runs after a Manual approval and after a staging deploy.

Order: stages in list order; inside a stage, runOrder groups (default 1; equal runOrder = parallel).
Deploys: by category / name, or a CodeBuild / Commands action that runs a deploy command.
"""
import json

import pytest
import yaml

from preflight.pack_config import PackConfigError
from tests.policies.conftest import aws_provider, resource, urn
from tests.policies.test_codepipeline import (APPROVAL, APPROVAL_GATE, BUILD, PIPELINE, PROD, PROD_CONFIG,
                                              PROD_DEPLOY, SEED_PIPELINE, SOURCE, STAGING, STAGING_DEPLOY,
                                              STAGING_FIRST, TOOLING, TOOLING_PROVIDER, TOPIC, action,
                                              pipeline, stage)

PROJECT = "aws:codebuild/project:Project"


def gates(pack, props, *others, config=None, name="orders", stages_depend_on=()):
    subject = resource(PIPELINE, props, name=name, provider=TOOLING_PROVIDER,
                       property_dependencies={"stages": list(stages_depend_on)} if stages_depend_on else None)
    return pack.analyze_stack([subject, *others], config if config is not None else PROD_CONFIG)


def project(name, commands, *, env=None, variables=(), account=TOOLING, props=None, logical=None):
    spec = {"version": 0.2, "phases": {"build": {"commands": list(commands)}}}
    if env:
        spec["env"] = {"variables": env}
    body = {"name": name, "source": {"type": "CODEPIPELINE", "buildspec": yaml.safe_dump(spec)},
            "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                            "type": "LINUX_CONTAINER", "environmentVariables": list(variables)}}
    body.update(props or {})
    return resource(PROJECT, body, name=logical or name, provider=aws_provider(account, name=f"p{account}"))


def build_stage(stage_name, project_name, category="Build", action_name="Run", **configuration):
    return stage(stage_name, action(action_name, category, "CodeBuild", ProjectName=project_name, **configuration))


# ---- approval before prod deploys: stages and runOrder ----------------------------------

def test_prod_deploy_named_prod_without_approval_violates(pack):
    r = gates(pack, pipeline(SOURCE, BUILD, STAGING_DEPLOY, PROD_DEPLOY), config={})
    [d] = r.of(APPROVAL_GATE)
    assert d.enforcement == "mandatory" and d.severity == "critical" and d.urn == urn(PIPELINE, "orders")
    assert '"orders"' in d.message and 'stage "DeployProd"' in d.message and "Manual" in d.message
    spaced = stage("Deploy Production", action("Roll out", "Deploy", "ECS"))
    [e] = gates(pack, pipeline(SOURCE, STAGING_DEPLOY, spaced), config={}).of(APPROVAL_GATE)
    assert 'action "Roll out" (stage "Deploy Production")' in e.message
    # "production-like" names that are not prod words do not count.
    product = stage("DeployProductCatalog", action("Deploy", "Deploy", "ECS"))
    assert not gates(pack, pipeline(SOURCE, STAGING_DEPLOY, product), config={}).of(APPROVAL_GATE)


def test_seed_pipeline_gates_prod_but_has_no_staging_deploy(pack):
    r = gates(pack, SEED_PIPELINE, config={}, name="myapp-pipeline")
    assert not r.of(APPROVAL_GATE)
    [s] = r.of(STAGING_FIRST)
    assert '"DeployECS"' in s.message and '"DeployProduction"' in s.message


def test_prod_by_role_account_needs_approval_before_it(pack):
    release = stage("Release", action("Ship", "Deploy", "ECS", role=PROD),
                    action("Approve", "Approval", "Manual", NotificationArn=TOPIC))
    props = pipeline(SOURCE, STAGING_DEPLOY, release)
    [d] = gates(pack, props).of(APPROVAL_GATE)
    assert 'action "Ship" (stage "Release")' in d.message
    assert 'approval "Approve" has the same runOrder, so both run in parallel' in d.message
    # Without the prod account configured, neither name nor account marks "Ship" as prod.
    assert not gates(pack, props, config={}).of(APPROVAL_GATE)


@pytest.mark.parametrize("approve_order, deploy_order, gated", [
    (1, 2, True), (None, 2, True), (2, 3, True), (1, 1, False), (None, None, False), (2, 1, False), (3, 2, False)])
def test_approval_and_deploy_in_one_stage_follow_run_order(pack, approve_order, deploy_order, gated):
    approve = action("Approve", "Approval", "Manual", NotificationArn=TOPIC)
    deploy = action("Deploy", "Deploy", "ECS", role=PROD)
    for a, order in ((approve, approve_order), (deploy, deploy_order)):
        if order is not None:
            a["runOrder"] = order
    r = gates(pack, pipeline(SOURCE, STAGING_DEPLOY, stage("Release", deploy, approve)))
    assert bool(r.of(APPROVAL_GATE)) is not gated, (approve_order, deploy_order)


def test_staging_deploy_earlier_in_the_same_stage_counts(pack):
    staging = action("Staging", "Deploy", "ECS", role=STAGING)
    approve = dict(action("Approve", "Approval", "Manual", NotificationArn=TOPIC), runOrder=2)
    prod = dict(action("Prod", "Deploy", "ECS", role=PROD), runOrder=3)
    r = gates(pack, pipeline(SOURCE, stage("Release", prod, approve, staging)))
    assert not r.of(APPROVAL_GATE) and not r.of(STAGING_FIRST)
    parallel = gates(pack, pipeline(SOURCE, stage("Release", dict(prod, runOrder=1), staging), APPROVAL,
                                    PROD_DEPLOY))
    [s] = parallel.of(STAGING_FIRST)
    assert 'action "Prod" (stage "Release")' in s.message


def test_prod_approval_cannot_be_waived(pack):
    waiver = {"waivers": [{"resource": "*", "reason": "temporary exception", "expires": "2099-01-01"}]}
    with pytest.raises(PackConfigError, match=f"^policy pack config: {APPROVAL_GATE}: cannot be waived; "
                                              "remove its waivers$"):
        gates(pack, pipeline(SOURCE, STAGING_DEPLOY, PROD_DEPLOY), config={APPROVAL_GATE: waiver})


def test_prod_deploy_without_staging_first_violates(pack):
    [d] = gates(pack, pipeline(SOURCE, BUILD, APPROVAL, PROD_DEPLOY)).of(STAGING_FIRST)
    assert d.severity == "high" and d.enforcement == "mandatory"
    assert "staging deploy" in d.message and 'stage "DeployProd"' in d.message


# ---- build / commands actions that deploy --------------------------------------------------

def test_build_action_running_pulumi_up_on_prod_needs_approval(pack):
    infra = project("orders-infra", ["npm ci", "pulumi up --stack acme/orders/prod --yes"])
    props = pipeline(SOURCE, STAGING_DEPLOY, build_stage("Infra", "orders-infra"))
    [d] = gates(pack, props, infra).of(APPROVAL_GATE)
    assert 'action "Run" (stage "Infra")' in d.message
    assert ('its CodeBuild project "orders-infra" runs `pulumi up --stack acme/orders/prod --yes`'
            in d.message) and 'names "acme/orders/prod"' in d.message
    assert not gates(pack, pipeline(SOURCE, STAGING_DEPLOY, APPROVAL, build_stage("Infra", "orders-infra")),
                     infra).of(APPROVAL_GATE)


@pytest.mark.parametrize("commands, env, variables, overrides, why", [
    (["aws sts assume-role --role-arn arn:aws:iam::444444444444:role/deploy --role-session-name ci",
      "npx cdk deploy --all --require-approval never"], None, (), None, "in prod account 444444444444"),
    (["terraform init", "terraform workspace select production", "terraform apply -auto-approve"], None, (),
     None, 'names "production"'),
    (["sam deploy --stack-name $STACK --no-confirm-changeset"], {"STACK": "orders-prod"}, (), None,
     "its variable STACK"),
    (["aws ecs update-service --cluster orders --service api --force-new-deployment"], None,
     [{"name": "DEPLOY_ROLE_ARN", "value": "arn:aws:iam::444444444444:role/deploy", "type": "PLAINTEXT"}],
     None, "its variable DEPLOY_ROLE_ARN"),
    (["helm upgrade --install orders ./chart --kube-context $STAGE"], {"STAGE": "staging"}, (),
     [{"name": "STAGE", "value": "prod"}], "its variable STAGE"),
])
def test_prod_evidence_of_a_deploying_build(pack, commands, env, variables, overrides, why):
    deployer = project("orders-release", commands, env=env, variables=variables)
    configuration = {"EnvironmentVariables": json.dumps(overrides)} if overrides else {}
    props = pipeline(SOURCE, STAGING_DEPLOY, build_stage("Release", "orders-release", **configuration))
    [d] = gates(pack, props, deployer).of(APPROVAL_GATE)
    assert why in d.message, d.message


def test_project_in_the_prod_account_deploys_to_prod(pack):
    deployer = project("orders-release", ["kubectl apply -f k8s/"], account=PROD)
    [d] = gates(pack, pipeline(SOURCE, STAGING_DEPLOY, build_stage("Release", "orders-release")),
                deployer).of(APPROVAL_GATE)
    assert f"runs in prod account {PROD}" in d.message


def test_builds_that_do_not_deploy_to_prod_are_not_gated(pack):
    for commands in (["pytest", "docker build -t x:$CODEBUILD_RESOLVED_SOURCE_VERSION ."],
                     ["pulumi preview --stack prod"], ["cdk synth OrdersProdStack"],
                     ["kubectl apply --dry-run=server -f k8s/prod/"],
                     ["aws cloudformation deploy --stack-name orders-prod --no-execute-changeset"],
                     ["echo 'pulumi up --stack prod'"]):
        p = project("orders-check", commands)
        r = gates(pack, pipeline(SOURCE, build_stage("Check", "orders-check")), p)
        assert not r.of(APPROVAL_GATE) and not r.of(STAGING_FIRST), commands


def test_staging_deploy_by_a_build_counts_as_the_staging_stage(pack):
    staging = project("orders-staging", ["pulumi up --stack acme/orders/staging --yes"])
    props = pipeline(SOURCE, build_stage("Staging", "orders-staging"), APPROVAL, PROD_DEPLOY)
    r = gates(pack, props, staging)
    assert not r.of(STAGING_FIRST) and not r.of(APPROVAL_GATE)
    assert gates(pack, props).of(STAGING_FIRST), "without the project the Build action deploys nothing"


def test_buildspec_file_is_unknown_content(pack):
    release = project("orders-release", [], props={"source": {"type": "CODEPIPELINE",
                                                               "buildspec": "deploy/prod.yml"}})
    r = gates(pack, pipeline(SOURCE, STAGING_DEPLOY, build_stage("Release", "orders-release")), release)
    assert not r.of(APPROVAL_GATE)


def test_commands_action_that_deploys_to_prod_needs_approval(pack):
    commands = dict(action("Ship", "Compute", "Commands"),
                    commands=["npm ci", "npx cdk deploy OrdersProdStack --require-approval never"])
    [d] = gates(pack, pipeline(SOURCE, STAGING_DEPLOY, stage("Ship", commands))).of(APPROVAL_GATE)
    assert "(it runs `npx cdk deploy OrdersProdStack --require-approval never`" in d.message
    assert 'names "OrdersProdStack"' in d.message


def test_project_joined_by_dependency_when_its_name_is_not_the_value(pack):
    infra = project("orders-infra-7f3a", ["pulumi up --stack prod --yes"], logical="infra")
    props = pipeline(SOURCE, STAGING_DEPLOY, build_stage("Infra", "unresolved-name"))
    assert gates(pack, props, infra, stages_depend_on=[infra.urn]).of(APPROVAL_GATE)
    assert not gates(pack, props, infra).of(APPROVAL_GATE)
