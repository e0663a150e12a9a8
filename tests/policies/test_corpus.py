"""Every rule holds against its realistic variants (tests/policies/corpus): each violating variant is
reported by the rule (on the named resource), each near-miss is not, in preview and in up mode. In preview
a mistake inside a value built from unknown outputs (`repo.repository_url.apply(lambda u: f"{u}:latest")`)
is caught on its known parts, as preflight judges them (preflight/known_parts.py)."""
from __future__ import annotations

from collections import Counter

import pytest

from aws_cicd_guardrails import RULES
from tests.policies.corpus import NEAR_MISS, VIOLATES, all_variants
from tests.policies.corpus._program import evaluate

VARIANTS = all_variants()
MIN_VIOLATING, MIN_NEAR_MISSES = 3, 1


def test_variant_ids_are_unique_and_name_registered_rules():
    ids = [v.id for v in VARIANTS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    names = {r.name for r in RULES}
    assert {v.rule for v in VARIANTS} <= names, sorted({v.rule for v in VARIANTS} - names)
    assert {v.kind for v in VARIANTS} <= {VIOLATES, NEAR_MISS}


@pytest.mark.parametrize("mode", ["preview", "up"])
@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_variant(pack, tmp_path, variant, mode):
    result = evaluate(pack, tmp_path, variant.program, mode, variant.config, variant.pack_config)
    hits = [name for policy, name in result["violations"] if policy == variant.rule]
    if variant.kind == VIOLATES:
        assert hits, (variant.rule, mode, result)
        if variant.resource is not None:
            assert variant.resource in hits, (variant.resource, hits)
    else:
        assert not hits, (variant.rule, mode, result)
        assert variant.rule not in result["unevaluated"], (mode, result["unevaluated"])


def test_every_rule_has_three_violating_variants_and_a_near_miss():
    from scripts.corpus_counts import counts
    short = {rule: c[:2] for rule, c in counts().items() if c[0] < MIN_VIOLATING or c[1] < MIN_NEAR_MISSES}
    assert short == {}, short
    assert len(counts()) == len(RULES) == 80
