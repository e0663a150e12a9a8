"""Which config may be secret, and how a secret is read so that it stays one.

The CLI marks a whole top-level key secret when any leaf under it is `secure:` - `pulumi config set --secret
--path accounts.prod.externalId` makes `accounts` secret (pkg/resource/deploy/source_eval.go passes
Config.SecureKeys() to the language host; sdk/go/common/resource/config/value.go Secure) - and the Python SDK
only knows that (pulumi.runtime.is_config_secret; Config.get_object returns the plain value). So:

- the secret fields are the schema's: `externalId` and `accounts.<role>.externalId`. They are read with
  require_secret / require_secret_object and reach resources only as secret Outputs;
- any other key holding a secret is refused: its values name resources and travel as plain inputs, where a
  secret would be recorded in plaintext. Secrets of builds and tasks are Parameter Store / Secrets Manager names;
- a diagnostic never prints a value of a secret key (the program cannot tell which leaf is the secret one).
"""
from __future__ import annotations

from typing import Iterable

import pulumi

from components.config_error import SECRET, ConfigError

SHARED_EXTERNAL_ID = "externalId"
ROLES = ("tooling", "staging", "prod")


def is_secret(cfg: pulumi.Config, key: str) -> bool:
    return pulumi.runtime.is_config_secret(cfg.full_key(key))


def _roles_with_own_id(cfg: pulumi.Config) -> list[str]:
    """The roles whose account object sets its own `externalId` (read_raw reports a malformed `accounts`)."""
    try:
        accounts = cfg.get_object("accounts")
    except (ValueError, pulumi.ConfigTypeError):
        return []
    if not isinstance(accounts, dict):
        return []
    return [role for role in ROLES if isinstance(accounts.get(role), dict) and "externalId" in accounts[role]]


def check_secrecy(cfg: pulumi.Config, keys: Iterable[str]) -> None:
    """Refuse a secret where it cannot stay one, and a secret field given in plaintext. Runs before any value is
    read, so no later diagnostic quotes a secret by accident."""
    with_own_id = _roles_with_own_id(cfg)
    for key in keys:
        if key == SHARED_EXTERNAL_ID or not is_secret(cfg, key):
            continue
        if key == "accounts" and with_own_id:
            continue
        where = ("only accounts.<role>.externalId may be secret in it" if key == "accounts" else
                 "its values name resources and are sent as plain resource inputs")
        raise ConfigError(key, f"must not hold a secret value ({where}); set it with --plaintext, and keep "
                          "build and task secrets in parameterStore / secretsManager", SECRET)
    if with_own_id and not is_secret(cfg, "accounts"):
        role = with_own_id[0]
        raise ConfigError(f"accounts.{role}.externalId", "must be set with --secret (pulumi config set --secret "
                          f"--path accounts.{role}.externalId ...)", SECRET)
    if cfg.get(SHARED_EXTERNAL_ID) and not is_secret(cfg, SHARED_EXTERNAL_ID):
        raise ConfigError(SHARED_EXTERNAL_ID, "must be set with --secret (pulumi config set --secret externalId ...)",
                          SECRET)


def masked(error: ConfigError, cfg: pulumi.Config) -> ConfigError:
    """The diagnostic without its value when the key it is about holds a secret."""
    key = error.path.split(".", 1)[0].split("[", 1)[0]
    if error.value is SECRET or not is_secret(cfg, key):
        return error
    return ConfigError(error.path, error.rule, SECRET)


def external_ids(cfg: pulumi.Config, roles_with_own_id: list[str],
                 roles_using_shared: list[str]) -> dict[str, pulumi.Output[str]]:
    """role -> the account's sts:ExternalId, a secret Output: its own, or the shared `externalId`."""
    ids: dict[str, pulumi.Output[str]] = {}
    if roles_with_own_id:
        accounts = cfg.require_secret_object("accounts")
        for role in roles_with_own_id:
            ids[role] = accounts.apply(lambda a, r=role: a[r]["externalId"])
    if roles_using_shared:
        # Pulumi.yaml gives the key an empty default (a declared key without one would be required in every
        # stack), so "missing" means empty.
        if not cfg.get(SHARED_EXTERNAL_ID):
            raise ConfigError(SHARED_EXTERNAL_ID, f"is required (set it with --secret) because "
                              f"accounts.{roles_using_shared[0]}.useExternalId is true", None)
        shared = cfg.require_secret(SHARED_EXTERNAL_ID)
        ids.update({role: shared for role in roles_using_shared})
    return ids
