"""Waivers: a reviewed, dated exception to one policy for the resources a URN or name glob picks.

They live in the policy's own entry of the per-stack config file:
`"<policy>": {"waivers": [{"resource": "orders-*", "reason": "...", "expires": "2027-01-31"}]}`.
An expired waiver no longer applies; it is remembered here so `platform-waiver-expired`
(a stack policy, evaluated after every resource) can report it.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import jsonschema

from ._config_messages import FORMATS, PREFIX, cannot_be_waived, first_schema_error


def schema(policy: str) -> dict[str, Any]:
    """The `waivers` property of `policy`'s config schema."""
    return {
        "type": "array",
        "description": "Dated exceptions to this policy: resource (URN or name glob), reason, expires (YYYY-MM-DD).",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["resource", "reason", "expires"],
            "properties": {
                "policy": {"const": policy, "description": "Optional; must equal the policy this entry sits under."},
                "resource": {"type": "string", "minLength": 1},
                "reason": {"type": "string", "minLength": 10},
                "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"},
            },
        },
    }


@functools.lru_cache(maxsize=None)
def _validator(policy: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema(policy), format_checker=FORMATS)


# (policy, resource) -> waiver of every expired waiver seen in this process.
_EXPIRED: dict[tuple[str, str], "Waiver"] = {}
_CACHE: dict[tuple[str, str], "Waivers"] = {}


class WaiverError(ValueError):
    pass


@dataclass(frozen=True)
class Waiver:
    policy: str
    resource: str
    reason: str
    expires: dt.date

    def matches(self, urn: Optional[str], name: Optional[str]) -> bool:
        if self.resource.startswith("urn:pulumi:"):
            return bool(urn) and fnmatch.fnmatchcase(urn, self.resource)
        return bool(name) and fnmatch.fnmatchcase(name, self.resource)


@dataclass(frozen=True)
class Waivers:
    active: tuple[Waiver, ...] = ()

    def match(self, urn: Optional[str], name: Optional[str]) -> Optional[Waiver]:
        return next((w for w in self.active if w.matches(urn, name)), None)


NONE = Waivers()


def reset() -> None:
    """A new Configure starts over: the CLI configures a pack process once, a harness may do it per run."""
    _EXPIRED.clear()
    _CACHE.clear()


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def parse(rule, cfg: Mapping[str, Any]) -> Waivers:
    raw = cfg.get("waivers")
    if raw is None:
        return NONE
    if not rule.waivable:
        # Configure refuses this config first; here for a pack run with no Configure call.
        raise WaiverError(PREFIX + cannot_be_waived(rule.name))
    key = (rule.name, json.dumps(raw, sort_keys=True, default=str))
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = _parse(rule.name, raw)
    return cached


def _parse(policy: str, raw: Any) -> Waivers:
    raw = json.loads(json.dumps(raw, default=_plain))
    error = first_schema_error(_validator(policy), raw, [policy, "waivers"])
    if error:
        raise WaiverError(PREFIX + error)
    active = []
    for w in raw:
        waiver = Waiver(policy, w["resource"], w["reason"], dt.date.fromisoformat(w["expires"]))
        if waiver.expires < today():
            _EXPIRED[(policy, waiver.resource)] = waiver
        else:
            active.append(waiver)
    return Waivers(active=tuple(active))


def _plain(o: Any) -> Any:
    if isinstance(o, Mapping):
        return dict(o)
    return list(o)


def expired() -> list[Waiver]:
    return sorted(_EXPIRED.values(), key=lambda w: (w.policy, w.resource))


def waived_reason(waivers: list[Waiver]) -> str:
    """The not-applicable reason that carries waived violations to the engine: `waived (N): ...`."""
    unique = list(dict.fromkeys(waivers))
    detail = "; ".join(f"{w.resource} until {w.expires.isoformat()}: {w.reason}" for w in unique)
    return f"waived ({len(waivers)}): {detail}"


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]
