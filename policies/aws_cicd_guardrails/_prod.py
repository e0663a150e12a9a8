"""Prod-ness shared by the codepipeline, codedeploy and iam rules.

A resource (or pipeline stage / action) is prod when its account is in `prodAccountIds`
or its name matches `prodNamePattern`. Names are matched as written and with camelCase
split on word boundaries, so "DeployProduction" and "Deploy Production" count like
"deploy-production" (pipeline stage names are free text).
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterable, Mapping, Optional

from ._common import provider_account, str_list

DEFAULT_PROD_NAME_PATTERN = r"(?i)(^|[-_:/ ])prod(uction)?($|[-_:/ ])"

CONFIG: dict[str, dict[str, Any]] = {
    "prodAccountIds": {
        "type": "array", "items": {"type": "string", "pattern": r"^\d{12}$"}, "default": [],
        "description": "Account ids whose resources (and pipeline actions whose role lives there) are prod."},
    "prodNamePattern": {
        "type": "string", "default": DEFAULT_PROD_NAME_PATTERN,
        "description": "Regular expression over names / URNs (and pipeline stage / action names) "
                       "marking prod."},
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.lru_cache(maxsize=32)
def _compiled(pattern: str, key: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise ValueError(f"policy pack config: {key} {pattern!r} is not a valid regular expression: "
                         f"{e}") from None


def name_matches(name: Any, cfg: Mapping[str, Any], key: str, default: str) -> bool:
    """`name` (as written, or with camelCase split) matches the regex of config `key`."""
    if not isinstance(name, str) or not name:
        return False
    pattern = cfg.get(key)
    rx = _compiled(pattern if isinstance(pattern, str) else default, key)
    return bool(rx.search(name) or rx.search(_CAMEL.sub("-", name)))


def name_is_prod(name: Any, cfg: Mapping[str, Any]) -> bool:
    return name_matches(name, cfg, "prodNamePattern", DEFAULT_PROD_NAME_PATTERN)


def prod_accounts(cfg: Mapping[str, Any]) -> set[str]:
    return set(str_list(cfg.get("prodAccountIds")))


def account_is_prod(account: Optional[str], cfg: Mapping[str, Any]) -> bool:
    return bool(account) and account in prod_accounts(cfg)


def any_name_is_prod(names: Iterable[Any], cfg: Mapping[str, Any]) -> bool:
    return any(name_is_prod(n, cfg) for n in names)


def resource_is_prod(args: Any, cfg: Mapping[str, Any]) -> bool:
    """A resource in a prod account (by its explicit provider), or named / URN'd as prod."""
    if account_is_prod(provider_account(getattr(args, "provider", None)), cfg):
        return True
    return any_name_is_prod((getattr(args, "name", None), getattr(args, "urn", None)), cfg)
