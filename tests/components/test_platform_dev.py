"""The dev stack: one sandbox account for all three roles, nothing protected, names never collide."""
import json

import pytest

from tests.components.harness import run_program

SANDBOX = "444455556666"


@pytest.fixture(scope="module")
def rec():
    return run_program("dev")


def test_one_account_three_providers_and_unique_physical_names(rec):
    assert {rec.account_of(r) for r in rec.aws_resources()} == {SANDBOX}
    assert len(rec.of_type("pulumi:providers:aws")) == 3
    role_names = [r.inputs["name"] for r in rec.of_type("aws:iam/role:Role")]
    assert len(role_names) == len(set(role_names))
    assert {"cicd-staging-deploy", "cicd-prod-deploy"} <= set(role_names)


def test_github_oidc_provider_created_once_per_account(rec):
    providers = rec.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert len(providers) == 1
    trusts = [json.loads(r.inputs["assumeRolePolicy"]) for r in rec.of_type("aws:iam/role:Role")
              if r.inputs["name"].startswith("cicd-prod-github")]
    condition = trusts[0]["Statement"][0]["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:sub"] == \
        "repo:example-org/platform-sandbox:environment:production"


def test_nothing_protected_and_relaxed_retention(rec):
    assert not any(r.protect or r.retain_on_delete for r in rec.resources)
    assert {g.inputs["retentionInDays"] for g in rec.of_type("aws:cloudwatch/logGroup:LogGroup")} == {7}
    assert rec.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is True
    pipelines = {p.inputs["name"] for p in rec.of_type("aws:codepipeline/pipeline:Pipeline")}
    assert pipelines == {"cicd-web", "cicd-events"}
