"""Rules that span several config values (run after the per-field rules).

Each check returns `(path, rule, value)` for the first problem, or None. Order is fixed, so the reported
error is deterministic.
"""
from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

from components import cidrs, config_rules as r
from components.config_error import SECRET
from components.config_scope import SERVICE
from components.stack_names import environment_of

if TYPE_CHECKING:
    from components.config import PlatformConfig

Problem = tuple[str, str, Any]
PROD_STACKS = ("prod",)          # by environment: `prod-orders` is a prod stack too (stack_names.environment_of)
PROD_MIN_TERMINATION_WAIT = 30
NATIVE_BAKE_LIMIT = 1440
STAGING_PUBLIC_LIMIT = 2 ** 16       # a /16's worth: room for NAT gateways and CodeBuild's published ranges


def is_prod(stack: str) -> bool:
    return environment_of(stack) in PROD_STACKS


def _accounts(config: "PlatformConfig", stack: str) -> Iterator[Problem]:
    accounts = config.accounts
    for role in ("tooling", "staging", "prod"):
        account = getattr(accounts, role)
        if account.use_external_id and account.external_id is not None:
            yield (f"accounts.{role}.externalId", "must not be combined with useExternalId (which takes the shared "
                   "externalId): set one of them", SECRET)
    for role in ("staging", "prod"):
        region = getattr(accounts, role).region
        if region != accounts.tooling.region:
            yield (f"accounts.{role}.region", f"must equal the tooling region {accounts.tooling.region} "
                   "(a cross-region pipeline needs an artifact store per region)", region)
    if is_prod(stack):
        if accounts.staging.id == accounts.tooling.id:
            yield ("accounts.staging.id", "must differ from accounts.tooling.id in the prod stack "
                   "(three distinct accounts)", accounts.staging.id)
        if accounts.prod.id in (accounts.tooling.id, accounts.staging.id):
            yield ("accounts.prod.id", "must differ from the tooling and staging accounts in the prod stack "
                   "(three distinct accounts)", accounts.prod.id)


def _stack_policy(config: "PlatformConfig", stack: str) -> Iterator[Problem]:
    if is_prod(stack) and not config.protect:
        yield ("protect", "must be true in the prod stack (stateful resources are protected)", config.protect)
    connection = config.source_connection_arn
    if connection is not None and connection.split(":")[4] != config.accounts.tooling.id:
        yield ("sourceConnectionArn", f"must be a connection in the tooling account {config.accounts.tooling.id}",
               connection)
    # A service stack's pipelines always notify the foundation's topic.
    if config.scope != SERVICE and not config.notifications.emails and not config.notifications.sns_topic_arns:
        yield ("notifications", "must name at least one email or SNS topic ARN", {})


def _unique_entries(config: "PlatformConfig", stack: str) -> Iterator[Problem]:
    """Lists whose entries name resources (a subscription, a security-group rule): one resource per value."""
    lists = [("notifications.emails", config.notifications.emails),
             ("notifications.snsTopicArns", config.notifications.sns_topic_arns)]
    lists += [(f"networks.{env}.testIngressCidrs", getattr(config.networks, env).test_ingress_cidrs or [])
              for env in ("staging", "prod")]
    for at, values in lists:
        seen: dict[str, int] = {}
        for i, value in enumerate(values):
            if value in seen:
                yield (f"{at}[{i}]", f"must not repeat {at}[{seen[value]}]", value)
            seen.setdefault(value, i)


def _test_ingress(config: "PlatformConfig", env: str) -> list[tuple[str, str]]:
    """(key path, CIDR) of what the env's test listener admits: its list, else the VPC's CIDR."""
    network = getattr(config.networks, env)
    if network.test_ingress_cidrs is None:
        return [(f"networks.{env}.vpcCidr", network.vpc_cidr)]
    return [(f"networks.{env}.testIngressCidrs[{i}]", c) for i, c in enumerate(network.test_ingress_cidrs)]


def _networks(config: "PlatformConfig", stack: str) -> Iterator[Problem]:
    if not is_prod(stack):
        return
    # Staging's must admit the integration tests' egress (often NAT gateways, public), never the world: the
    # list is judged together so that split ranges add up.
    admitted: list[ipaddress.IPv4Network] = []
    for at, cidr in _test_ingress(config, "staging"):
        admitted.append(ipaddress.IPv4Network(cidr))
        if cidrs.public_addresses(admitted) > STAGING_PUBLIC_LIMIT:
            yield (at, "must not open the test listener to the world in the prod stack (the list may admit at "
                   f"most {STAGING_PUBLIC_LIMIT} public addresses: the VPC or the integration tests' egress CIDRs)",
                   cidr)
            break
    # The prod test listener serves the green tasks of production: callers from inside private space only.
    for at, cidr in _test_ingress(config, "prod"):
        public = cidrs.public_parts(ipaddress.IPv4Network(cidr))
        if public:
            yield (at, f"must hold no public address in the prod stack (the prod test listener admits private "
                   f"ranges only; public {public[0]} is inside)", cidr)


def _services(config: "PlatformConfig", stack: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, service in enumerate(config.services):
        at = f"services[{i}]"
        if service.name in seen:
            yield (f"{at}.name", f"must be unique (already used by services[{seen[service.name]}])", service.name)
        seen.setdefault(service.name, i)
        yield from _kind_rules(service, at, stack)
        for name in set(service.parameter_store) & set(service.secrets_manager):
            yield (f"{at}.secretsManager.{name}", "must not also be set in parameterStore", name)


def _ecs_rules(service: Any, at: str, stack: str) -> Iterator[Problem]:
    allowed = r.FARGATE_MEMORY[service.cpu]
    if service.memory not in allowed:
        yield (f"{at}.memory", f"must be a Fargate memory size for cpu {service.cpu} "
               f"({allowed[0]}..{allowed[-1]} in steps of {allowed[1] - allowed[0]})", service.memory)
    wait = service.termination_wait_minutes
    if wait is None:
        return
    if service.strategy != "codedeploy" and wait > NATIVE_BAKE_LIMIT:
        yield (f"{at}.terminationWaitMinutes", f"must be 0..{NATIVE_BAKE_LIMIT} for {service.strategy} "
               "(the ECS bake time)", wait)
    if is_prod(stack) and wait < PROD_MIN_TERMINATION_WAIT:
        yield (f"{at}.terminationWaitMinutes", f"must be at least {PROD_MIN_TERMINATION_WAIT} in the prod stack "
               "(time to roll back to the blue tasks)", wait)


def _kind_rules(service: Any, at: str, stack: str) -> Iterator[Problem]:
    if service.kind == "ecs":
        yield from _ecs_rules(service, at, stack)
        return
    if service.image is None:
        for field in ("runtime", "handler"):
            if getattr(service, field) is None:
                yield (f"{at}.{field}", "is required for a zip function (or set image to a digest-pinned URI)", None)
    else:
        # docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html: a .zip input only.
        yield (f"{at}.image", "is not supported: the pipeline deploys Lambda functions with the CodePipeline Lambda "
               "deploy action, which takes a .zip package only; give the service runtime + handler instead",
               service.image)
    if is_prod(stack) and service.strategy == "all-at-once":
        yield (f"{at}.strategy", "must be canary or linear in the prod stack", service.strategy)


CHECKS: tuple[Callable[["PlatformConfig", str], Iterator[Problem]], ...] = (_accounts, _stack_policy,
                                                                            _unique_entries, _networks, _services)


def check_semantics(config: "PlatformConfig", stack: str) -> Optional[Problem]:
    for check in CHECKS:
        for problem in check(config, stack):
            return problem
    return None
