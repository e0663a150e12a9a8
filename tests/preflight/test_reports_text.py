"""The text report reads top-down: a one-screen summary first, then one entry per rule with its resources."""
from preflight.model import Violation
from preflight.reports import render
from tests.preflight.report_samples import (REPO, clean_report, multi_report, mutable_repositories_report,
                                            prod_report, repository, urn)

ECR = "ecr-repository-tags-immutable"
VERDICT = ("FAIL: 6 mandatory violations; 2 advisory violations, 2 waived, 13 resources "
           "in aws-cicd-platform/prod (preview)")


def test_the_summary_comes_first_verdict_counts_top_rules_and_what_was_not_seen():
    lines = render(mutable_repositories_report(4), "text").splitlines()
    assert lines[:9] == [
        "preflight aws-cicd-platform/prod  mode=preview  policy pack aws-cicd-guardrails 0.1.0",
        VERDICT,
        "By severity: critical 1, high 5, medium 1, low 1",
        "Top rules:",
        f"  5  [mandatory] {ECR} (high)",
        "  1  [mandatory] codepipeline-prod-manual-approval-required (critical)",
        "  1  [advisory]  lambda-function-runtime-supported (medium)",
        "  1  [advisory]  ecs-cluster-container-insights (low)",
        "Could not see: 1 unanswered invoke; 1 secret config value not decrypted (listed below)"]
    assert lines[9] == "" and lines[10] == "Resources: 13"
    assert lines[-1] == VERDICT     # said again where a terminal leaves the eye


def test_top_rules_are_capped_and_say_how_many_fired():
    violations = [Violation(f"rule-{i}", "advisory", "low", REPO.urn, "orders", REPO.type, "m") for i in range(7)]
    lines = render(prod_report(violations=violations), "text").splitlines()
    assert lines[3] == "Top rules (5 of 7):"
    assert lines[4:9] == [f"  1  [advisory]  rule-{i} (low)" for i in range(5)]


def test_the_summary_names_every_kind_of_blind_spot_and_says_so_when_there_is_none():
    report = prod_report(not_applicable=[{"policy": "p", "reason": "unknown during preview on x"}] * 2,
                         stack_references=["org/other/prod"], schema_unchecked={"random:index/x:X": "no package"})
    line = next(line for line in render(report, "text").splitlines() if line.startswith("Could not see: "))
    assert line == ("Could not see: 2 checks not evaluated (inputs unknown until apply); 1 unanswered invoke; "
                    "1 unanswered stack reference; 1 type without a provider schema check; "
                    "1 secret config value not decrypted (listed below)")
    assert render(clean_report(), "text").splitlines()[2] == (
        "Could not see: nothing (every check evaluated, every invoke and stack reference answered)")


def test_a_rule_on_many_resources_is_one_entry_listing_each_with_its_line():
    text = render(mutable_repositories_report(4), "text")
    assert text.count(f"[mandatory] {ECR}:") == 1
    block = text[text.index(f"[mandatory] {ECR}:"):text.index("MEDIUM (1)")].splitlines()
    assert block[:3] == [f"[mandatory] {ECR}: 5 resources",
                         '    message:  imageTagMutability is "MUTABLE"; set IMMUTABLE',
                         '    fix:      Set image_tag_mutability="IMMUTABLE".']
    resources = [line for line in block if line.startswith("    - ")]
    assert resources == ["    - orders (aws:ecr/repository:Repository) at components/registry.py:42"] + [
        f"    - svc{i} (aws:ecr/repository:Repository) at components/registry.py:{100 + i}" for i in range(4)]
    assert [line.strip() for line in block if "urn:" in line][1] == f"urn:     {repository('svc0', 100).urn}"
    assert "HIGH (5)" in text and "Violations: 6 mandatory, 2 advisory, from 4 rules" in text


def test_messages_that_differ_are_each_kept_under_their_resource():
    web = urn("aws:ecs/service:Service", "web")
    violations = [Violation("provider-input-schema", "mandatory", "high", web, "web", "aws:ecs/service:Service", m)
                  for m in ("a.bogus: unknown key", "b.strategyy: unknown key; did you mean 'strategy'?")]
    violations.append(Violation("provider-input-schema", "mandatory", "high", REPO.urn, "orders", REPO.type,
                                "scan_on_pushh: unknown key"))
    text = render(prod_report(violations=violations), "text")
    block = text[text.index("[mandatory] provider-input-schema:"):text.index("Waived:")].splitlines()
    assert block[0] == "[mandatory] provider-input-schema: 3 violations on 2 resources"
    assert "message:  " not in "\n".join(block)    # no single message stands for all three
    assert [line.strip() for line in block if line.strip().startswith(("- ", "message:"))] == [
        "- orders (aws:ecr/repository:Repository) at components/registry.py:42",
        "message: scan_on_pushh: unknown key",
        "- web (aws:ecs/service:Service)",
        "message: a.bogus: unknown key",
        "message: b.strategyy: unknown key; did you mean 'strategy'?"]


def test_multi_stack_text_opens_with_the_summary_of_every_stack():
    text = render(multi_report(), "text")
    lines = text.splitlines()
    assert lines[:2] == ["=== summary: preflight aws-cicd-platform (preview), 3 stacks ===",
                         "ERROR: 1 of 3 stacks could not run (broken); 1 with mandatory violations (prod) "
                         "in aws-cicd-platform (preview)"]
    assert "  1  [mandatory] ecr-repository-tags-immutable (high) in prod" in lines[:10]
    stacks = lines[lines.index("Stacks:") + 1:lines.index("Stacks:") + 4]
    assert [line.split()[:2] for line in stacks] == [["prod", "FAIL"], ["dev", "PASS"], ["broken", "ERROR"]]
    assert stacks[1].endswith("; reads prod")
    assert [line for line in lines if line.startswith("=== ")] == [
        "=== summary: preflight aws-cicd-platform (preview), 3 stacks ===",
        "=== stack prod ===", "=== stack dev ===", "=== stack broken ==="]
    assert lines[-1] == lines[1]
    prod = text[text.index("=== stack prod ==="):text.index("=== stack dev ===")]
    assert prod.count("FAIL: 2 mandatory violations;") == 1   # a stack's verdict once, at its summary
