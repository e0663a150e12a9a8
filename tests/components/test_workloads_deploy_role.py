"""CrossAccountDeployRole under the SDK mocks: trust, permissions, provider and parentage."""
import json

import pulumi
import pytest

from components.deploy_role import CrossAccountDeployRole, CrossAccountDeployRoleArgs, deploy_role_arn
from tests.components.workload_lint import findings
from tests.components.workload_mocks import (PROD_ID, assert_children_use_account, make_account,
                                             missing_tags, run)

PIPELINE = "arn:aws:iam::111111111111:role/cicd-tooling-pipeline"
BUILD = "arn:aws:iam::111111111111:role/cicd-tooling-build"
BUCKET = "arn:aws:s3:::cicd-tooling-artifacts"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TYPE = "aws-cicd-platform:components:CrossAccountDeployRole"


def build(trusted=(PIPELINE, BUILD), key=KEY):
    def program():
        account = make_account("prod", PROD_ID)
        return CrossAccountDeployRole("prod-deploy", CrossAccountDeployRoleArgs(
            account=account, environment="prod", prefix="cicd",
            trusted_role_arns=[pulumi.Output.from_input(trusted[0]), *trusted[1:]],
            artifact_bucket_arn=pulumi.Output.from_input(BUCKET), artifact_key_arn=key))
    return run(program, lambda role: [role.arn, role.name])


def test_trust_principals_are_exactly_the_tooling_roles():
    result = build()
    trust = json.loads(result.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"AWS": [BUILD, PIPELINE]}]
    assert ":root" not in json.dumps(trust) and '"*"' not in json.dumps(trust)


def test_role_name_and_arn_are_deterministic():
    result = build()
    assert result.one("aws:iam/role:Role").inputs["name"] == "cicd-prod-deploy"
    arn, name = result.result[1]
    assert (arn, name) == (deploy_role_arn(PROD_ID, "cicd", "prod"), "cicd-prod-deploy")
    assert arn == "arn:aws:iam::333333333333:role/cicd-prod-deploy"


def test_policy_scopes_passrole_and_decrypts_with_the_artifact_key():
    policy = json.loads(build().one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["PassWorkloadRolesToEcsTasks"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert by_sid["PassWorkloadRolesToEcsTasks"]["Resource"] == "arn:aws:iam::333333333333:role/cicd-prod-*"
    assert by_sid["DecryptPipelineArtifacts"]["Resource"] == KEY
    assert by_sid["ReadPipelineArtifacts"]["Resource"] == f"{BUCKET}/*"


def test_children_use_the_account_provider_and_the_component_as_parent():
    result = build()
    assert_children_use_account(result, TYPE, "prod")
    assert sorted(r.type for r in result.aws_resources()) == ["aws:iam/role:Role",
                                                              "aws:iam/rolePolicy:RolePolicy"]
    assert missing_tags(result, {"environment": "prod", "service": "platform"}) == []


def test_emitted_documents_pass_parliament():
    result = build()
    assert findings(result.one("aws:iam/role:Role").inputs["assumeRolePolicy"]) == []
    assert findings(result.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"]) == []


@pytest.mark.parametrize("trusted, message", [
    (["arn:aws:iam::111111111111:root"], "must be an IAM role ARN"),
    (["*"], "must be an IAM role ARN"),
    ([], "at least one trusted")])
def test_bad_trust_stops_before_anything_is_registered(trusted, message):
    def program():
        account = make_account("prod", PROD_ID)
        with pytest.raises(ValueError, match=message):
            CrossAccountDeployRole("prod-deploy", CrossAccountDeployRoleArgs(
                account=account, environment="prod", prefix="cicd", trusted_role_arns=trusted,
                artifact_bucket_arn=BUCKET, artifact_key_arn=KEY))
    result = run(program)
    assert result.of_type(TYPE) == [] and result.aws_resources() == []
