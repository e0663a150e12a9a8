"""The rule registry: one rule = one small check function plus its metadata.

A check yields violation messages; the registry turns it into a CrossGuard policy that
filters by resource type, merges config defaults, applies waivers and reports. Checks
never catch `UnknownValueError`: the SDK turns it into its "can't be known during
preview" advisory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Union

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from . import _waivers

# Config properties that hold regular expressions (a string, or a list of them): their schema says
# `"format": "regex"`, so the pack at Configure and preflight compile every one before a run.
REGEX_PROPERTIES = frozenset({"prodNamePattern", "stagingNamePattern", "exemptFunctionPattern",
                              "secretNamePatterns", "allowedRegistries", "testCommandPatterns"})
FRAMEWORKS = {"SH ": "aws-security-hub", "CKV": "checkov", "CT.": "aws-control-tower", "nag ": "cdk-nag",
              "Config ": "aws-config", "Guard ": "cfn-guard"}
SEVERITIES = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH, "critical": Severity.CRITICAL}
LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY,
          "remediate": EnforcementLevel.REMEDIATE, "disabled": EnforcementLevel.DISABLED}

# A resource check yields messages; a stack check yields (urn or None, message).
ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[tuple[Optional[str], str]]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    severity: str
    remediation: str
    service: str
    topic: str
    anchors: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    waivable: bool = True
    kind: str = "resource"
    check: Union[ResourceCheck, StackCheck, None] = None
    # None: the pack's level. A stack's config file still overrides either.
    enforcement_level: Optional[str] = None

    def __post_init__(self) -> None:
        if self.enforcement_level is not None and self.enforcement_level not in LEVELS:
            raise ValueError(f"rule {self.name}: enforcement level {self.enforcement_level!r} not in "
                             f"{sorted(LEVELS)}")

    @property
    def anchor(self) -> Optional[str]:
        """The control the rule is mapped to first (Security Hub, Checkov, cdk-nag...), if any."""
        return self.anchors[0] if self.anchors else None

    def schema_properties(self) -> dict[str, dict]:
        props = {k: _regex_format(v) if k in REGEX_PROPERTIES else dict(v) for k, v in self.config.items()}
        if self.waivable:
            props["waivers"] = _waivers.schema(self.name)
        return props

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.config.items() if "default" in v}

    def framework(self) -> Optional[PolicyComplianceFramework]:
        """The first anchor control as the compliance framework; every anchor in `specification`."""
        if not self.anchors:
            return None
        first = self.anchors[0]
        family = next((v for k, v in FRAMEWORKS.items() if first.startswith(k)), "other")
        return PolicyComplianceFramework(name=family, reference=first.split(" ", 1)[-1],
                                         specification=", ".join(self.anchors))

    def tags(self) -> list[str]:
        return [f"service:{self.service}", f"topic:{self.topic}"] + [f"anchor:{a}" for a in self.anchors]


def _regex_format(schema: Mapping[str, Any]) -> dict[str, Any]:
    if schema.get("type") == "array":
        return {**schema, "items": {**schema.get("items", {}), "format": "regex"}}
    return {**schema, "format": "regex"}


RULES: list[Rule] = []
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


def _register(rule: Rule) -> None:
    if not _NAME.match(rule.name):
        raise ValueError(f"rule name {rule.name!r} is not kebab-case")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"rule {rule.name}: severity {rule.severity!r} not in {sorted(SEVERITIES)}")
    if any(r.name == rule.name for r in RULES):
        raise ValueError(f"rule {rule.name} registered twice")
    RULES.append(rule)


def resource_rule(name: str, *, types: Iterable[str], description: str, severity: str, remediation: str,
                  topic: str, anchors: Iterable[str] = (), config: Optional[Mapping[str, Mapping]] = None,
                  waivable: bool = True) -> Callable[[ResourceCheck], ResourceCheck]:
    """Registers `check(args, cfg) -> Iterable[str]` for the given resource types."""
    def deco(fn: ResourceCheck) -> ResourceCheck:
        _register(Rule(name=name, description=description, severity=severity, remediation=remediation,
                       service=name.split("-")[0], topic=topic, anchors=tuple(anchors),
                       resource_types=tuple(types), config=dict(config or {}), waivable=waivable,
                       kind="resource", check=fn))
        return fn
    return deco


def stack_rule(name: str, *, description: str, severity: str, remediation: str, topic: str,
               anchors: Iterable[str] = (), config: Optional[Mapping[str, Mapping]] = None,
               waivable: bool = True) -> Callable[[StackCheck], StackCheck]:
    """Registers `check(args, cfg) -> Iterable[(urn | None, message)]` over the whole stack."""
    def deco(fn: StackCheck) -> StackCheck:
        _register(Rule(name=name, description=description, severity=severity, remediation=remediation,
                       service=name.split("-")[0], topic=topic, anchors=tuple(anchors),
                       config=dict(config or {}), waivable=waivable, kind="stack", check=fn))
        return fn
    return deco


def _config(defaults: Mapping[str, Any], given: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """The policy's config over its schema defaults (the CLI fills them in; a bare Configure may not)."""
    return {**defaults, **given} if given else dict(defaults)


def _prepare(rule: Rule) -> Callable[[Optional[Mapping[str, Any]]], tuple[dict, _waivers.Waivers]]:
    """`prepare(config) -> (cfg, waivers)`: what a policy does with its config before anything else."""
    defaults = rule.defaults()

    def prepare(given: Optional[Mapping[str, Any]]) -> tuple[dict[str, Any], _waivers.Waivers]:
        cfg = _config(defaults, given)
        return cfg, _waivers.parse(rule, cfg)
    return prepare


@dataclass(frozen=True)
class TypeFilter:
    """A resource policy's type filter, for a dispatcher that skips the policy on other types.

    On a resource of another type the policy only runs `prepare(its config)` (so an expired waiver is
    recorded, and a bad one raises, whatever the stack holds) and returns. Once `prepare` has returned
    for a config, calling it again with that config changes nothing until the next Configure (waivers
    are parsed once per Configure).
    """
    types: frozenset[str]
    prepare: Callable[[Optional[Mapping[str, Any]]], Any]


def type_filters(rules: Optional[Iterable[Rule]] = None) -> dict[str, TypeFilter]:
    """`{policy name: TypeFilter}` of every resource rule of `rules` (default: the registry)."""
    return {r.name: TypeFilter(frozenset(r.resource_types), _prepare(r))
            for r in (RULES if rules is None else rules) if r.kind == "resource"}


def _resource_validate(rule: Rule):
    types = frozenset(rule.resource_types)
    prepare = _prepare(rule)

    def validate(args: ResourceValidationArgs, report_violation) -> None:
        # Parsed before the type filter, so an expired waiver is seen even where no resource matches.
        cfg, waivers = prepare(args.get_config())
        if args.resource_type not in types:
            return
        waived = []
        for message in rule.check(args, cfg):
            hit = waivers.match(args.urn, args.name)
            if hit is not None:
                waived.append(hit)
            else:
                report_violation(message)
        if waived:
            args.not_applicable(_waivers.waived_reason(waived))
    return validate


def _stack_validate(rule: Rule):
    prepare = _prepare(rule)

    def validate(args: StackValidationArgs, report_violation) -> None:
        cfg, waivers = prepare(args.get_config())
        waived = []
        for urn, message in rule.check(args, cfg):
            hit = waivers.match(urn, _waivers.name_of(urn)) if urn else None
            if hit is not None:
                waived.append(hit)
            else:
                report_violation(message, urn)
        if waived:
            args.not_applicable(_waivers.waived_reason(waived))
    return validate


def to_policy(rule: Rule) -> Union[ResourceValidationPolicy, StackValidationPolicy]:
    schema = rule.schema_properties()
    common = dict(
        name=rule.name, description=rule.description, severity=SEVERITIES[rule.severity],
        config_schema=PolicyConfigSchema(properties=schema) if schema else None,
        framework=rule.framework(), tags=rule.tags(), remediation_steps=rule.remediation,
        enforcement_level=None if rule.enforcement_level is None else LEVELS[rule.enforcement_level])
    if rule.kind == "stack":
        return StackValidationPolicy(validate=_stack_validate(rule), **common)
    return ResourceValidationPolicy(validate=_resource_validate(rule), **common)
