"""Keys of the project's namespace the program does not read are refused (with a did-you-mean), not ignored."""
from __future__ import annotations

import json

import pytest
import yaml
from pulumi.runtime import config as runtime_config

from components import config_keys
from components.config import KNOWN_KEYS, NAMESPACE
from tests.components.harness import ROOT, run_program
from tests.components.test_config import raw


@pytest.mark.parametrize("key,value,expected", [
    ("servces", [], "servces: unknown configuration key (did you mean services?), got []"),
    ("Protect", "true", 'Protect: unknown configuration key (did you mean protect?), got "true"'),
    ("account", {"tooling": {}}, 'account: unknown configuration key (did you mean accounts?), got {"tooling": {}}'),
    ("github_actions", "x", 'github_actions: unknown configuration key (did you mean githubActions?), got "x"'),
    ("zzz", "1", 'zzz: unknown configuration key (known keys: accounts, build, externalId, foundation, githubActions, '
                 'networks, notifications, owner, prefix, protect, retention, scope, serviceStacks, services, '
                 'sourceConnectionArn), got "1"'),
])
def test_unknown_top_level_key_stops_the_program_before_any_resource(key, value, expected):
    rec = run_program("prod", {key: value}, expect_error=True)
    assert str(rec.error) == f"aws-cicd-platform:{expected}"
    assert rec.resources == []


def test_a_misspelt_key_is_reported_rather_than_the_key_it_leaves_missing():
    rec = run_program("prod", {"services": None, "servces": raw("monolith")["services"]}, expect_error=True)
    assert str(rec.error).startswith("aws-cicd-platform:servces: unknown configuration key (did you mean services?), "
                                     'got [{"branch": "main"')
    assert rec.resources == []


def test_a_misspelt_secret_is_never_printed():
    rec = run_program("dev", {"externalID": "ext-1234"}, secret_keys=["aws-cicd-platform:externalID"],
                      expect_error=True)
    assert str(rec.error) == ("aws-cicd-platform:externalID: unknown configuration key (did you mean externalId?), "
                              "got [secret]")


def test_other_namespaces_are_not_ours_to_judge():
    rec = run_program("dev", {"aws:region": "eu-west-1", "other-project:servces": "[]"})
    assert rec.error is None and rec.resources


def test_every_key_pulumi_yaml_declares_is_known_and_nothing_more():
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert sorted(declared) == sorted(KNOWN_KEYS)


def test_keys_come_from_the_runtime_config_and_from_pulumi_config(monkeypatch):
    # The language host copies PULUMI_CONFIG into the runtime map; get_config() also reads PULUMI_CONFIG directly.
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({f"{NAMESPACE}:servces": "[]", "aws:region": "us-east-1"}))
    token = runtime_config.CONFIG.set({f"{NAMESPACE}:owner": "team", f"{NAMESPACE}x:owner": "other"})
    try:
        assert config_keys.given_keys(NAMESPACE) == ["owner", "servces"]
    finally:
        runtime_config.CONFIG.reset(token)


def test_unknown_key_is_the_first_in_sorted_order_and_none_when_all_known():
    assert config_keys.unknown_key(["owner", "zeta", "alpha"], KNOWN_KEYS)[0] == "alpha"
    assert config_keys.unknown_key(["owner", "services", "externalId"], KNOWN_KEYS) is None
    assert config_keys.unknown_key([], KNOWN_KEYS) is None
