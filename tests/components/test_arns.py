"""The config-derived ARNs and URLs (components/arns.py) - pure, no Pulumi."""
import pytest

from components import arns
from components.deploy_role import deploy_role_arn


@pytest.mark.parametrize("built,expected", [
    (arns.role_arn("222222222222", "cicd-staging-deploy"), "arn:aws:iam::222222222222:role/cicd-staging-deploy"),
    (arns.oidc_provider_arn("333333333333", "https://token.actions.githubusercontent.com/"),
     "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"),
    (arns.ecr_repository_url("111111111111", "us-east-1", "cicd/orders"),
     "111111111111.dkr.ecr.us-east-1.amazonaws.com/cicd/orders"),
    (arns.ecr_repository_arn("111111111111", "us-east-1", "cicd/orders"),
     "arn:aws:ecr:us-east-1:111111111111:repository/cicd/orders"),
    (arns.sns_topic_arn("111111111111", "eu-west-1", "cicd-tooling-pipeline-events"),
     "arn:aws:sns:eu-west-1:111111111111:cicd-tooling-pipeline-events"),
    (arns.s3_bucket_arn("cicd-tooling-artifacts-111111111111-us-east-1"),
     "arn:aws:s3:::cicd-tooling-artifacts-111111111111-us-east-1"),
    (arns.codebuild_project_arn("111111111111", "us-east-1", "cicd-tooling-orders-image"),
     "arn:aws:codebuild:us-east-1:111111111111:project/cicd-tooling-orders-image"),
    (arns.codepipeline_arn("111111111111", "us-east-1", "cicd-orders"),
     "arn:aws:codepipeline:us-east-1:111111111111:cicd-orders"),
    (arns.log_group_arn("111111111111", "us-east-1", "/aws/codebuild/x"),
     "arn:aws:logs:us-east-1:111111111111:log-group:/aws/codebuild/x"),
    (arns.lambda_function_arn("222222222222", "us-east-1", "cicd-staging-notifier"),
     "arn:aws:lambda:us-east-1:222222222222:function:cicd-staging-notifier"),
    (arns.lambda_alias_arn("222222222222", "us-east-1", "cicd-staging-notifier", "live"),
     "arn:aws:lambda:us-east-1:222222222222:function:cicd-staging-notifier:live"),
])
def test_builders_spell_the_arns_aws_reports(built, expected):
    assert built == expected


def test_the_deploy_role_helper_builds_on_role_arn():
    assert deploy_role_arn("333333333333", "cicd", "prod") == arns.role_arn("333333333333", "cicd-prod-deploy")
