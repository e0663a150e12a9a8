"""Secret-looking plain values: environment variables (ECS containers, Lambda functions, CodeBuild
projects and buildspecs) and SSM parameters.

A pair is a secret when its value carries a credential whatever its name (an AWS access key id, a
private key, a provider token, a password inside a URL or connection string), or when its name marks a
secret and its value could be one. The name test reads words (DB_PASSWORD, dbPassword, x-api-key):
a secret word (password, secret, token, api key, private / signing key, credentials, ...) that is not
qualified away by what follows it (SECRET_ARN, TOKEN_ENDPOINT, PASSWORD_MIN_LENGTH, KMS_KEY_ID) nor
published by what precedes it (PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY, NEXT_PUBLIC_*). A value that is a
reference or plain configuration (an ARN, a parameter path, `{{resolve:...}}`, `${...}`, a number, a
boolean, a URL without credentials) is not a secret value. The precision and recall of this heuristic
are measured over a labelled set in tests/policies/secret_names.py.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from ._common import extra_patterns

CONFIG = {"secretNamePatterns": {
    "type": "array", "items": {"type": "string"}, "default": [],
    "description": "Extra regular expressions over variable names that mark a secret."}}

_CREDENTIAL_VALUES = [
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"), "a GitHub token"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), "a GitLab token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"), "a Slack token"),
    (re.compile(r"\bhooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"), "a Slack webhook"),
    (re.compile(r"\b(sk|rk)_live_[A-Za-z0-9]{16,}\b"), "a Stripe secret key"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), "an npm token"),
    (re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b"), "a SendGrid key"),
]
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"'<>]+", re.IGNORECASE)
# ADO.NET / JDBC / Azure connection strings: `...;Password=...;`, `AccountKey=...`.
_CONNECTION_SECRET = re.compile(r"(?:^|;)\s*(password|pwd|accountkey|sharedaccesskey)\s*=\s*([^;]+)",
                                re.IGNORECASE)
_CONNECTION_STRING = re.compile(r"^\s*([A-Za-z][\w ]*=[^;]*;\s*){2,}([A-Za-z][\w ]*=[^;]*)?;?\s*$")
# A value that stands for a secret held elsewhere: ${VAR}, $VAR, {{resolve:...}}, #{Namespace.Var},
# {placeholder}, <placeholder>, *** / xxx.
_PLACEHOLDER = re.compile(r"^(\$\{[^}]*\}|\$\(.*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|#\{[^}]*\}"
                          r"|\{[A-Za-z_][\w.]*\}|<[^>]*>|\*+|x+)$", re.IGNORECASE | re.S)

_MARKERS = {"password", "passwd", "pwd", "pw", "pass", "passphrase", "secret", "secrets", "token", "tokens",
            "apikey", "credential", "credentials", "creds", "bearer", "authorization", "pat", "privatekey",
            "accesskey", "secretkey", "clientsecret", "authtoken", "salt"}
# Compound words ending in a marker (dbpassword, githubtoken, clientsecret, xapikey).
_MARKER_SUFFIXES = ("password", "passwd", "passphrase", "secret", "token", "apikey", "privatekey",
                    "secretkey", "credentials", "credential")
# Words that make the next "key" / "keys" a secret key (API_KEY, SIGNING_KEY, but not KMS_KEY, S3_KEY).
_KEY_QUALIFIERS = {"api", "secret", "private", "signing", "sign", "encryption", "encrypt", "master",
                   "license", "licence", "app", "hmac", "access", "client", "ssh", "jwt", "session", "deploy",
                   "auth", "crypto", "aes", "webhook", "account", "storage", "shared", "subscription",
                   "admin", "service", "write", "ingest", "cookie", "consumer", "gpg", "pgp", "root", "rsa",
                   "ed25519"}
# Words after the secret word that make the name describe or point at a secret, not hold one.
_QUALIFIED_AWAY = {"id", "ids", "arn", "arns", "name", "names", "path", "param", "parameter", "ref", "file",
                   "url", "uri", "urls", "endpoint", "host", "hostname", "port", "enabled", "enable",
                   "disabled", "required", "ttl", "expiry", "expires", "expiration", "lifetime", "duration",
                   "timeout", "length", "len", "min", "max", "policy", "type", "version", "region",
                   "algorithm", "alg", "prefix", "suffix", "location", "header", "issuer", "audience",
                   "rotation", "days", "count", "size", "mode", "provider", "store", "manager", "kms",
                   "bucket", "dir", "directory", "field", "format", "hint", "label", "scope", "scopes",
                   "usage", "reset", "pattern", "regex", "strength", "complexity", "age", "vault", "source",
                   "template", "env", "var", "variable", "status", "check", "validation", "cache", "backend",
                   "engine"}
_PUBLIC = {"public", "publishable", "pub"}
_PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "GATSBY_", "NUXT_PUBLIC_")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?[a-z]{0,2}$", re.IGNORECASE)
_NON_SECRET_WORDS = {"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined", "enabled",
                     "disabled", "required", "optional", "-", ""}


def words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if w]


def name_marks_secret(name: str) -> bool:
    """The name (a variable or a parameter path) holds a secret by its words."""
    if name.upper().startswith(_PUBLIC_PREFIXES):
        return False
    ws = words(name.rsplit("/", 1)[-1] if name.startswith("/") else name)
    last = None
    for i, w in enumerate(ws):
        prev = ws[i - 1] if i else ""
        if w in ("key", "keys") and prev in _KEY_QUALIFIERS and prev != "public":
            last = i
        elif w in ("auth", "basicauth") and i == len(ws) - 1:
            last = i
        elif w in _MARKERS or w.endswith(_MARKER_SUFFIXES):
            last = i
    if last is None or (ws[last] in ("pwd", "oldpwd") and len(ws) == 1):
        return False
    if any(w in _PUBLIC for w in ws[:last + 1]):
        return False
    tail = ws[last + 1:]
    return not any(w in _QUALIFIED_AWAY for w in tail)


def _url_password(url: str) -> Optional[str]:
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    userinfo, at, _ = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return None
    password = userinfo.split(":", 1)[1]
    return password if password and not _PLACEHOLDER.match(password) else None


def credential_in_value(value: str) -> Optional[str]:
    """Why the value carries a credential whatever its name, or None."""
    for rx, what in _CREDENTIAL_VALUES:
        if rx.search(value):
            return f"its value looks like a credential ({what})"
    for m in _URL.finditer(value):
        if _url_password(m.group(0).rstrip(".,;)")):
            scheme = m.group(0).split("://", 1)[0]
            return f"its value is a URL with a password ({scheme}://user:***@...)"
    for m in _CONNECTION_SECRET.finditer(value):
        secret = m.group(2).strip().strip("'\"")
        if secret and not _PLACEHOLDER.match(secret):
            return f"its value is a connection string with a {m.group(1)}"
    return None


def could_be_secret(value: str) -> bool:
    """A value a secret could be: not a reference (ARN, parameter path, placeholder), number, boolean or
    credential-free URL."""
    v = value.strip()
    if v.lower() in _NON_SECRET_WORDS or _NUMBER.match(v) or _PLACEHOLDER.match(v):
        return False
    if v.lower().startswith(("arn:aws", "arn:", "/", "./", "~/", "file://", "ssm:", "secretsmanager:")):
        return False
    if _URL.fullmatch(v):
        return False  # a URL with a password is caught by credential_in_value
    if _CONNECTION_STRING.match(v):
        return False  # its password / account key fields, if any, are caught by credential_in_value
    return True


def secret_reason(name: Any, value: Any, extra: Iterable[re.Pattern] = ()) -> Optional[str]:
    """Why a plain name/value pair looks like a secret, or None."""
    value_s = value if isinstance(value, str) else ""
    found = credential_in_value(value_s) if value_s else None
    if found:
        return found
    name_s = name if isinstance(name, str) else ""
    if name_s and value_s and could_be_secret(value_s):
        if name_marks_secret(name_s) or any(rx.search(name_s) for rx in extra):
            return f"its name {name_s!r} marks a secret"
    return None


def secret_variables(pairs: Iterable[tuple[Any, Any]], cfg: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, why it looks secret) for every (name, plain value) pair that looks like a secret."""
    extra = extra_patterns(cfg)
    out = []
    for name, value in pairs:
        reason = secret_reason(name, value, extra)
        if reason:
            out.append((name if isinstance(name, str) else repr(name), reason))
    return out
