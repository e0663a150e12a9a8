"""Every `pulumi config set` line in the README, applied to each stack file as the CLI would write it
(tests/cli_config_set.py follows pkg/cmd/pulumi/config/config.go and sdk/go/common/resource/config/{map,object}.go),
and the program run on the result: the README's commands must leave a stack the program accepts."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from preflight import project as project_mod
from preflight.program import ProgramError, run_program
from tests.cli_config_set import CliError, apply, coerce, commands_in, parse_path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "aws-cicd-platform"
README_COMMANDS = commands_in((ROOT / "README.md").read_text())


def _copy_project(tmp: Path, stack: str, commands: list[list[str]]) -> dict:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp / name)
    os.symlink(ROOT / "components", tmp / "components")
    doc = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    for argv in commands:
        doc = apply(doc, PROJECT, argv)
    # JSON is YAML, and quotes every string as the CLI's yaml.v3 encoder quotes "012345678901" (an unquoted
    # one would read back as a number).
    (tmp / f"Pulumi.{stack}.yaml").write_text(json.dumps(doc, indent=1))
    return doc


def _run(tmp: Path, stack: str):
    return run_program(project_mod.load(tmp, stack), "preview")


def _commands(stack: str) -> list[list[str]]:
    return [argv for s, argv in README_COMMANDS if s == stack]


def test_the_readme_documents_config_set_commands_for_a_selected_stack():
    assert {s for s, _ in README_COMMANDS} == {"dev", "prod", "prod-orders"}
    keys = [argv[-2] for argv in _commands("prod")]
    assert "accounts.tooling.id" in keys and "externalId" in keys and len(keys) >= 4
    keys = [argv[-2] for argv in _commands("prod-orders")]
    assert "sourceConnectionArn" in keys and "services[0].desiredCount" in keys


def test_readme_dev_commands_leave_a_stack_the_program_accepts(tmp_path):
    doc = _copy_project(tmp_path, "dev", _commands("dev"))
    assert doc["config"][f"{PROJECT}:accounts"]["tooling"]["id"] == 444455556666
    assert len(_run(tmp_path, "dev").monitor.registrations) > 100


def test_readme_prod_commands_leave_stacks_the_program_accepts(tmp_path):
    doc = _copy_project(tmp_path, "prod", _commands("prod"))
    cfg = doc["config"]
    # The file holds what the CLI writes: a number, a string kept by its leading zero, a string top-level value.
    assert cfg[f"{PROJECT}:accounts"]["tooling"]["id"] == 111111111111
    assert cfg[f"{PROJECT}:accounts"]["prod"]["id"] == "012345678901"
    assert cfg[f"{PROJECT}:protect"] == "true"
    assert cfg[f"{PROJECT}:externalId"] == {"secure": "v1:preflight-test-ciphertext"}
    run = _run(tmp_path, "prod")
    accounts = {json.loads(r.inputs["allowedAccountIds"])[0] for r in run.monitor.registrations.values()
                if r.type == "pulumi:providers:aws" and "allowedAccountIds" in r.inputs}
    assert {"111111111111", "012345678901"} <= accounts      # the number came back as the 12-digit string
    key = next(r for r in run.monitor.registrations.values() if r.type == "aws:kms/key:Key")
    assert key.options.get("protect") is True                # "true" is the boolean key's true
    (tmp_path / "service").mkdir()
    doc = _copy_project(tmp_path / "service", "prod-orders", _commands("prod-orders"))
    assert doc["config"][f"{PROJECT}:services"][0]["desiredCount"] == 3
    # A preview of the service stack on its own: the foundation's outputs are unknown, its config is checked.
    run = _run(tmp_path / "service", "prod-orders")
    service = next(r for r in run.monitor.registrations.values() if r.type == "aws:ecs/service:Service")
    assert service.inputs["desiredCount"] == 3


def test_a_short_numeric_account_id_is_refused_with_the_fix(tmp_path):
    _copy_project(tmp_path, "dev", [["config", "set", "--path", "accounts.staging.id", "11111111111"]])
    with pytest.raises(ProgramError) as e:
        _run(tmp_path, "dev")
    message = str(e.value)
    assert "aws-cicd-platform:accounts.staging.id" in message and "11111111111" in message
    assert "--type string" in message


def test_a_secret_looking_key_without_plaintext_or_secret_is_what_the_cli_refuses():
    with pytest.raises(CliError, match="looks like a secret|may look like a secret"):
        apply({}, PROJECT, ["config", "set", "--path", "services[0].secretsManager.API_TOKEN", "a/b:c"])


@pytest.mark.parametrize("text,expected", [("111111111111", 111111111111), ("012345678901", "012345678901"),
                                           ("0", 0), ("true", True), ("True", "True"), ("1.5", "1.5"),
                                           ("-7", -7), ("18446744073709551615", 18446744073709551615),
                                           ("18446744073709551616", "18446744073709551616")])
def test_coerce_follows_object_go(text, expected):
    assert coerce(text) == expected and type(coerce(text)) is type(expected)


def test_paths_parse_as_property_paths():
    assert parse_path('services[0].secretsManager["A.B"]') == ["services", 0, "secretsManager", "A.B"]
    with pytest.raises(CliError, match="out of range"):
        apply({"config": {f"{PROJECT}:notifications": {"emails": []}}}, PROJECT,
              ["config", "set", "--path", "notifications.emails[1]", "a@example.com"])
