"""No coercion: an int is never given as true/5.0/"5", a bool never as 1/"yes", a string never as a number.

Structured values (objects and lists, JSON-decoded) must carry their own type. Scalars reach the program as the
strings the Pulumi CLI writes, so `protect` takes exactly the spellings the CLI and pulumi.Config.get_bool know.
"""
from __future__ import annotations

import pytest

from components.config import ConfigError, parse
from tests.components.harness import MONOLITH_PROD, run_program
from tests.components.test_config import _set, error_for, raw

INT = "must be an integer"
BOOL = "must be true or false"
STR = "must be a string"

CASES = [
    # int fields
    ("monolith", "services.0.port", True, f"services[0].port: {INT}, got true"),
    ("monolith", "services.0.port", 8080.0, f"services[0].port: {INT}, got 8080.0"),
    ("monolith", "services.0.port", "8080", f'services[0].port: {INT}, got "8080"'),
    ("monolith", "services.0.cpu", 512.0, f"services[0].cpu: {INT}, got 512.0"),
    ("monolith", "services.0.memory", True, f"services[0].memory: {INT}, got true"),
    ("monolith", "services.0.desiredCount", "3", f'services[0].desiredCount: {INT}, got "3"'),
    ("monolith", "services.0.terminationWaitMinutes", False, f"services[0].terminationWaitMinutes: {INT}, got false"),
    ("monolith", "services.3.memory", True, f"services[3].memory: {INT}, got true"),
    ("monolith", "services.3.timeout", 30.0, f"services[3].timeout: {INT}, got 30.0"),
    ("monolith", "build.timeoutMinutes", False, f"build.timeoutMinutes: {INT}, got false"),
    ("monolith", "retention.logDays", True, f"retention.logDays: {INT}, got true"),
    ("monolith", "retention.untaggedImageDays", 7.0, f"retention.untaggedImageDays: {INT}, got 7.0"),
    ("monolith", "retention.imagesToKeep", "50", f'retention.imagesToKeep: {INT}, got "50"'),
    ("monolith", "retention.maxImageAgeDays", True, f"retention.maxImageAgeDays: {INT}, got true"),
    # bool fields
    ("prod", "accounts.prod.useExternalId", 1, f"accounts.prod.useExternalId: {BOOL}, got 1"),
    ("prod", "accounts.prod.useExternalId", 0, f"accounts.prod.useExternalId: {BOOL}, got 0"),
    ("prod", "accounts.prod.useExternalId", "yes", f'accounts.prod.useExternalId: {BOOL}, got "yes"'),
    ("prod", "accounts.prod.useExternalId", "true", f'accounts.prod.useExternalId: {BOOL}, got "true"'),
    ("prod", "protect", 1, f"protect: {BOOL}, got 1"),
    # string fields
    ("monolith", "services.0.name", 123, f"services[0].name: {STR}, got 123"),
    ("prod", "accounts.tooling.id", 11111111111, "accounts.tooling.id: must be 12 digits, as a string: the CLI "
                                                 "stored a number, which drops leading zeros (set it with `pulumi "
                                                 "config set --path <key> --type string <12 digits>`), got "
                                                 "11111111111"),
    ("prod", "accounts.tooling.id", True, f"accounts.tooling.id: {STR}, got true"),
    ("monolith", "services.0.imageTag", 1234567, f"services[0].imageTag: {STR}, got 1234567"),
    ("monolith", "services.0.branch", True, f"services[0].branch: {STR}, got true"),
    ("monolith", "services.0.kind", True, "services[0].kind: must be one of ecs, lambda, got true"),
    ("monolith", "services.0.parameterStore.DATABASE_URL", 1, f"services[0].parameterStore.DATABASE_URL: {STR}, got 1"),
    ("prod", "networks.prod.vpcCidr", 10, f"networks.prod.vpcCidr: {STR}, got 10"),
    ("prod", "notifications.emails.0", 5, f"notifications.emails[0]: {STR}, got 5"),
    ("prod", "owner", 42, f"owner: {STR}, got 42"),
    # lists and objects
    ("prod", "notifications.emails", "oncall@example.com", 'notifications.emails: must be a list, got '
                                                           '"oncall@example.com"'),
    ("prod", "networks.prod.testIngressCidrs", "10.0.0.0/8", 'networks.prod.testIngressCidrs: must be a list, '
                                                             'got "10.0.0.0/8"'),
    ("monolith", "services.0.parameterStore", [], "services[0].parameterStore: must be an object, got []"),
    ("monolith", "build", "small", 'build: must be an object, got "small"'),
]


@pytest.mark.parametrize("stack,path,value,expected", CASES, ids=[f"{c[1]}={c[2]!r}" for c in CASES])
def test_structured_values_are_not_coerced(stack, path, value, expected):
    assert error_for(stack, _set(path, value)) == f"aws-cicd-platform:{expected}"


def test_parse_takes_decoded_scalars_only():
    data = raw("dev")
    data["protect"] = "false"
    with pytest.raises(ConfigError) as info:
        parse(data, "dev")
    assert str(info.value) == f'aws-cicd-platform:protect: {BOOL}, got "false"'


def _protected(rec) -> set[bool]:
    return {r.protect for r in rec.of_type("aws:ecr/repository:Repository")}


@pytest.mark.parametrize("stack,text,protected", [
    ("prod-orders", "true", True), ("prod-orders", "True", True), ("dev", "false", False), ("dev", "False", False),
    ("dev", "true", True),
])
def test_protect_takes_the_strings_the_cli_writes(stack, text, protected):
    assert _protected(run_program(stack, {"protect": text})) == {protected}


def test_protect_from_a_yaml_boolean_and_from_the_declared_default():
    assert _protected(run_program("prod-orders", {"protect": True})) == {True}   # YAML true: the CLI passes "true"
    assert _protected(run_program("dev", {"protect": None})) == {False}     # Pulumi.yaml default: false


@pytest.mark.parametrize("text", ["1", "0", "yes", "no", "on", "TRUE", "t", ""])
def test_protect_refuses_other_spellings_before_any_resource(text):
    rec = run_program("dev", {"protect": text}, expect_error=True)
    assert str(rec.error) == f'aws-cicd-platform:protect: {BOOL}, got "{text}"'
    assert rec.resources == []


def test_a_number_in_a_service_stops_the_program_before_any_resource():
    services = raw("monolith")["services"]
    services[1] = {**services[1], "port": True}
    rec = run_program("prod", {"services": services}, stack_file=MONOLITH_PROD, expect_error=True)
    assert str(rec.error) == f"aws-cicd-platform:services[1].port: {INT}, got true"
    assert rec.resources == []


def test_a_twelve_digit_account_id_stored_as_a_number_is_taken_as_its_string():
    # pulumi/pulumi#4393: `pulumi config set --path accounts.tooling.id 111111111111` (the README's command)
    # writes the number 111111111111; an id with a leading zero stays a string there.
    data = raw("prod")
    data["accounts"]["tooling"]["id"] = 111111111111
    assert parse(data, "prod").accounts.tooling.id == "111111111111"
