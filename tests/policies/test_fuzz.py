"""No property bag, however odd, makes a rule crash: a crash is a gRPC error (PackError) here.

Per resource type (one batch per type, not per rule): >= 500 bags grown from the realistic
compliant bag of that type go through Analyze (the rules reading the type) and AnalyzeStack
(every stack rule, on a small stack: the fuzzed resource plus the resources it is joined to).
"""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aws_cicd_guardrails import RULES
from preflight import pack_config
from preflight.analyzer import Options, Resource
from tests.policies import fuzz_strategies as fz
from tests.policies.conftest import PACK_DIR
from tests.policies.realistic import by_type, neighbourhood, service_stack

STACK = service_stack(variants=True)
SAMPLES = by_type(STACK)
RESOURCE_RULES = {t: [r.name for r in RULES if t in r.resource_types] for t in SAMPLES}
STACK_RULES = [r.name for r in RULES if r.kind == "stack"]
# Every type the realistic stack has: resource rules read some, stack rules may read any of them.
TYPES = sorted(SAMPLES)
KEYS = frozenset(fz.keys_of([r.properties for r in STACK] + [r.provider.properties for r in STACK if r.provider]))
FUZZ = settings(max_examples=500, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.large_base_example])


def _config_for(type_: str) -> dict:
    """prod.json, with the resource rules that cannot see `type_` disabled (they would only filter it out)."""
    given_ = pack_config.load(PACK_DIR / "config" / "prod.json")
    for rule in RULES:
        if rule.kind == "resource" and type_ not in rule.resource_types:
            given_[rule.name] = {**given_.get(rule.name, {}), "enforcementLevel": "disabled"}
    return given_


@st.composite
def fuzzed(draw, type_: str) -> Resource:
    template = draw(st.sampled_from(SAMPLES[type_]))
    props = draw(fz.property_bag(template.properties, KEYS))
    provider = template.provider
    if provider is not None and draw(st.integers(0, 4)) == 0:
        provider = dataclasses.replace(provider, properties=draw(fz.property_bag(dict(provider.properties), KEYS)))
    elif draw(st.integers(0, 9)) == 0:
        provider = None
    options = Options(protect=draw(st.booleans()),
                      ignore_changes=draw(st.lists(fz.known_key(KEYS) | fz.TEXT, max_size=3)))
    name = draw(st.sampled_from([template.name, "prod", "orders-prod", "x"]) | fz.TEXT.filter(bool))
    return dataclasses.replace(template, name=name, properties=props, provider=provider, options=options)


@pytest.mark.parametrize("type_", TYPES)
def test_no_rule_crashes_on_generated_bags(pack, type_):
    pack.configure(_config_for(type_))
    client = pack.client
    fired: set[str] = set()

    @FUZZ
    @given(subject=fuzzed(type_))
    def run(subject: Resource) -> None:
        original = next(r for r in STACK if r.urn == subject.urn)
        if RESOURCE_RULES[type_]:
            result = client.analyze(subject)  # a rule that raises surfaces here as PackError
            fired.update(d.policy for d in result.diagnostics)
        stack = [subject if r is original else r for r in neighbourhood(STACK, original)]
        fired.update(d.policy for d in client.analyze_stack(stack).diagnostics)

    run()
    if RESOURCE_RULES[type_]:
        # Not vacuous: the bags reached the rules of this type and some of them reported.
        assert fired & set(RESOURCE_RULES[type_] + STACK_RULES), f"no rule reading {type_} ever reported"
