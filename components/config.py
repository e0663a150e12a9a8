"""Typed, validated platform configuration (docs/design.md §3).

`parse(raw, stack)` is pure: the stack's config values (top-level keys without the namespace, structured
values already decoded) in, a `PlatformConfig` out, or `ConfigError` whose text is ONE line:
`aws-cicd-platform:services[1].port: must be 1..65535, got 70000`. `load()` reads `pulumi.Config` and runs
before the first resource is registered, so a bad value stops the program with nothing half-created.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Mapping, Optional, Union

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from components import config_keys, config_rules as r, stack_names
from components.config_checks import check_semantics
from components.config_scope import MONOLITH, SCOPES, raw_problem, scope_problems
from components.config_error import NAMESPACE, SECRET, ConfigError, first_error
from components.config_secrets import ROLES, check_secrecy, external_ids, masked

SCALAR_KEYS = ("scope", "foundation", "prefix", "owner", "protect", "sourceConnectionArn")
OBJECT_KEYS = ("accounts", "notifications", "build", "retention", "networks", "githubActions", "services",
               "serviceStacks")
SECRET_EXTERNAL_ID = "externalId"
KNOWN_KEYS = (*SCALAR_KEYS, *OBJECT_KEYS, SECRET_EXTERNAL_ID)
# Keys one scope requires and another never reads. The CLI requires every key Pulumi.yaml declares without a
# default in every stack (pkg/workspace/config.go mergeConfig), so these are declared with an empty default,
# and an empty value reads as "not set".
EMPTY_WHEN_UNSET = ("foundation", "sourceConnectionArn", "notifications", "githubActions", "services",
                    "serviceStacks", "build", "retention")
DEFAULT_ORGANIZATION = "organization"      # the diy backend's one org (pkg/backend/diy)
# The CLI hands every scalar over as a string; these are the spellings it (and pulumi.Config.get_bool) produces.
BOOLEAN_KEYS = ("protect",)
_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


class _Model(BaseModel):
    # strict: no true-for-1, 1-for-true, 5.0-for-5 or 8080-for-"8080"; each value must already have its type.
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", frozen=True, populate_by_name=False,
                              strict=True)


class AccountConfig(_Model):
    id: r.AccountId
    bootstrap_role: r.RoleName
    region: r.Region
    use_external_id: bool = False       # the bootstrap role demands sts:ExternalId (value: secret `externalId`)
    # Or the account's own sts:ExternalId, set with `--secret --path`; read again as a secret Output by load().
    external_id: Optional[Annotated[str, r.rule(lambda v: 2 <= len(v) <= 1224, "must be 2-1224 characters")]] = \
        Field(default=None, repr=False)


class Accounts(_Model):
    tooling: AccountConfig
    staging: AccountConfig
    prod: AccountConfig


class Notifications(_Model):
    emails: list[r.Email] = []
    sns_topic_arns: list[r.SnsTopicArn] = []


class BuildDefaults(_Model):
    compute_type: Annotated[str, r.one_of(r.COMPUTE_TYPES)] = "BUILD_GENERAL1_SMALL"
    image: r.CodeBuildImage = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
    cache_mode: Annotated[str, r.one_of(("local", "s3"))] = "local"
    timeout_minutes: Annotated[int, r.rule(lambda m: 5 <= m <= 480, "must be 5..480")] = 30


class Retention(_Model):
    log_days: r.LogRetention = 30
    untagged_image_days: Annotated[int, r.rule(lambda d: 1 <= d <= 365, "must be 1..365")] = 7
    images_to_keep: Annotated[int, r.rule(lambda n: 1 <= n <= 1000, "must be 1..1000")] = 30
    max_image_age_days: Annotated[int, r.rule(lambda d: 7 <= d <= 3650, "must be 7..3650")] = 365


_TwoSubnets = r.rule(lambda ids: len(ids) >= 2 and len(set(ids)) == len(ids),
                     "must list at least 2 distinct subnets (two availability zones)")


_AtLeastOne = r.rule(lambda items: len(items) >= 1, "must list at least 1 item")


class Network(_Model):
    vpc_id: r.VpcId
    vpc_cidr: r.Cidr
    # Who may reach the ALB's test listener (the green task set before traffic shifts); default: the VPC only.
    test_ingress_cidrs: Optional[Annotated[list[r.Cidr], _AtLeastOne]] = None
    public_subnet_ids: Annotated[list[r.SubnetId], _TwoSubnets]
    private_subnet_ids: Annotated[list[r.SubnetId], _TwoSubnets]


class Networks(_Model):
    staging: Network
    prod: Network


class GitHubActions(_Model):
    repository: r.GitHubRepo
    production_environment: Annotated[str, r.pattern(r"[A-Za-z0-9._-]{1,255}", "must be a GitHub environment name")] \
        = "production"
    staging_branch: r.Branch = "main"


class _ServiceBase(_Model):
    name: r.DnsName
    repository: r.GitHubRepo
    branch: r.Branch = "main"
    test_command: r.ShellCommand = "make test"
    parameter_store: dict[r.EnvName, r.SsmParameterName] = {}
    secrets_manager: dict[r.EnvName, r.SecretRef] = {}


class EcsServiceConfig(_ServiceBase):
    kind: Literal["ecs"]
    port: r.Port = 8080
    health_check_path: r.HealthCheckPath = "/healthz"
    cpu: Annotated[int, r.one_of(tuple(r.FARGATE_MEMORY), "a Fargate cpu size:")] = 256
    memory: int = 512
    desired_count: r.PositiveCount = 2
    strategy: Annotated[str, r.one_of(("codedeploy", "ecs-blue-green", "ecs-canary", "ecs-linear"))] = "codedeploy"
    image_tag: r.CommitSha
    # CodeDeploy: minutes the old (blue) tasks keep running after the shift; ECS-native: the bake time.
    termination_wait_minutes: Optional[Annotated[int, r.rule(lambda m: 0 <= m <= 2880, "must be 0..2880")]] = None
    integration_test_command: r.ShellCommand = 'curl --fail --silent --show-error "$TEST_URL$HEALTH_CHECK_PATH"'


class LambdaServiceConfig(_ServiceBase):
    kind: Literal["lambda"]
    runtime: Optional[Annotated[str, r.one_of(r.LAMBDA_RUNTIMES, "a supported runtime:")]] = None
    handler: Optional[r.LambdaHandler] = None
    image: Optional[r.ImageDigestUri] = None
    memory: Annotated[int, r.rule(lambda m: 128 <= m <= 10240, "must be 128..10240")] = 256
    timeout: Annotated[int, r.rule(lambda t: 1 <= t <= 900, "must be 1..900")] = 30
    strategy: Annotated[str, r.one_of(("canary", "linear", "all-at-once"))] = "canary"
    integration_test_command: r.ShellCommand = "make integration-test"

    @property
    def builds_image(self) -> bool:
        return self.image is not None


ServiceConfig = Annotated[Union[EcsServiceConfig, LambdaServiceConfig], Field(discriminator="kind")]


class PlatformConfig(_Model):
    # Which part of the platform the stack holds (components/config_scope.py says which keys each one reads).
    scope: Annotated[str, r.one_of(SCOPES)] = MONOLITH
    foundation: Optional[r.StackReferenceName] = None           # service: the foundation stack it reads
    service_stacks: dict[r.DnsName, r.StackReferenceName] = {}   # foundation: service -> the stack holding it
    prefix: Annotated[str, r.pattern(r"[a-z][a-z0-9]{0,11}", "must be 1-12 lowercase letters/digits")] = "cicd"
    owner: r.TagValue
    protect: bool = False
    accounts: Accounts
    source_connection_arn: Optional[r.ConnectionArn] = None
    notifications: Notifications = Notifications()
    build: BuildDefaults = BuildDefaults()
    retention: Retention = Retention()
    networks: Networks
    github_actions: Optional[GitHubActions] = None
    services: Annotated[list[ServiceConfig], r.rule(lambda s: len(s) >= 1, "must list at least one service")] = []


DEFAULT_TERMINATION_WAIT = {"prod": 60}
DEV_TERMINATION_WAIT = 5


def termination_wait_minutes(service: EcsServiceConfig, stack: str) -> int:
    """The service's own value, else 60 minutes in a prod stack (time to roll back) and 5 elsewhere."""
    if service.termination_wait_minutes is not None:
        return service.termination_wait_minutes
    return DEFAULT_TERMINATION_WAIT.get(stack_names.environment_of(stack), DEV_TERMINATION_WAIT)


def test_ingress_cidrs(network: Network) -> list[str]:
    return list(network.test_ingress_cidrs) if network.test_ingress_cidrs is not None else [network.vpc_cidr]


@dataclass(frozen=True)
class LoadedConfig:
    platform: PlatformConfig
    stack: str
    # role -> sts:ExternalId of the accounts whose bootstrap role demands one; secret Outputs.
    external_ids: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)
    organization: str = DEFAULT_ORGANIZATION     # the stack's org and project: stack names resolve against them
    project: str = NAMESPACE


# ---------------------------------------------------------------- parse (pure)

def parse(raw: dict[str, Any], stack: str, organization: str = DEFAULT_ORGANIZATION,
          project: str = NAMESPACE) -> PlatformConfig:
    """Validate the stack's config; raise ConfigError (one line) for the first broken rule. `organization` and
    `project` resolve the stack names the config gives (components/stack_names.py)."""
    problem = raw_problem(raw)
    if problem:
        raise ConfigError(*problem)
    try:
        config = PlatformConfig.model_validate(raw)
    except ValidationError as exc:
        raise first_error(exc, raw) from None
    problem = check_semantics(config, stack) or next(scope_problems(config, stack, organization, project), None)
    if problem:
        raise ConfigError(*problem)
    return _canonical(config)


def _canonical(config: PlatformConfig) -> PlatformConfig:
    """snsTopicArns sorted: the notification rules' targets are a set to AWS, so reordering the list in the stack
    file changes no input. (Emails and CIDRs name their resources by value and keep the order as written: their
    aliases to the former index-based names count positions in it.)"""
    notifications = config.notifications.model_copy(
        update={"sns_topic_arns": sorted(config.notifications.sns_topic_arns)})
    return config.model_copy(update={"notifications": notifications})


# ---------------------------------------------------------------- load (reads pulumi.Config)

def read_raw(cfg: pulumi.Config) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key in SCALAR_KEYS:
        if (value := cfg.get(key)) is not None:
            raw[key] = _scalar(key, value)
    for key in OBJECT_KEYS:
        try:
            value = cfg.get_object(key)
        except (ValueError, pulumi.ConfigTypeError):
            raise ConfigError(key, "must be a YAML object or list", cfg.get(key)) from None
        if value is not None:
            raw[key] = value
    return {k: v for k, v in raw.items() if not (k in EMPTY_WHEN_UNSET and v in ("", [], {}))}


def _scalar(key: str, text: str) -> Any:
    if key not in BOOLEAN_KEYS:
        return text
    if text not in _BOOLEANS:
        raise ConfigError(key, "must be true or false", text)
    return _BOOLEANS[text]


def _given_value(cfg: pulumi.Config, key: str) -> Any:
    if pulumi.runtime.is_config_secret(cfg.full_key(key)):
        return SECRET
    text = cfg.get(key)
    if text and text[0] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def load(stack: Optional[str] = None) -> LoadedConfig:
    """Read and validate the whole config before any resource exists."""
    cfg = pulumi.Config(NAMESPACE)
    stack = stack or pulumi.get_stack()
    given = config_keys.given_keys(NAMESPACE)
    unknown = config_keys.unknown_key(given, KNOWN_KEYS)
    if unknown:
        raise ConfigError(*unknown, _given_value(cfg, unknown[0]))
    check_secrecy(cfg, given)
    organization, project = pulumi.get_organization() or DEFAULT_ORGANIZATION, pulumi.get_project()
    try:
        platform = parse(read_raw(cfg), stack, organization, project)
    except ConfigError as e:
        raise masked(e, cfg) from None
    accounts = [(role, getattr(platform.accounts, role)) for role in ROLES]
    ids = external_ids(cfg, [role for role, a in accounts if a.external_id is not None],
                       [role for role, a in accounts if a.use_external_id])
    return LoadedConfig(platform=platform, stack=stack, external_ids=ids, organization=organization,
                        project=project)
