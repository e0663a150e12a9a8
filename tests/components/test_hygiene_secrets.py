"""Secrets in config stay secret: on the wire (the SDK's secret signature), never in plaintext inputs, outputs or
stack outputs, never quoted by a diagnostic.

A stack file's nested `secure:` leaf makes its whole top-level key secret (sdk/go/common/resource/config/map.go
SecureKeys -> PULUMI_CONFIG_SECRET_KEYS); preflight hands the leaf over as SECRET_PLACEHOLDER with the key
marked secret (preflight/config_values.py stack_value), which is what these runs look for. The Python SDK
keeps a value secret only when it is read with require_secret / require_secret_object
(sdk/python/lib/pulumi/config.py); Output.apply keeps the secret bit.
"""
from __future__ import annotations

import json
import os

import pytest
import yaml

from preflight.program import ProgramError
from preflight.project import SECRET_PLACEHOLDER
from tests.components.hygiene_runs import (NAMESPACE, ROOT, SECRET_SIG, Exports, exports as run_exports,
                                           plaintext_leaks, run, stack_spec)

SECURE = {"secure": "v1:c2VjcmV0IGNpcGhlcnRleHQ="}
DELIVERY_EXPORTS = {"pipelines", "repository_urls", "listener_urls"}
ROLE_EXPORTS = {"deploy_role_arns", "github_actions_role_arns"}
EXPORTS = {"prod": ROLE_EXPORTS | {"prefix", "accounts", "networks", "service_stacks", "artifact_bucket",
                                   "artifact_key_arn", "notifications_topic_arn", "notifications_key_arn",
                                   "pipeline_role_arns"},
           "prod-orders": DELIVERY_EXPORTS, "dev": DELIVERY_EXPORTS | ROLE_EXPORTS}


def _program(tmp_path, stack: str, edit):
    """The platform with its stack file edited (`edit(config)` on the YAML's `config:` mapping)."""
    for name in ("Pulumi.yaml", "__main__.py", "components", "venv"):
        os.symlink(ROOT / name, tmp_path / name)
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    edit(data["config"])
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return stack_spec(stack, directory=tmp_path)


def _set(config: dict, path: str, value) -> None:
    key, *rest = path.split(".")
    node = config.setdefault(f"{NAMESPACE}:{key}", {})
    for part in rest[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(rest[-1]) if isinstance(node, list) else rest[-1]] = value


def _run_recording_exports(spec, mode="preview"):
    """A service stack reads the prod foundation's outputs, from a run of the foundation as it is."""
    foundation = {"prod": run_exports(run(stack_spec("prod"), mode))} if spec.stack.startswith("prod-") else None
    monkeypatch = pytest.MonkeyPatch()
    exports = Exports()
    exports.install(monkeypatch)
    try:
        result = run(spec, mode, stack_outputs=foundation)
    finally:
        monkeypatch.undo()
    assert set(exports.wire) == EXPORTS[spec.stack]
    return result.monitor.registrations, exports.wire


def _leaks(registrations, exports) -> list[str]:
    found = [f"{urn} inputs{p}" for urn, r in registrations.items() for p in plaintext_leaks(r.inputs, SECRET_PLACEHOLDER)]
    found += [f"{urn} outputs{p}" for urn, r in registrations.items()
              for p in plaintext_leaks(r.outputs, SECRET_PLACEHOLDER)]
    return found + [f"stack output{p}" for p in plaintext_leaks(exports, SECRET_PLACEHOLDER)]


def _assume_roles(registrations, account: str):
    (provider,) = [r for r in registrations.values() if r.name == f"{account}-provider"]
    return provider.inputs["assumeRoles"], provider.outputs.get("assumeRoles")


@pytest.mark.parametrize("mode", ["preview", "up"])
@pytest.mark.parametrize("stack", ["prod", "prod-orders"])
def test_an_accounts_own_external_id_set_with_secret_path_stays_secret(tmp_path, mode, stack):
    spec = _program(tmp_path, stack, lambda c: _set(c, "accounts.prod.externalId", SECURE))
    assert spec.secret_keys == [f"{NAMESPACE}:accounts"]
    assert SECRET_PLACEHOLDER in json.loads(spec.config[f"{NAMESPACE}:accounts"])["prod"]["externalId"]
    registrations, exports = _run_recording_exports(spec, mode)
    assert _leaks(registrations, exports) == []
    wire_in, wire_out = _assume_roles(registrations, "prod")
    for wire in (wire_in, wire_out):
        assert {k: wire[k] for k in SECRET_SIG} == SECRET_SIG
        assert json.loads(wire["value"])[0]["externalId"] == SECRET_PLACEHOLDER
    staging_in, _ = _assume_roles(registrations, "staging")
    assert isinstance(staging_in, str) and "externalId" not in staging_in
    if stack == "prod":
        assert exports["deploy_role_arns"]["prod"] == "arn:aws:iam::333333333333:role/cicd-prod-deploy"
        assert exports["accounts"]["prod"] == {"id": "333333333333", "region": "us-east-1"}


def test_the_shared_external_id_from_a_secure_value_stays_secret(tmp_path):
    def edit(config):
        config[f"{NAMESPACE}:externalId"] = SECURE
        _set(config, "accounts.staging.useExternalId", True)

    spec = _program(tmp_path, "prod", edit)
    assert spec.secret_keys == [f"{NAMESPACE}:externalId"]
    registrations, exports = _run_recording_exports(spec)
    assert _leaks(registrations, exports) == []
    wire_in, _ = _assume_roles(registrations, "staging")
    assert {k: wire_in[k] for k in SECRET_SIG} == SECRET_SIG
    assert json.loads(wire_in["value"])[0]["externalId"] == SECRET_PLACEHOLDER


@pytest.mark.parametrize("path,value,expected", [
    # A secret anywhere else would be sent in plaintext (buildspecs, names, tags): refused, never quoted.
    ("services.0.testCommand", SECURE, "aws-cicd-platform:services: must not hold a secret value (its values name "
     "resources and are sent as plain resource inputs); set it with --plaintext, and keep build and task secrets "
     "in parameterStore / secretsManager, got [secret]"),
    ("notifications.emails.0", SECURE, "aws-cicd-platform:notifications: must not hold a secret value"),
    ("accounts.prod.bootstrapRole", SECURE, "aws-cicd-platform:accounts: must not hold a secret value (only "
     "accounts.<role>.externalId may be secret in it)"),
    ("owner", SECURE, "aws-cicd-platform:owner: must not hold a secret value"),
    # A secret field given in plaintext: refused without printing it.
    ("accounts.prod.externalId", "plain-ext-id-1234", "aws-cicd-platform:accounts.prod.externalId: must be set with "
     "--secret (pulumi config set --secret --path accounts.prod.externalId ...), got [secret]"),
    ("externalId", "plain-ext-id-1234", "aws-cicd-platform:externalId: must be set with --secret (pulumi config set "
     "--secret externalId ...), got [secret]"),
])
def test_a_secret_where_it_cannot_stay_one_is_refused_without_its_value(tmp_path, path, value, expected):
    def edit(config):
        if "." in path:
            _set(config, path, value)
        else:
            config[f"{NAMESPACE}:{path}"] = value

    with pytest.raises(ProgramError) as raised:
        run(_program(tmp_path, "prod-orders" if path.startswith("services") else "prod", edit))
    message = str(raised.value)
    assert expected in message
    assert SECRET_PLACEHOLDER not in message and "plain-ext-id-1234" not in message


@pytest.mark.parametrize("edit,expected", [
    (lambda c: (_set(c, "accounts.prod.externalId", SECURE), _set(c, "accounts.prod.id", "12345")),
     "aws-cicd-platform:accounts.prod.id: must be 12 digits, got [secret]"),
    (lambda c: (_set(c, "accounts.prod.externalId", SECURE), _set(c, "accounts.prod.useExternalId", True)),
     "aws-cicd-platform:accounts.prod.externalId: must not be combined with useExternalId (which takes the shared "
     "externalId): set one of them, got [secret]"),
])
def test_a_diagnostic_about_a_key_holding_a_secret_never_quotes_a_value(tmp_path, edit, expected):
    with pytest.raises(ProgramError) as raised:
        run(_program(tmp_path, "prod", edit))
    assert expected in str(raised.value) and SECRET_PLACEHOLDER not in str(raised.value)


def test_pulumi_yaml_declares_external_id_secret_with_a_default_and_no_type():
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]["externalId"]
    # pkg/workspace/config.go mergeConfig gives an unset key its default as plaintext, and
    # validateStackConfigValue ("must be encrypted as it's secret") runs only for typed keys: typed, this
    # default would fail every stack that does not set the key.
    assert declared["secret"] is True and declared["default"] == "" and "type" not in declared
