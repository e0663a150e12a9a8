"""LambdaInvokeRole under the SDK mocks, and in the platform: a role the integration tests assume to invoke
one alias, registered as its own component under the URNs it had as a LambdaCanaryService child."""
import json

import pytest

from components.lambda_invoke_role import LambdaInvokeRole, LambdaInvokeRoleArgs, invoke_role_name
from tests.components.workload_lint import findings
from tests.components.workload_mocks import STAGING_ID, assert_children_use_account, make_account, run

TYPE = "aws-cicd-platform:components:LambdaInvokeRole"
TEST_ROLE = "arn:aws:iam::111111111111:role/cicd-tooling-thumbs-integration-test-build"


def args(**overrides):
    values = dict(account=make_account("staging", STAGING_ID), prefix="cicd", environment="staging",
                  service="thumbs", function_name="cicd-staging-thumbs", alias_name="live",
                  principal_arns=[TEST_ROLE], tags={"environment": "staging", "service": "thumbs"})
    return LambdaInvokeRoleArgs(**{**values, **overrides})


@pytest.fixture(scope="module")
def built():
    return run(lambda: LambdaInvokeRole("thumbs-staging-invoke", args()), lambda r: [r.arn])


def test_only_the_named_test_role_may_assume_it_and_only_to_invoke_the_alias(built):
    role = built.one("aws:iam/role:Role", "thumbs-staging-invoke-role")
    assert role.inputs["name"] == invoke_role_name("cicd", "staging", "thumbs") == "cicd-staging-thumbs-invoke"
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [(s["Principal"], s["Action"]) for s in trust] == [({"AWS": TEST_ROLE}, "sts:AssumeRole")]
    policy = json.loads(built.one("aws:iam/rolePolicy:RolePolicy", "thumbs-staging-invoke-policy").inputs["policy"])
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [
        ("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{STAGING_ID}:function:cicd-staging-thumbs:live")]
    assert built.result[1] == [f"arn:aws:iam::{STAGING_ID}:role/cicd-staging-thumbs-invoke"]
    assert [findings(d) for d in (role.inputs["assumeRolePolicy"], json.dumps(policy))] == [[], []]


def test_children_live_in_the_functions_account(built):
    assert_children_use_account(built, TYPE, "staging")


@pytest.mark.parametrize("principals, message", [([], "at least one trusted role"),
                                                 (["arn:aws:iam::111111111111:root"], "must be an IAM role ARN"),
                                                 (["*"], "must be an IAM role ARN")])
def test_loose_principals_stop_before_anything_is_registered(principals, message):
    def program():
        with pytest.raises(ValueError, match=message):
            LambdaInvokeRole("thumbs-staging-invoke", args(principal_arns=principals))
    assert run(program).aws_resources() == []


def test_platform_registers_it_under_its_former_urns():
    """An update moves the role and its policy by alias: no second role of the same name is created."""
    from preflight import program, project
    from tests.components.harness import ROOT

    registrations = program.run_program(project.load(ROOT, "prod-notifier"), "preview").monitor.registrations
    platform = ("urn:pulumi:prod-notifier::aws-cicd-platform::aws-cicd-platform:components:Platform$"
                "aws-cicd-platform:components:")
    for child in ("aws:iam/role:Role::notifier-staging-invoke-role",
                  "aws:iam/rolePolicy:RolePolicy::notifier-staging-invoke-policy"):
        moved = registrations[f"{platform}LambdaInvokeRole${child}"]
        assert moved.options["aliases"] == [f"{platform}LambdaCanaryService${child}"]
