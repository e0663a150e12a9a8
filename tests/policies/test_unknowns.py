"""Unknown values (Pulumi's preview sentinel) never break the pack, nor fake a violation.

Start from a realistic compliant stack; replace one top-level property at a time with the
unknown sentinel. A rule that needs the value must let the SDK report its advisory "can't run
policy ... during preview"; a rule that does not need it must still pass. Anything else — a
mandatory violation about a value nobody knows yet, or a gRPC error — is a bug in a rule.
"""
from __future__ import annotations

import dataclasses
import re

import pytest

from aws_cicd_guardrails import RULES
from preflight import pack_config
from preflight.analyzer import UNKNOWN, Resource, Result
from tests.policies.conftest import PACK_DIR
from tests.policies.realistic import by_type, service_stack

STACK = service_stack(variants=True)
PROD_CONFIG = PACK_DIR / "config" / "prod.json"
PREVIEW = re.compile(r"^can't run policy '(?P<policy>[a-z0-9-]+)' from policy pack '[^']+' during preview: "
                     r".*can't be known during preview$", re.S)


def _with_unknown(r: Resource, key: str) -> Resource:
    return dataclasses.replace(r, properties={**r.properties, key: UNKNOWN})


def _unexpected(result: Result, baseline: Result) -> list[str]:
    """Diagnostics that are neither in the compliant baseline nor the SDK's preview advisory."""
    known = {(d.policy, d.message) for d in baseline.diagnostics}
    bad = []
    for d in result.diagnostics:
        m = PREVIEW.match(d.message)
        if m and m["policy"] == d.policy and d.enforcement == "advisory":
            continue
        if (d.policy, d.message) not in known:
            bad.append(f"{d.policy} [{d.enforcement}]: {d.message}")
    return bad


@pytest.fixture(scope="module")
def prod(pack):
    """The pack configured with config/prod.json (every rule mandatory, prod accounts known)."""
    pack.configure(pack_config.load(PROD_CONFIG))
    return pack.client


@pytest.fixture(scope="module")
def baseline(prod) -> dict[str, Result]:
    return {r.urn: prod.analyze(r) for r in STACK}


def test_realistic_bags_cover_every_resource_type_a_rule_reads():
    read = {t for rule in RULES for t in rule.resource_types}
    missing = sorted(read - set(by_type(STACK)))
    assert missing == [], f"add a realistic compliant bag for {missing} to tests/policies/realistic/"


def test_realistic_stack_is_compliant_under_prod_config(prod, baseline):
    """The precondition of every case below: no rule fires on the platform's intended design."""
    findings = [f"{urn.rsplit('::', 1)[-1]}: {d.policy}: {d.message}"
                for urn, res in baseline.items() for d in res.diagnostics]
    findings += [f"stack: {d.policy}: {d.message}" for d in prod.analyze_stack(STACK).diagnostics]
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("subject", STACK, ids=lambda r: r.name)
def test_unknown_top_level_property_in_analyze(prod, baseline, subject):
    assert subject.properties, "a realistic bag has properties"
    for key in subject.properties:
        result = prod.analyze(_with_unknown(subject, key))
        assert _unexpected(result, baseline[subject.urn]) == [], f"{subject.type} .{key} unknown"


@pytest.mark.parametrize("subject", STACK, ids=lambda r: r.name)
def test_unknown_top_level_property_in_analyze_stack(prod, subject):
    baseline = prod.analyze_stack(STACK)
    index = STACK.index(subject)
    for key in subject.properties:
        stack = STACK[:index] + [_with_unknown(subject, key)] + STACK[index + 1:]
        assert _unexpected(prod.analyze_stack(stack), baseline) == [], f"{subject.type} .{key} unknown"


def _subject(type_: str) -> Resource:
    return by_type(STACK)[type_][0]


@pytest.mark.parametrize("type_, key, policy", [
    ("aws:ecr/repository:Repository", "imageTagMutability", "ecr-repository-tags-immutable"),
    ("aws:kms/key:Key", "enableKeyRotation", "kms-key-rotation-enabled"),
    ("aws:codepipeline/pipeline:Pipeline", "stages", "codepipeline-approval-notifies"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions", "ecs-task-definition-image-pinned"),
])
def test_a_rule_that_needs_the_unknown_value_defers_to_preview(prod, type_, key, policy):
    result = prod.analyze(_with_unknown(_subject(type_), key))
    [d] = result.of(policy)
    assert d.enforcement == "advisory"
    assert PREVIEW.match(d.message) and f"can't run policy '{policy}'" in d.message
    assert f".{key}" in d.message


def test_a_stack_rule_that_needs_the_unknown_value_defers_to_preview(prod):
    """The lifecycle policy's repository link is unknown: the join rule cannot decide, so it defers."""
    stack = [r for r in STACK if r.type != "aws:ecr/lifecyclePolicy:LifecyclePolicy"]
    lifecycle = _subject("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    unlinked = dataclasses.replace(lifecycle, properties={**lifecycle.properties, "repository": UNKNOWN},
                                   property_dependencies={}, dependencies=[])
    result = prod.analyze_stack(stack + [unlinked])
    [d] = result.of("ecr-repository-lifecycle-policy-required")
    assert d.enforcement == "advisory" and PREVIEW.match(d.message)
