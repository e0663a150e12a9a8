"""GitHubActionsDeployer under the SDK mocks: OIDC provider once per account, pinned trust."""
import json

import pulumi
import pytest

from components.github_oidc import GitHubActionsDeployer, GitHubActionsDeployerArgs
from tests.components.workload_lint import findings
from tests.components.workload_mocks import (PROD_ID, STAGING_ID, assert_children_use_account, make_account,
                                             missing_tags, run)

TYPE = "aws-cicd-platform:components:GitHubActionsDeployer"
PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
OIDC = f"arn:aws:iam::{PROD_ID}:oidc-provider/token.actions.githubusercontent.com"
UPDATE_SERVICE = {"Sid": "UpdateOrders", "Effect": "Allow",
                  "Action": ["ecs:UpdateService", "ecs:DescribeServices"],
                  "Resource": f"arn:aws:ecs:eu-west-1:{PROD_ID}:service/cicd-prod-orders/cicd-prod-orders"}


def args(account, **overrides):
    values = dict(account=account, environment="prod", prefix="cicd", repository="acme/orders",
                  subject="environment:production", policy_statements=[UPDATE_SERVICE])
    return GitHubActionsDeployerArgs(**{**values, **overrides})


def build(**overrides):
    def program():
        return GitHubActionsDeployer("prod-github", args(make_account("prod", PROD_ID), **overrides))
    return run(program, lambda d: [d.role_arn, d.oidc_provider_arn])


@pytest.fixture(scope="module")
def deployer():
    return build()


def test_prod_trust_pins_audience_and_the_production_environment(deployer):
    trust = json.loads(deployer.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": OIDC}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/orders:environment:production"}


def test_provider_is_created_for_github_with_the_sts_audience(deployer):
    provider = deployer.one(PROVIDER).inputs
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]
    assert deployer.result[1] == [f"arn:aws:iam::{PROD_ID}:role/cicd-prod-github-orders", OIDC]


def test_role_gets_exactly_the_given_statements(deployer):
    policy = json.loads(deployer.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy["Statement"] == [UPDATE_SERVICE]
    assert findings(policy) == []
    assert findings(deployer.one("aws:iam/role:Role").inputs["assumeRolePolicy"]) == []


def test_every_child_uses_the_prod_provider_and_the_component(deployer):
    assert_children_use_account(deployer, TYPE, "prod")
    assert missing_tags(deployer, {"environment": "prod", "service": "platform"}) == []


def test_second_deployer_in_the_same_account_reuses_the_provider():
    def program():
        account = make_account("staging", STAGING_ID)
        main = "ref:refs/heads/main"
        first = GitHubActionsDeployer("orders-gh", args(account, environment="staging", subject=main))
        second = GitHubActionsDeployer("thumbs-gh", args(account, environment="staging", subject=main,
                                                         repository="acme/thumbs",
                                                         oidc_provider_arn=first.oidc_provider_arn))
        return second
    result = run(program, lambda d: [d.oidc_provider_arn])
    assert len(result.of_type(PROVIDER)) == 1
    assert result.result[1] == [
        f"arn:aws:iam::{STAGING_ID}:oidc-provider/token.actions.githubusercontent.com"]
    names = sorted(r.inputs["name"] for r in result.of_type("aws:iam/role:Role"))
    assert names == ["cicd-staging-github-orders", "cicd-staging-github-thumbs"]


@pytest.mark.parametrize("overrides, message", [
    ({"subject": "ref:refs/heads/main"}, "prod roles must be pinned to a GitHub environment"),
    ({"subject": "environment:*"}, "no wildcard"),
    ({"repository": "acme/*"}, "org/repo"),
    ({"policy_statements": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "wildcard action"),
    ({"policy_statements": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}, "wildcard action"),
    ({"policy_statements": [{"Effect": "Allow", "Action": "ecs:UpdateService"}]},
     "needs Effect, Action and Resource")])
def test_bad_arguments_stop_before_anything_is_registered(overrides, message):
    def program():
        account = make_account("prod", PROD_ID)
        with pytest.raises(ValueError, match=message):
            GitHubActionsDeployer("prod-github", args(account, **overrides))
    result = run(program)
    assert result.of_type(TYPE) == [] and result.aws_resources() == []


def test_a_foreign_provider_arn_is_refused_when_it_resolves():
    def program():
        return GitHubActionsDeployer("prod-github", args(
            make_account("prod", PROD_ID),
            oidc_provider_arn=pulumi.Output.from_input(f"arn:aws:iam::{PROD_ID}:oidc-provider/gitlab.com")))
    with pytest.raises(Exception, match="expected the GitHub OIDC provider ARN"):
        run(program, lambda d: [d.role_arn])
