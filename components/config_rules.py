"""Validation rules shared by the config models: each check raises ValueError(<rule>) with the rule text
that ends up in `aws-cicd-platform:<path>: <rule>, got <value>`."""
from __future__ import annotations

import re
from typing import Annotated, Callable

from pydantic import AfterValidator, BeforeValidator

from components.cidrs import ipv4_cidr_problem
from components.stack_names import REFERENCE_RULE, is_reference

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)
COMPUTE_TYPES = ("BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE")
LAMBDA_RUNTIMES = ("python3.12", "python3.13", "nodejs20.x", "nodejs22.x", "java21", "provided.al2023")
AWS_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2",
               "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "ap-south-1",
               "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
               "sa-east-1")

# Fargate task sizes: cpu units -> allowed memory MiB (AWS ECS task size table).
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


def rule(check: Callable[[object], bool], text: str) -> AfterValidator:
    def validate(value):
        if not check(value):
            raise ValueError(text)
        return value
    return AfterValidator(validate)


def pattern(regex: str, text: str) -> AfterValidator:
    compiled = re.compile(regex)
    return rule(lambda v: bool(compiled.fullmatch(v)), text)


def _canonical_ipv4_cidr(value: str) -> str:
    problem = ipv4_cidr_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def one_of(values: tuple, what: str = "one of") -> AfterValidator:
    return rule(lambda v: v in values, f"must be {what} {', '.join(map(str, values))}")


def _account_id_number(value: object) -> object:
    """`pulumi config set --path accounts.x.id 111111111111` stores a number (pulumi/pulumi#4393): an id
    without a leading zero arrives as an int, and only that form is taken back to its 12-digit string."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 10**11 <= value < 10**12:
            return str(value)
        raise ValueError("must be 12 digits, as a string: the CLI stored a number, which drops leading zeros "
                         "(set it with `pulumi config set --path <key> --type string <12 digits>`)")
    return value


AccountId = Annotated[str, BeforeValidator(_account_id_number), pattern(r"\d{12}", "must be 12 digits")]
RoleName = Annotated[str, pattern(r"[\w+=,.@-]{1,64}", "must be an IAM role name ([A-Za-z0-9+=,.@_-], 1-64 chars)")]
Region = Annotated[str, one_of(AWS_REGIONS, "an AWS region:")]
DnsName = Annotated[str, pattern(r"[a-z]([a-z0-9-]{0,22}[a-z0-9])?",
                                 "must be DNS-safe (lowercase letters, digits, inner hyphens, 1-24 chars)")]
Port = Annotated[int, rule(lambda p: 1 <= p <= 65535, "must be 1..65535")]
PositiveCount = Annotated[int, rule(lambda n: 1 <= n <= 100, "must be 1..100")]
LogRetention = Annotated[int, one_of(LOG_RETENTION_DAYS, "a CloudWatch retention period:")]
GitHubRepo = Annotated[str, pattern(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}",
                                    'must be "org/repo"')]
Branch = Annotated[str, pattern(r"[A-Za-z0-9._/-]{1,200}", "must be a git branch name")]
HealthCheckPath = Annotated[str, pattern(r"/[A-Za-z0-9._~/-]{0,1023}", 'must be an absolute path like "/healthz"')]
VpcId = Annotated[str, pattern(r"vpc-[0-9a-f]{8,17}", 'must look like "vpc-0123abcd"')]
SubnetId = Annotated[str, pattern(r"subnet-[0-9a-f]{8,17}", 'must look like "subnet-0123abcd"')]
CommitSha = Annotated[str, pattern(r"[0-9a-f]{7,40}", "must be a git commit SHA (7-40 hex chars), never a moving tag")]
Email = Annotated[str, pattern(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", "must be an email address")]
SnsTopicArn = Annotated[str, pattern(r"arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}", "must be an SNS topic ARN")]
ConnectionArn = Annotated[str, pattern(r"arn:aws:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:"
                                       r"connection/[0-9a-f-]{36}", "must be a CodeStar Connections ARN")]
EnvName = Annotated[str, pattern(r"[A-Z_][A-Z0-9_]{0,127}", "must be an UPPER_SNAKE environment variable name")]
SsmParameterName = Annotated[str, pattern(r"/[A-Za-z0-9_.\-/]{1,1010}", 'must be an SSM parameter path like "/app/x"')]
SecretRef = Annotated[str, pattern(r"[A-Za-z0-9/_+=.@-]{1,512}(:[A-Za-z0-9_-]+)?",
                                   'must be a Secrets Manager reference "secret-id[:json-key]"')]
ImageDigestUri = Annotated[str, pattern(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[a-z0-9._/-]+@sha256:[0-9a-f]{64}",
                                        "must be an ECR image pinned by digest (...@sha256:<64 hex>)")]
CodeBuildImage = Annotated[str, pattern(r"aws/codebuild/[a-z0-9._-]+:[0-9][0-9.]*",
                                        'must be a versioned CodeBuild managed image ("aws/codebuild/<name>:<version>")')]
ShellCommand = Annotated[str, rule(lambda c: bool(c.strip()) and "\n" not in c, "must be a one-line shell command")]
LambdaHandler = Annotated[str, pattern(r"[A-Za-z0-9_./-]+\.[A-Za-z0-9_$]+", 'must look like "module.function"')]
Cidr = Annotated[str, AfterValidator(_canonical_ipv4_cidr)]
TagValue = Annotated[str, pattern(r"[A-Za-z0-9_.:/=+@-][A-Za-z0-9 _.:/=+@-]{0,255}",
                                  "must be an AWS tag value (1-256 letters, digits, spaces and _.:/=+-@)")]
StackReferenceName = Annotated[str, rule(is_reference, REFERENCE_RULE)]
