"""The pack's catalogue as GetAnalyzerInfo reports it, linted against docs/catalogue.md (the contract)."""
from __future__ import annotations

import re

import pytest

from aws_cicd_guardrails import RULES
from tests.policies import rules_md

SERVICES = {"ecr", "ecs", "codebuild", "codepipeline", "codedeploy", "lambda", "iam", "s3", "kms", "sns", "logs",
            "secretsmanager", "ssm", "ec2", "platform"}
UNWAIVABLE = {"iam-role-trust-no-wildcard-principal", "iam-policy-no-admin",
              "codepipeline-prod-manual-approval-required"}
FRAMEWORK_FAMILIES = {"aws-security-hub", "checkov", "aws-control-tower", "cdk-nag", "aws-config", "cfn-guard"}
# RULES.md rules the pack deliberately does not implement: {name: reason}. The issue allows at most 4.
EXPECTED_MISSING: dict[str, str] = {}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
TOPIC = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# A sentence ends at . ! or ? followed by whitespace or the end; abbreviations do not end one.
SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s|$)")


@pytest.fixture(scope="module")
def catalogue() -> dict[str, rules_md.Row]:
    return {row.name: row for row in rules_md.load()}


@pytest.fixture(scope="module")
def infos(pack) -> dict[str, dict]:
    return {p["name"]: p for p in pack.infos}


def test_rules_md_parses_into_the_80_rule_contract(catalogue):
    assert len(catalogue) == 80
    row = catalogue["ecr-repository-lifecycle-policy-required"]
    assert row.severity == "high" and row.anchors == ("SH ECR.3", "CT.ECR.PR.1")
    assert catalogue["codedeploy-alarms-configured"].anchors == ("Config codedeploy-auto-rollback-monitor-enabled",)
    assert catalogue["ecs-task-definition-image-pinned"].anchors == ()


def test_analyzer_lists_exactly_the_registry(infos):
    assert sorted(infos) == sorted(rule.name for rule in RULES)
    assert len(infos) == len(RULES), "a policy name is listed twice"


def test_every_rules_md_rule_is_registered(infos, catalogue):
    missing = set(catalogue) - set(infos)
    assert missing == set(EXPECTED_MISSING), (
        f"RULES.md rules not registered: {sorted(missing - set(EXPECTED_MISSING))}; "
        f"listed as missing but registered: {sorted(set(EXPECTED_MISSING) - missing)}")
    assert len(set(catalogue) & set(infos)) >= 75


def test_no_rule_outside_the_catalogue(infos, catalogue):
    assert sorted(set(infos) - set(catalogue)) == [], "add the rule to docs/catalogue.md or rename it to its row"


def test_names_are_kebab_case_and_start_with_a_known_service(infos):
    bad = [n for n in infos if not KEBAB.match(n) or n.split("-")[0] not in SERVICES]
    assert bad == []


def test_descriptions_are_exactly_one_sentence(infos):
    bad = {}
    for name, p in infos.items():
        text = p.get("description", "")
        ends = SENTENCE_END.findall(text)
        if not text.endswith(".") or len(ends) != 1 or "\n" in text or not text[:1].isupper():
            bad[name] = text
    assert bad == {}


def test_every_policy_carries_severity_remediation_and_tags(infos):
    for name, p in infos.items():
        service = name.split("-")[0]
        assert p["severity"] in ("low", "medium", "high", "critical"), name
        assert len(p.get("remediation_steps", "").strip()) >= 20, f"{name}: remediation steps missing"
        tags = p.get("tags", [])
        assert f"service:{service}" in tags, f"{name}: tags {tags} lack service:{service}"
        topics = [t for t in tags if t.startswith("topic:")]
        assert len(topics) == 1 and TOPIC.match(topics[0][len("topic:"):]), \
            f"{name}: tags {tags} need exactly one kebab-case topic:..."


def test_severities_match_rules_md(infos, catalogue):
    wrong = {n: (p["severity"], catalogue[n].severity) for n, p in infos.items()
             if n in catalogue and p["severity"] != catalogue[n].severity}
    assert wrong == {}, "policy: (registered, RULES.md)"


def test_anchors_match_rules_md(infos, catalogue):
    wrong = {}
    for name, p in infos.items():
        if name not in catalogue:
            continue
        registered = [t[len("anchor:"):] for t in p.get("tags", []) if t.startswith("anchor:")]
        if rules_md.normalise_anchors(registered) != rules_md.normalise_anchors(catalogue[name].anchors):
            wrong[name] = (registered, list(catalogue[name].anchors))
    assert wrong == {}, "policy: (registered anchors, RULES.md anchors)"


def test_anchored_policies_name_their_framework(infos, catalogue):
    for name, p in infos.items():
        anchors = catalogue[name].anchors if name in catalogue else ()
        framework = p.get("framework")
        if not anchors:
            assert not framework, f"{name}: RULES.md names no anchor, yet framework is {framework}"
            continue
        assert framework, f"{name}: RULES.md names {anchors}, GetAnalyzerInfo has no framework"
        assert framework["name"] in FRAMEWORK_FAMILIES, name
        assert anchors[0].endswith(framework["reference"]), (name, framework)
        assert rules_md.normalise_anchors(framework["specification"].split(", ")) == \
            rules_md.normalise_anchors(anchors), name


def test_only_the_three_unwaivable_rules_refuse_waivers(infos):
    for name, p in infos.items():
        schema_props = (p.get("configSchema") or {}).get("properties") or {}
        assert ("waivers" in schema_props) == (name not in UNWAIVABLE), name
    assert UNWAIVABLE <= set(infos) | set(EXPECTED_MISSING)


def test_config_schema_properties_all_have_defaults(infos):
    """The pack must work with no config at all: every property but `waivers` has a default."""
    missing = {n: sorted(k for k, v in ((p.get("configSchema") or {}).get("properties") or {}).items()
                         if k != "waivers" and "default" not in v)
               for n, p in infos.items()}
    assert {n: ks for n, ks in missing.items() if ks} == {}
