"""Helpers every rule module shares: tolerant property access, embedded documents, IAM
statements, secret detection, account of a resource.

Property bags arrive as the SDK's unknown-checking proxies (`Mapping` / `Sequence`, not
dict / list); reading an unknown raises `UnknownValueError`, which must reach the SDK.
"""
from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Iterable, Iterator, Optional

import yaml

ACCOUNT_IN_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")


def as_map(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> Sequence:
    """A list property; a single map counts as a one-item list (HCL-style blocks)."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return value
    return []


def get(props: Any, *path: Any, default: Any = None) -> Any:
    """props[a][b][c]... tolerating missing keys and wrong types at every level."""
    cur = props
    for key in path:
        if isinstance(key, int):
            seq = as_list(cur)
            if not -len(seq) <= key < len(seq):
                return default
            cur = seq[key]
        elif isinstance(cur, Mapping):
            if key not in cur:
                return default
            cur = cur[key]
        else:
            return default
    return cur


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_json(value: Any) -> Any:
    """An embedded JSON document: already-structured values pass through, bad JSON is None."""
    if isinstance(value, (Mapping, Sequence)) and not isinstance(value, (str, bytes)):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def parse_yaml(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    # Several buildspec rules read the same inline YAML per request; PyYAML is slow, a copy is not.
    return copy.deepcopy(_parsed_yaml(value))


@functools.lru_cache(maxsize=256)
def _parsed_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


# ---- IAM documents -------------------------------------------------------------------------

def statements(document: Any) -> list[Mapping]:
    """The statements of an IAM policy document given as JSON text or a mapping."""
    doc = parse_json(document)
    return [s for s in as_list(get(doc, "Statement")) if isinstance(s, Mapping)]


def str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in as_list(value) if isinstance(v, str)]


def principals(statement: Mapping) -> dict[str, list[str]]:
    """{"AWS": [...], "Service": [...], "Federated": [...], "*": ["*"]} of a statement."""
    p = statement.get("Principal")
    if isinstance(p, str):
        return {"*": [p]} if p == "*" else {"AWS": [p]}
    return {k: str_list(v) for k, v in as_map(p).items()}


def is_allow(statement: Mapping) -> bool:
    return statement.get("Effect", "Allow") == "Allow"


def has_wildcard_principal(statement: Mapping) -> bool:
    return any(v == "*" for values in principals(statement).values() for v in values)


def actions(statement: Mapping) -> list[str]:
    return str_list(statement.get("Action"))


def resources(statement: Mapping) -> list[str]:
    return str_list(statement.get("Resource"))


def conditions(statement: Mapping) -> Mapping:
    return as_map(statement.get("Condition"))


def condition_keys(statement: Mapping) -> dict[str, list[str]]:
    """{lowercased condition key: values} across every operator of a statement."""
    out: dict[str, list[str]] = {}
    for block in conditions(statement).values():
        for key, values in as_map(block).items():
            out.setdefault(str(key).lower(), []).extend(str_list(values))
    return out


# ---- secrets ------------------------------------------------------------------------------

SECRET_NAME = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth)",
    re.IGNORECASE)
SECRET_VALUE = [
    re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
]
SECRET_REFERENCE = re.compile(r"^(arn:aws[a-z-]*:(secretsmanager|ssm):|\{\{resolve:|/)", re.IGNORECASE)


def extra_patterns(cfg: Mapping[str, Any]) -> list[re.Pattern]:
    out = []
    for p in str_list(cfg.get("secretNamePatterns")):
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error:
            continue
    return out


def secret_reason(name: Any, value: Any, extra: Iterable[re.Pattern] = ()) -> Optional[str]:
    """Why a plain name/value pair looks like a secret, or None. References to a secret store do not count."""
    value_s = value if isinstance(value, str) else ""
    for rx in SECRET_VALUE:
        if rx.search(value_s):
            return "its value looks like a credential"
    name_s = name if isinstance(name, str) else ""
    if name_s and (SECRET_NAME.search(name_s) or any(rx.search(name_s) for rx in extra)):
        if value_s and not SECRET_REFERENCE.match(value_s):
            return f"its name {name_s!r} marks a secret"
    return None


# ---- accounts -----------------------------------------------------------------------------

def account_of_arn(arn: Any) -> Optional[str]:
    m = ACCOUNT_IN_ARN.match(arn) if isinstance(arn, str) else None
    return m.group(1) if m else None


def provider_account(provider: Any) -> Optional[str]:
    """The account an explicit aws.Provider targets: its assume-role ARN, else its single allowed id."""
    props = getattr(provider, "props", None)
    # Provider inputs that are objects travel as JSON strings (pulumi-aws applies to_json).
    roles = as_list(parse_json(get(props, "assumeRoles"))) or as_list(parse_json(get(props, "assumeRole")))
    for role in roles:
        acct = account_of_arn(get(role, "roleArn") or get(role, "role_arn"))
        if acct:
            return acct
    allowed = str_list(parse_json(get(props, "allowedAccountIds")))
    return allowed[0] if len(allowed) == 1 else None


def iter_containers(value: Any) -> Iterator[Mapping]:
    """Container definitions of an ECS task definition (`containerDefinitions` JSON)."""
    for c in as_list(parse_json(value)):
        if isinstance(c, Mapping):
            yield c
