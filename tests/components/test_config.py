"""Config validation: one line naming key path, rule and value; nothing registered when it fails."""
from __future__ import annotations

import copy
import re

import pulumi
import pytest
import yaml

from components.config import ConfigError, parse
from tests.components.harness import MONOLITH_PROD, PROD_LAYOUT, ROOT, run_program

LINE = re.compile(r"^aws-cicd-platform:[\w.\[\]-]+: .+, got .+$")
MONOLITH = "monolith"       # the prod stack before the split, every service in it (tests/components/data)


def stack_name(stack: str) -> str:
    return "prod" if stack == MONOLITH else stack


def raw(stack: str) -> dict:
    path = MONOLITH_PROD if stack == MONOLITH else ROOT / f"Pulumi.{stack}.yaml"
    config = yaml.safe_load(path.read_text())["config"]
    return {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("aws-cicd-platform:")}


def error_for(stack: str, mutate) -> str:
    data = copy.deepcopy(raw(stack))
    mutate(data)
    with pytest.raises(ConfigError) as info:
        parse(data, stack_name(stack))
    message = str(info.value)
    assert LINE.match(message) and "\n" not in message, message
    assert isinstance(info.value, pulumi.RunError)    # the CLI prints it without a traceback
    return message


def test_every_stack_parses():
    monolith, dev = parse(raw(MONOLITH), "prod"), parse(raw("dev"), "dev")
    assert [s.name for s in monolith.services] == ["orders", "payments", "catalog", "notifier"]
    assert {s.strategy for s in monolith.services} == {"codedeploy", "ecs-canary", "ecs-blue-green", "canary"}
    assert [s.kind for s in dev.services] == ["ecs", "lambda"] and dev.retention.log_days == 7
    assert (monolith.scope, dev.scope) == ("monolith", "monolith")
    foundation = parse(raw("prod"), "prod")
    assert (foundation.scope, foundation.services) == ("foundation", [])
    assert foundation.service_stacks == {"orders": "prod-orders", "payments": "prod-payments",
                                         "catalog": "prod-catalog", "notifier": "prod-notifier"}
    split = [parse(raw(stack), stack) for stack in PROD_LAYOUT[1:]]
    assert [(c.scope, c.foundation) for c in split] == [("service", "prod")] * 4
    # The split stacks hold the monolith's services, one each, unchanged.
    assert [c.services[0] for c in split] == list(monolith.services)


def _set(path: str, value):
    def mutate(data):
        node, keys = data, re.findall(r"[^.\[\]]+", path)
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        last = keys[-1]
        if value is _DELETE:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


class _Delete:
    """Marks a key to remove; a stable repr keeps the test ids identical across xdist workers."""

    def __repr__(self) -> str:
        return "<delete>"


_DELETE = _Delete()

CASES = [
    # ports
    ("monolith", "services.1.port", 70000, "aws-cicd-platform:services[1].port: must be 1..65535, got 70000"),
    ("monolith", "services.0.port", 0, "aws-cicd-platform:services[0].port: must be 1..65535, got 0"),
    ("monolith", "services.0.port", "http", "aws-cicd-platform:services[0].port: must be an integer, got \"http\""),
    # account ids
    ("prod", "accounts.prod.id", "33333333333",
     'aws-cicd-platform:accounts.prod.id: must be 12 digits, got "33333333333"'),
    ("prod", "accounts.tooling.id", "11111111111a",
     'aws-cicd-platform:accounts.tooling.id: must be 12 digits, got "11111111111a"'),
    ("dev", "accounts.staging.id", _DELETE, "aws-cicd-platform:accounts.staging.id: is required, got nothing"),
    # service names
    ("monolith", "services.2.name", "Catalog_API",
     'aws-cicd-platform:services[2].name: must be DNS-safe (lowercase letters, digits, inner hyphens, 1-24 chars), '
     'got "Catalog_API"'),
    ("monolith", "services.2.name", "orders",
     'aws-cicd-platform:services[2].name: must be unique (already used by services[0]), got "orders"'),
    ("dev", "services.1.name", "-events",
     'aws-cicd-platform:services[1].name: must be DNS-safe (lowercase letters, digits, inner hyphens, 1-24 chars), '
     'got "-events"'),
    # kinds, sizes, strategies
    ("monolith", "services.3.kind", "ec2", 'aws-cicd-platform:services[3].kind: must be one of ecs, lambda, got "ec2"'),
    ("monolith", "services.0.memory", 512,
     "aws-cicd-platform:services[0].memory: must be a Fargate memory size for cpu 512 (1024..4096 in steps of "
     "1024), got 512"),
    ("monolith", "services.0.cpu", 300,
     "aws-cicd-platform:services[0].cpu: must be a Fargate cpu size: 256, 512, 1024, 2048, 4096, 8192, 16384, got 300"),
    ("monolith", "services.3.strategy", "all-at-once",
     'aws-cicd-platform:services[3].strategy: must be canary or linear in the prod stack, got "all-at-once"'),
    ("monolith", "services.1.imageTag", "latest",
     'aws-cicd-platform:services[1].imageTag: must be a git commit SHA (7-40 hex chars), never a moving tag, '
     'got "latest"'),
    ("dev", "services.1.runtime", _DELETE,
     "aws-cicd-platform:services[1].runtime: is required for a zip function (or set image to a digest-pinned URI), "
     "got nothing"),
    ("dev", "services.0.bogus", 1, "aws-cicd-platform:services[0].bogus: is not a known key, got 1"),
    # prod needs three distinct accounts, protection
    ("prod", "accounts.prod.id", "111111111111",
     'aws-cicd-platform:accounts.prod.id: must differ from the tooling and staging accounts in the prod stack '
     '(three distinct accounts), got "111111111111"'),
    ("prod", "accounts.staging.id", "111111111111",
     'aws-cicd-platform:accounts.staging.id: must differ from accounts.tooling.id in the prod stack (three distinct '
     'accounts), got "111111111111"'),
    ("prod", "protect", False,
     "aws-cicd-platform:protect: must be true in the prod stack (stateful resources are protected), got false"),
    # a service stack of the prod layout is a prod stack (its name up to the first '-' is its environment)
    ("prod-notifier", "services.0.strategy", "all-at-once",
     'aws-cicd-platform:services[0].strategy: must be canary or linear in the prod stack, got "all-at-once"'),
    ("prod-orders", "services.0.terminationWaitMinutes", 10,
     "aws-cicd-platform:services[0].terminationWaitMinutes: must be at least 30 in the prod stack (time to roll back "
     "to the blue tasks), got 10"),
    ("prod-catalog", "protect", False,
     "aws-cicd-platform:protect: must be true in the prod stack (stateful resources are protected), got false"),
    ("prod-payments", "accounts.staging.id", "111111111111",
     'aws-cicd-platform:accounts.staging.id: must differ from accounts.tooling.id in the prod stack (three distinct '
     'accounts), got "111111111111"'),
    # everything else
    ("monolith", "build.computeType", "BUILD_GENERAL2_HUGE",
     'aws-cicd-platform:build.computeType: must be one of BUILD_GENERAL1_SMALL, BUILD_GENERAL1_MEDIUM, '
     'BUILD_GENERAL1_LARGE, got "BUILD_GENERAL2_HUGE"'),
    ("prod", "networks.prod.privateSubnetIds", ["subnet-03333333333333a02"],
     'aws-cicd-platform:networks.prod.privateSubnetIds: must list at least 2 distinct subnets (two availability '
     'zones), got ["subnet-03333333333333a02"]'),
    ("prod", "networks.staging.vpcId", "vpc-xyz",
     'aws-cicd-platform:networks.staging.vpcId: must look like "vpc-0123abcd", got "vpc-xyz"'),
    ("monolith", "retention.logDays", 10,
     "aws-cicd-platform:retention.logDays: must be a CloudWatch retention period: 1, 3, 5, 7, 14, 30, 60, 90, 120, "
     "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got 10"),
    ("prod", "githubActions.repository", "example-org",
     'aws-cicd-platform:githubActions.repository: must be "org/repo", got "example-org"'),
    ("monolith", "sourceConnectionArn", "arn:aws:codestar-connections:us-east-1:222222222222:connection/"
     "7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
     'aws-cicd-platform:sourceConnectionArn: must be a connection in the tooling account 111111111111, got '
     '"arn:aws:codestar-connections:us-east-1:222222222222:connection/7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d"'),
    ("prod", "accounts.prod.region", "eu-west-1",
     'aws-cicd-platform:accounts.prod.region: must equal the tooling region us-east-1 (a cross-region pipeline '
     'needs an artifact store per region), got "eu-west-1"'),
    # owner tag, networks, termination waits
    ("prod", "owner", _DELETE, "aws-cicd-platform:owner: is required, got nothing"),
    ("dev", "owner", "team\nA", 'aws-cicd-platform:owner: must be an AWS tag value (1-256 letters, digits, spaces and '
     '_.:/=+-@), got "team\\nA"'),
    ("prod", "networks.prod.vpcCidr", "10.30.0.1/16",
     'aws-cicd-platform:networks.prod.vpcCidr: must have its host bits zero (the network is 10.30.0.0/16), '
     'got "10.30.0.1/16"'),
    ("prod", "networks.staging.testIngressCidrs", ["10.0.0.0/8", "0.0.0.0/0"],
     'aws-cicd-platform:networks.staging.testIngressCidrs[1]: must not open the test listener to the world in the '
     'prod stack (the list may admit at most 65536 public addresses: the VPC or the integration tests\' egress '
     'CIDRs), got "0.0.0.0/0"'),
    ("prod", "networks.prod.testIngressCidrs", [],
     "aws-cicd-platform:networks.prod.testIngressCidrs: must list at least 1 item, got []"),
    ("monolith", "services.0.terminationWaitMinutes", 10,
     "aws-cicd-platform:services[0].terminationWaitMinutes: must be at least 30 in the prod stack (time to roll back "
     "to the blue tasks), got 10"),
    ("dev", "services.0.terminationWaitMinutes", 3000,
     "aws-cicd-platform:services[0].terminationWaitMinutes: must be 0..2880, got 3000"),
    ("monolith", "services.1.terminationWaitMinutes", 1500,
     "aws-cicd-platform:services[1].terminationWaitMinutes: must be 0..1440 for ecs-canary (the ECS bake time), "
     "got 1500"),
    ("monolith", "services.0.secretsManager", {"db-password": "x"},
     'aws-cicd-platform:services[0].secretsManager.db-password: must be an UPPER_SNAKE environment variable name, '
     'got "db-password"'),
]


@pytest.mark.parametrize("stack,path,value,expected", CASES, ids=[f"{c[1]}={c[2]!r}" for c in CASES])
def test_bad_value_reports_one_line(stack, path, value, expected):
    assert error_for(stack, _set(path, value)) == expected


def test_first_error_is_deterministic():
    def two_errors(data):
        data["services"][1]["port"] = 70000
        data["accounts"]["prod"]["id"] = "1"
    assert error_for(MONOLITH, two_errors) == error_for(MONOLITH, two_errors)
    assert error_for(MONOLITH, two_errors).startswith("aws-cicd-platform:accounts.prod.id:")


@pytest.mark.parametrize("stack,overrides,expected", [
    ("prod-orders", {"services": [{**raw("prod-orders")["services"][0], "port": 70000}]},
     "aws-cicd-platform:services[0].port: must be 1..65535, got 70000"),
    ("prod", {"accounts": {**raw("prod")["accounts"], "prod": {**raw("prod")["accounts"]["tooling"]}}},
     'aws-cicd-platform:accounts.prod.id: must differ from the tooling and staging accounts in the prod stack '
     '(three distinct accounts), got "111111111111"'),
    ("prod-payments", {"services": "not a list"},
     'aws-cicd-platform:services: must be a YAML object or list, got "not a list"'),
])
def test_program_stops_before_any_resource(stack, overrides, expected):
    rec = run_program(stack, overrides, expect_error=True)
    assert str(rec.error) == expected
    assert rec.resources == []


def test_external_id_is_required_as_secret_and_stays_secret():
    accounts = raw("dev")["accounts"]
    accounts["prod"] = {**accounts["prod"], "useExternalId": True}
    rec = run_program("dev", {"accounts": accounts}, expect_error=True)
    assert str(rec.error) == ("aws-cicd-platform:externalId: is required (set it with --secret) because "
                              "accounts.prod.useExternalId is true, got nothing")
    assert rec.resources == []
    rec = run_program("dev", {"accounts": accounts, "externalId": "ext-1234"},
                      secret_keys=["aws-cicd-platform:externalId"])
    providers = {p.name: p.inputs["assumeRoles"] for p in rec.of_type("pulumi:providers:aws")}
    # Sent to the engine wrapped as a secret (the SDK's secret signature), never as a plain string.
    assert providers["prod-provider"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert '"externalId": "ext-1234"' in providers["prod-provider"]["value"]
    assert isinstance(providers["staging-provider"], str) and "externalId" not in providers["staging-provider"]


def test_world_test_ingress_is_allowed_outside_prod():
    data = raw("dev")
    data["networks"]["staging"]["testIngressCidrs"] = ["0.0.0.0/0"]
    assert parse(data, "dev").networks.staging.test_ingress_cidrs == ["0.0.0.0/0"]


def test_image_functions_are_refused_before_the_first_resource():
    """The CodePipeline Lambda deploy action takes a .zip input artifact only
    (docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html)."""
    data = raw(MONOLITH)
    image = f"111111111111.dkr.ecr.us-east-1.amazonaws.com/cicd/thumbs@sha256:{'a' * 64}"
    data["services"].append({"name": "thumbs", "kind": "lambda", "repository": "example-org/thumbs",
                             "image": image, "strategy": "canary"})
    with pytest.raises(ConfigError) as info:
        parse(data, "prod")
    assert str(info.value).startswith(
        "aws-cicd-platform:services[4].image: is not supported: the pipeline deploys Lambda functions with the "
        "CodePipeline Lambda deploy action, which takes a .zip package only; give the service runtime + handler "
        f'instead, got "{image[:40]}')
