"""`aws:ecr/getLifecyclePolicyDocument:getLifecyclePolicyDocument`, evaluated offline to the provider's JSON.

terraform-provider-aws `internal/service/ecr/lifecycle_policy_document_data_source.go` expands the
`rule` blocks into the `lifecyclePolicy` struct of `lifecycle_policy.go` and returns
`json.MarshalIndent(policy, "", "  ")`. So the document keeps the rules in the order given (no
sorting by priority), each rule's keys in the struct's field order (`rulePriority`, `description`,
`selection`, `action`; `targetStorageClass` before `type` in an action), drops unset and empty
optional fields (`omitempty`), defaults a missing action to `{"type": "expire"}`, and escapes HTML
characters as Go's encoder does. The invoke's other output, `rules`, echoes the arguments.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from preflight.policy_document import _go_json

TOKEN = "aws:ecr/getLifecyclePolicyDocument:getLifecyclePolicyDocument"
TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
ACTION_TYPES = ("expire", "transition")
# (document key, wire key, snake key) in lifecyclePolicyRuleSelection's field order.
_SELECTION = (("tagStatus", "tagStatus", "tag_status"),
              ("tagPatternList", "tagPatternLists", "tag_pattern_lists"),
              ("tagPrefixList", "tagPrefixLists", "tag_prefix_lists"),
              ("storageClass", "storageClass", "storage_class"),
              ("countType", "countType", "count_type"),
              ("countUnit", "countUnit", "count_unit"),
              ("countNumber", "countNumber", "count_number"))
_ACTION = (("targetStorageClass", "targetStorageClass", "target_storage_class"), ("type", "type", "type"))


class LifecycleDocumentError(ValueError):
    """Arguments the data source's validators reject (the invoke fails with this message)."""


def _get(d: Mapping[str, Any], camel: str, snake: str) -> Any:
    """Typed Args classes arrive camelCased, plain dicts snake_cased."""
    value = d.get(camel)
    return d.get(snake) if value is None else value


def _integer(value: Any, where: str) -> int:
    # Numbers cross the wire as floats; the schema's attributes are Int64.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise LifecycleDocumentError(f"{where}: expected a whole number, got {value!r}")
    return int(value)


def _at_least_one(value: Any, where: str) -> int:
    number = _integer(value, where)
    if number < 1:
        raise LifecycleDocumentError(f"Attribute {where} value must be at least 1, got: {number}")
    return number


def _one_of(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        quoted = " ".join(f'"\\"{a}\\""' for a in allowed)
        raise LifecycleDocumentError(f"Attribute {where} value must be one of: [{quoted}], got: \"{value}\"")
    return value


def _selection(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, camel, snake in _SELECTION:
        value = _get(raw, camel, snake)
        if key == "tagStatus":
            value = _one_of(value, TAG_STATUSES, f"{where}.tag_status")
        elif key == "countType":
            value = _one_of(value, COUNT_TYPES, f"{where}.count_type")
        elif key == "countNumber":
            value = _at_least_one(value, f"{where}.count_number")
        if value is None or (isinstance(value, list) and not value):
            continue
        out[key] = [str(v) for v in value] if isinstance(value, list) else value
    return out


def _action(raw: Optional[Mapping[str, Any]], where: str) -> dict[str, Any]:
    if raw is None:
        return {"type": "expire"}
    out: dict[str, Any] = {}
    for key, camel, snake in _ACTION:
        value = _get(raw, camel, snake)
        if key == "type":
            value = _one_of(value, ACTION_TYPES, f"{where}.type")
        if value is not None:
            out[key] = value
    return out


def _rule(raw: Mapping[str, Any], index: int) -> dict[str, Any]:
    where = f"rule[{index}]"
    rule: dict[str, Any] = {"rulePriority": _at_least_one(raw.get("priority"), f"{where}.priority")}
    if raw.get("description") is not None:
        rule["description"] = raw["description"]
    selection = raw.get("selection")
    if not isinstance(selection, Mapping):
        raise LifecycleDocumentError(f"Block {where}.selection must have a configuration value as the "
                                     "provider has marked it as required")
    rule["selection"] = _selection(selection, f"{where}.selection[0]")
    rule["action"] = _action(raw.get("action"), f"{where}.action[0]")
    return rule


def _echo(value: Any) -> Any:
    """The `rules` output: the arguments as given, whole numbers as ints, unset fields left out."""
    if isinstance(value, Mapping):
        return {k: _echo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_echo(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def evaluate(args: Mapping[str, Any]) -> dict[str, Any]:
    """The invoke's outputs: `json` and `rules`."""
    rules = args.get("rules")
    if not rules:
        raise LifecycleDocumentError("Block rule must have a configuration value as the provider has "
                                     "marked it as required")
    document = {"rules": [_rule(rule, i) for i, rule in enumerate(rules)]}
    return {"json": _go_json(document, 2), "rules": _echo(list(rules))}
