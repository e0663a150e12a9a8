"""Two layouts, one program (issue 10, item 1): the prod foundation exports what services need and holds no
pipeline; each prod service stack holds one service and reads the foundation - with its outputs known (as
`pulumi up` after the foundation's), unknown (a preview that cannot read them), or disagreeing (a config error)."""
from __future__ import annotations

import copy
import json

import pytest

from tests.components.harness import PROD_LAYOUT, run_program

TOOLING, STAGING, PROD = "111111111111", "222222222222", "333333333333"
SERVICES = {"prod-orders": "orders", "prod-payments": "payments", "prod-catalog": "catalog",
            "prod-notifier": "notifier"}
SERVICE_TYPES = ("aws:codepipeline/pipeline:Pipeline", "aws:codebuild/project:Project", "aws:ecr/repository:Repository",
                 "aws:ecs/service:Service", "aws:lambda/function:Function")


@pytest.fixture(scope="module")
def foundation():
    return run_program("prod")


def test_the_foundation_exports_what_services_need(foundation):
    out = foundation.outputs
    assert (out["prefix"], out["artifact_bucket"]) == ("cicd", f"cicd-tooling-artifacts-{TOOLING}-us-east-1")
    assert out["accounts"] == {role: {"id": i, "region": "us-east-1"}
                               for role, i in (("tooling", TOOLING), ("staging", STAGING), ("prod", PROD))}
    assert out["networks"]["prod"]["vpcId"] == "vpc-03333333333333333"
    assert out["service_stacks"] == {s: f"organization/aws-cicd-platform/{stack}" for stack, s in SERVICES.items()}
    keys = {k.name: k.outputs["arn"] for k in foundation.of_type("aws:kms/key:Key")}
    assert (out["artifact_key_arn"], out["notifications_key_arn"]) == (keys["artifacts-key"], keys["notifications-key"])
    assert out["notifications_topic_arn"] == f"arn:aws:sns:us-east-1:{TOOLING}:cicd-tooling-pipeline-events"
    assert out["pipeline_role_arns"] == {s: f"arn:aws:iam::{TOOLING}:role/cicd-tooling-{s}-pipeline"
                                         for s in SERVICES.values()}
    assert out["deploy_role_arns"] == {"staging": f"arn:aws:iam::{STAGING}:role/cicd-staging-deploy",
                                       "prod": f"arn:aws:iam::{PROD}:role/cicd-prod-deploy"}
    assert sorted(out["github_actions_role_arns"]) == ["prod", "staging"]


def test_the_foundation_holds_no_service_pipelines(foundation):
    assert [r.name for t in SERVICE_TYPES for r in foundation.of_type(t)] == []
    assert sorted(r.name for r in foundation.of_type("aws:iam/role:Role") if r.name.endswith("pipeline-role-role")) == \
        sorted(f"{s}-pipeline-role-role" for s in SERVICES.values())


def test_the_artifact_key_names_the_service_stacks_build_roles_by_condition(foundation):
    """Those roles are created after the foundation; KMS refuses a key policy naming a principal that does not
    exist, not an aws:PrincipalArn condition (the account principal delegates to each role's own IAM allow)."""
    policy = json.loads(foundation.one("aws:kms/keyPolicy:KeyPolicy", "artifacts-key-policy").inputs["policy"])
    grants = {s["Sid"]: s for s in policy["Statement"]}
    assert grants["ToolingRolesUseKey"]["Principal"]["AWS"] == \
        sorted(f"arn:aws:iam::{TOOLING}:role/cicd-tooling-{s}-pipeline" for s in SERVICES.values())
    later = grants["ServiceStackRolesUseKey"]
    assert later["Principal"] == {"AWS": [f"arn:aws:iam::{TOOLING}:root"]}
    assert later["Condition"] == {"ArnEquals": {"aws:PrincipalArn": sorted(
        f"arn:aws:iam::{TOOLING}:role/cicd-tooling-{s}-{purpose}-build"
        for s in SERVICES.values() for purpose in ("image", "package", "integration-test"))}}


@pytest.mark.parametrize("stack", PROD_LAYOUT[1:])
def test_each_service_stack_runs_with_the_foundations_outputs(stack, foundation):
    rec = run_program(stack, stack_outputs={"prod": foundation.outputs})
    service = SERVICES[stack]
    assert [p.inputs["name"] for p in rec.of_type("aws:codepipeline/pipeline:Pipeline")] == [f"cicd-{service}"]
    assert rec.outputs["pipelines"][service]["name"] == f"cicd-{service}"
    pipeline = rec.one("aws:codepipeline/pipeline:Pipeline")
    assert pipeline.inputs["artifactStores"][0]["encryptionKey"]["id"] == foundation.outputs["artifact_key_arn"]
    assert pipeline.inputs["roleArn"] == foundation.outputs["pipeline_role_arns"][service]
    # Its own providers, for the foundation's accounts.
    assert sorted(rec.account_of(p) for p in rec.of_type("aws:codebuild/project:Project")) == [TOOLING, TOOLING]


@pytest.mark.parametrize("stack", PROD_LAYOUT[1:])
def test_each_service_stack_previews_with_the_foundations_outputs_unknown(stack):
    rec = run_program(stack, stack_outputs={}, preview=True)
    assert rec.error is None
    projects = rec.of_type("aws:codebuild/project:Project")
    assert len(projects) == 2 and not any(isinstance(p.inputs.get("encryptionKey"), str) for p in projects)


def test_an_update_without_the_foundations_outputs_stops_with_the_fix():
    rec = run_program("prod-orders", stack_outputs={}, expect_error=True)
    assert str(rec.error) == ("aws-cicd-platform:foundation: must name a deployed foundation stack (scope: "
                              "foundation): prod exports no service_stacks; run `pulumi up` on it first, got \"prod\"")


def _disagree(outputs: dict, path: str, value) -> dict:
    changed = copy.deepcopy(outputs)
    *keys, last = path.split(".")
    node = changed
    for key in keys:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return changed


@pytest.mark.parametrize("path,value,expected", [
    ("service_stacks.orders", None,
     'services[0].name: must be listed in serviceStacks of the foundation prod with this stack '
     '(organization/aws-cicd-platform/prod-orders); it lists no stack for it, got "orders"'),
    ("service_stacks.orders", "organization/aws-cicd-platform/prod-shop",
     'services[0].name: must be listed in serviceStacks of the foundation prod with this stack '
     '(organization/aws-cicd-platform/prod-orders); it lists organization/aws-cicd-platform/prod-shop for it, '
     'got "orders"'),
    ("prefix", "shop", 'prefix: must equal the foundation\'s (prod exports "shop"), got "cicd"'),
    ("accounts.staging.id", "444444444444",
     'accounts.staging.id: must equal the foundation\'s (prod exports "444444444444"), got "222222222222"'),
    ("networks.prod.vpcCidr", "10.31.0.0/16",
     'networks.prod.vpcCidr: must equal the foundation\'s (prod exports "10.31.0.0/16"), got "10.30.0.0/16"'),
])
def test_a_foundation_that_disagrees_stops_the_program_with_the_key_path(path, value, expected, foundation):
    rec = run_program("prod-orders", stack_outputs={"prod": _disagree(foundation.outputs, path, value)},
                      expect_error=True)
    assert str(rec.error) == f"aws-cicd-platform:{expected}"


def test_the_foundation_may_be_named_in_full(foundation):
    full = "organization/aws-cicd-platform/prod"
    rec = run_program("prod-payments", {"foundation": full}, stack_outputs={full: foundation.outputs})
    assert rec.error is None and len(rec.of_type("aws:codepipeline/pipeline:Pipeline")) == 1
