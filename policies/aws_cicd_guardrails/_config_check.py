"""The whole policy pack config, checked once when the engine sends it (Configure).

The CLI validates each known policy's properties against its schema but lets unknown policy
names, unknown properties and waivers of an unwaivable policy through, and checks formats with
Go's regexp, not Python's. The first problem, in a fixed order (non-finite numbers, policy
names, then policy by policy), is the one-line error; preflight checks in the same order.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

import jsonschema

from ._config_messages import (
    FORMATS, PREFIX, cannot_be_waived, first_schema_error, non_finite, unknown_policy, unknown_property,
)
from ._registry import RULES, Rule


class ConfigError(ValueError):
    """A config the pack refuses; the message is one line for the user."""


def check(config: Mapping[str, Mapping[str, Any]], rules: Optional[Iterable[Rule]] = None) -> None:
    """Raises ConfigError for `{policy: properties}` (enforcement levels travel apart); `rules` are the
    pack's (default: the registry)."""
    problem = first_problem(config, {r.name: r for r in (RULES if rules is None else rules)})
    if problem:
        raise ConfigError(PREFIX + problem)


def first_problem(config: Mapping[str, Mapping[str, Any]], rules: Mapping[str, Rule]) -> Optional[str]:
    found = non_finite(config)
    if found:
        return found
    names = sorted(config)
    for name in names:
        if name != "all" and name not in rules:
            return unknown_policy(name, rules)
    for name in names:
        props = config[name] or {}
        found = (_all_problem(props) if name == "all" else _policy_problem(rules[name], props))
        if found:
            return found
    return None


def _all_problem(props: Mapping[str, Any]) -> Optional[str]:
    """`all` sets only an enforcement level (the CLI passes it on like a policy)."""
    return unknown_property("all", sorted(props)[0], ()) if props else None


def _policy_problem(rule: Rule, props: Mapping[str, Any]) -> Optional[str]:
    if "waivers" in props and not rule.waivable:
        return cannot_be_waived(rule.name)
    validator = _validator(rule)
    known = validator.schema["properties"]
    for key in sorted(props):
        if key not in known:
            return unknown_property(rule.name, key, known)
    return first_schema_error(validator, dict(props), [rule.name])


_VALIDATORS: dict[str, jsonschema.Draft7Validator] = {}


def _validator(rule: Rule) -> jsonschema.Draft7Validator:
    validator = _VALIDATORS.get(rule.name)
    if validator is None:
        schema = {"type": "object", "properties": rule.schema_properties()}
        validator = _VALIDATORS[rule.name] = jsonschema.Draft7Validator(schema, format_checker=FORMATS)
    return validator
