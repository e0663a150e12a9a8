"""docs/rules.md is generated from the registry and the stack configs; a stale copy fails here."""
from __future__ import annotations

from scripts import gen_rule_docs
from aws_cicd_guardrails import RULES


def test_rule_docs_are_current():
    fresh = gen_rule_docs.render(list(RULES))
    current = gen_rule_docs.OUTPUT.read_text() if gen_rule_docs.OUTPUT.exists() else ""
    assert current == fresh, "docs/rules.md is stale: run `make docs` (python scripts/gen_rule_docs.py)"


def test_rule_docs_list_every_rule_with_its_stack_levels():
    text = gen_rule_docs.render(list(RULES))
    levels = gen_rule_docs.enforcement(list(RULES))
    for rule in RULES:
        [row] = [line for line in text.splitlines() if line.startswith(f"| `{rule.name}` |")]
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[1] == rule.severity and cells[2] == rule.kind
        assert cells[-2:] == [levels["dev"][rule.name], levels["prod"][rule.name]]
    assert f"**{len(RULES)} rules**" in text


def test_critical_rules_are_documented_mandatory_in_both_stacks():
    levels = gen_rule_docs.enforcement(list(RULES))
    critical = [r.name for r in RULES if r.severity == "critical"]
    assert critical and all(levels[s][n] == "mandatory" for s in ("dev", "prod") for n in critical)
