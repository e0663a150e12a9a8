"""Scope rules (components/config_scope.py): what a monolith, a foundation and a service stack hold, each broken
rule one line naming its key path; and a service appearing in exactly one stack."""
from __future__ import annotations

import copy

import pytest

from components.config import ConfigError, parse
from tests.components.test_config import MONOLITH, error_for, raw, stack_name

FOUNDATION_ONLY = "only a foundation (scope: foundation) lists service stacks"
IN_SERVICE_STACKS = "the pipelines and builds live in the service stacks; set it there"


def _with(**changes):
    def mutate(data):
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
    return mutate


CASES = [
    ("dev", {"scope": "split"}, 'scope: must be one of monolith, foundation, service, got "split"'),
    # a key its scope never reads
    ("dev", {"foundation": "prod"},
     'foundation: must not be set in a monolith stack (only a service stack (scope: service) names a foundation), '
     'got "prod"'),
    ("dev", {"serviceStacks": {"web": "dev-web"}},
     f'serviceStacks: must not be set in a monolith stack ({FOUNDATION_ONLY}), got {{"web": "dev-web"}}'),
    ("prod", {"services": raw(MONOLITH)["services"][:1]},
     "services: must not be set in a foundation stack (a foundation holds no service pipelines: give each service a "
     "stack of its own (scope: service) and list that stack in serviceStacks), got "),
    ("prod", {"build": {"computeType": "BUILD_GENERAL1_SMALL"}},
     f'build: must not be set in a foundation stack ({IN_SERVICE_STACKS}), got {{"computeType": "BUILD_GENERAL1_SMALL"}}'),
    ("prod", {"retention": {"logDays": 30}},
     f'retention: must not be set in a foundation stack ({IN_SERVICE_STACKS}), got {{"logDays": 30}}'),
    ("prod", {"sourceConnectionArn": raw("prod-orders")["sourceConnectionArn"]},
     f"sourceConnectionArn: must not be set in a foundation stack ({IN_SERVICE_STACKS}), got "),
    ("prod", {"notifications": {"emails": ["a@example.com"], "snsTopicArns": ["arn:aws:sns:us-east-1:111111111111:x"]}},
     "notifications.snsTopicArns: must not be set in a foundation stack (they are targets of the pipelines' "
     'notification rules, which live in the service stacks; set it there), got ["arn:aws:sns:us-east-1:'),
    ("prod", {"foundation": "base"},
     'foundation: must not be set in a foundation stack (a foundation reads no other stack), got "base"'),
    ("prod-orders", {"githubActions": raw("prod")["githubActions"]},
     "githubActions: must not be set in a service stack (the GitHub OIDC roles belong to the foundation; set it "
     "there), got "),
    ("prod-orders", {"serviceStacks": {"orders": "prod-orders"}},
     f'serviceStacks: must not be set in a service stack ({FOUNDATION_ONLY}), got {{"orders": "prod-orders"}}'),
    ("prod-orders", {"notifications": {"emails": ["a@example.com"]}},
     "notifications.emails: must not be set in a service stack (email subscriptions belong to the foundation's "
     'topic; a service stack adds only snsTopicArns), got ["a@example.com"]'),
    # a key its scope requires
    ("prod", {"githubActions": None}, "githubActions: is required in a foundation stack, got nothing"),
    ("prod", {"notifications": None}, "notifications: is required in a foundation stack, got nothing"),
    ("prod-orders", {"foundation": None}, "foundation: is required in a service stack, got nothing"),
    ("prod-orders", {"sourceConnectionArn": None}, "sourceConnectionArn: is required in a service stack, got nothing"),
    ("prod-notifier", {"services": None}, "services: is required in a service stack, got nothing"),
    (MONOLITH, {"githubActions": None}, "githubActions: is required, got nothing"),
    # a service stack holds one service and names another stack as its foundation
    ("prod-orders", {"services": raw(MONOLITH)["services"][:2]},
     "services: must list exactly one service in a service stack (each service has a stack of its own, listed in "
     'its foundation\'s serviceStacks), got ["orders", "payments"]'),
    ("prod-orders", {"foundation": "organization/aws-cicd-platform/prod-orders"},
     'foundation: must name the foundation stack, not this stack, got "organization/aws-cicd-platform/prod-orders"'),
    ("prod-orders", {"foundation": "a/b/c/d"},
     "foundation: must be a stack name \"<stack>\", \"<org>/<stack>\" or \"<org>/<project>/<stack>\" (letters, "
     "digits, '-', '_', '.'), got \"a/b/c/d\""),
    # a foundation lists each service stack once, never itself
    ("prod", {"serviceStacks": {"orders": "prod-orders", "payments": "organization/aws-cicd-platform/prod-orders"}},
     "serviceStacks.payments: must name a stack of its own (a service stack holds exactly one service; "
     'serviceStacks.orders names it too), got "organization/aws-cicd-platform/prod-orders"'),
    ("prod", {"serviceStacks": {"orders": "prod"}},
     'serviceStacks.orders: must name the service\'s own stack, not the foundation, got "prod"'),
    ("prod", {"serviceStacks": {"Orders": "prod-orders"}},
     "serviceStacks.Orders: must be DNS-safe (lowercase letters, digits, inner hyphens, 1-24 chars), got \"Orders\""),
    ("prod", {"serviceStacks": {"orders": "prod orders"}},
     "serviceStacks.orders: must be a stack name \"<stack>\", \"<org>/<stack>\" or \"<org>/<project>/<stack>\" "
     "(letters, digits, '-', '_', '.'), got \"prod orders\""),
]


@pytest.mark.parametrize("stack,changes,expected", CASES, ids=[f"{c[0]}:{','.join(c[1])}" for c in CASES])
def test_scope_rule_reports_its_key_path(stack, changes, expected):
    assert error_for(stack, _with(**changes)).startswith(f"aws-cicd-platform:{expected}")


def test_other_orgs_and_projects_are_other_stacks():
    """`<org>/<stack>` and `<org>/<project>/<stack>` name the stack of another org or project
    (pkg/backend/httpstate/backend.go parseStackName): not this one, not a repeat."""
    data = copy.deepcopy(raw("prod"))
    data["serviceStacks"] = {"orders": "prod-orders", "payments": "other-org/prod-orders",
                             "catalog": "organization/other-project/prod-orders"}
    assert parse(data, "prod").service_stacks["payments"] == "other-org/prod-orders"
    data = copy.deepcopy(raw("prod-orders"))
    data["foundation"] = "organization/other-project/prod-orders"
    assert parse(data, "prod-orders").foundation == "organization/other-project/prod-orders"


def test_empty_values_read_as_not_set():
    """Pulumi.yaml declares the scope-dependent keys with an empty default (the CLI requires a declared key without
    one in every stack: pkg/workspace/config.go mergeConfig); the program never sees those defaults as given."""
    from tests.components.harness import run_program
    rec = run_program("prod", {"services": [], "build": {}, "retention": {}, "sourceConnectionArn": "",
                               "foundation": ""})
    assert rec.error is None and rec.outputs["prefix"] == "cicd"
    assert stack_name(MONOLITH) == "prod"


def test_a_foundation_parses_with_no_service_stacks_yet():
    data = copy.deepcopy(raw("prod"))
    del data["serviceStacks"]
    assert parse(data, "prod").service_stacks == {}
    with pytest.raises(ConfigError):
        parse({**data, "scope": "service"}, "prod-x")
