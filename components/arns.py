"""ARNs and URLs that follow from config alone (account, region, physical name).

Passing these plain strings instead of a resource's `arn` Output keeps them known during `pulumi preview`,
so policies that read them can run before the first deploy. A string carries no dependency: the caller adds
`depends_on` on the resource the ARN names. KMS key ARNs hold a random key id and are not derivable here.
Pure functions, no Pulumi; the partition is "aws" because config only accepts commercial regions.
"""
from __future__ import annotations

PARTITION = "aws"


def role_arn(account_id: str, role_name: str) -> str:
    return f"arn:{PARTITION}:iam::{account_id}:role/{role_name}"


def oidc_provider_arn(account_id: str, url: str) -> str:
    """IAM names an OIDC provider after its URL without the scheme."""
    host_path = url.split("://", 1)[-1].rstrip("/")
    return f"arn:{PARTITION}:iam::{account_id}:oidc-provider/{host_path}"


def ecr_repository_url(account_id: str, region: str, repository_name: str) -> str:
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com/{repository_name}"


def ecr_repository_arn(account_id: str, region: str, repository_name: str) -> str:
    return f"arn:{PARTITION}:ecr:{region}:{account_id}:repository/{repository_name}"


def sns_topic_arn(account_id: str, region: str, topic_name: str) -> str:
    return f"arn:{PARTITION}:sns:{region}:{account_id}:{topic_name}"


def s3_bucket_arn(bucket_name: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket_name}"


def codebuild_project_arn(account_id: str, region: str, project_name: str) -> str:
    return f"arn:{PARTITION}:codebuild:{region}:{account_id}:project/{project_name}"


def codepipeline_arn(account_id: str, region: str, pipeline_name: str) -> str:
    return f"arn:{PARTITION}:codepipeline:{region}:{account_id}:{pipeline_name}"


def log_group_arn(account_id: str, region: str, log_group_name: str) -> str:
    """The form the AWS provider reports as a LogGroup's `arn` (no trailing `:*`)."""
    return f"arn:{PARTITION}:logs:{region}:{account_id}:log-group:{log_group_name}"


def lambda_function_arn(account_id: str, region: str, function_name: str) -> str:
    return f"arn:{PARTITION}:lambda:{region}:{account_id}:function:{function_name}"


def lambda_alias_arn(account_id: str, region: str, function_name: str, alias: str) -> str:
    return f"{lambda_function_arn(account_id, region, function_name)}:{alias}"
