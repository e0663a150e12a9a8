"""Report dispatch, the terminal text summary and the stable JSON report."""
import json

import pytest

from preflight.reports import FORMATS, render
from tests.preflight.report_samples import REPO, clean_report, prod_report

DESIGN_KEYS = ["stack", "project", "mode", "policy_pack", "resources", "violations", "not_applicable",
               "unanswered_invokes", "unanswered_stack_references", "summary"]
# Added after the design's keys, so a reader of §5's keys finds them where they were.
EXTENSION_KEYS = ["schema_unchecked", "outputs", "answered_stack_references"]


def test_formats_are_the_cli_choices_and_each_renders_text():
    assert FORMATS == ("text", "json", "sarif", "markdown", "junit", "github")
    for fmt in FORMATS:
        assert render(prod_report(), fmt).endswith("\n")


def test_unknown_format_is_one_clear_error():
    with pytest.raises(ValueError, match=r"unknown report format 'yaml'; choose one of: text, json"):
        render(prod_report(), "yaml")


def test_json_has_exactly_the_design_keys_in_order():
    data = json.loads(render(prod_report(), "json"))
    assert list(data) == DESIGN_KEYS + EXTENSION_KEYS
    assert list(data["resources"][0]) == ["urn", "type", "name", "parent", "provider", "account"]
    assert list(data["violations"][0]) == ["policy", "enforcement", "severity", "urn", "resource_name",
                                           "resource_type", "message", "location"]
    assert data["summary"] == {"resources": 9, "mandatory": 2, "advisory": 2, "waived": 2}
    assert data["unanswered_invokes"] == ["aws:ec2/getVpc:getVpc"]
    assert data["policy_pack"] == {"name": "aws-cicd-guardrails", "version": "0.1.0"}


def test_json_keeps_stack_level_urn_null_and_is_indented():
    text = render(prod_report(), "json")
    violations = json.loads(text)["violations"]
    stack_level = [v for v in violations if v["policy"] == "ecs-cluster-container-insights"]
    assert stack_level[0]["urn"] is None
    assert text.startswith('{\n  "stack": "prod",\n  "project": "aws-cicd-platform",')


def test_json_equals_report_to_json():
    report = prod_report()
    assert json.loads(render(report, "json")) == report.to_json()


def details(text: str) -> str:
    """The text report after its summary: from the violations on."""
    return text[text.index("\nViolations: "):]


def test_text_groups_violations_by_severity_from_critical_to_low():
    text = details(render(prod_report(), "text"))
    levels = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
    headings = [line for line in text.splitlines() if line.split(" (")[0] in levels]
    assert headings == ["CRITICAL (1)", "HIGH (1)", "MEDIUM (1)", "LOW (1)"]
    critical = text.index("CRITICAL (1)")
    assert critical < text.index("codepipeline-prod-manual-approval-required") < text.index("HIGH (1)")
    assert text.index("HIGH (1)") < text.index("ecr-repository-tags-immutable") < text.index("MEDIUM (1)")


def test_text_names_policy_message_fix_then_the_resource_with_urn_and_line():
    text = render(prod_report(), "text")
    block = text[text.index("[mandatory] ecr-repository-tags-immutable: 1 resource"):text.index("MEDIUM (1)")]
    assert block.splitlines() == [
        "[mandatory] ecr-repository-tags-immutable: 1 resource",
        '    message:  imageTagMutability is "MUTABLE"; set IMMUTABLE',
        '    fix:      Set image_tag_mutability="IMMUTABLE".',
        "    - orders (aws:ecr/repository:Repository) at components/registry.py:42",
        f"        urn:     {REPO.urn}", ""]
    stack_level = text[text.index("[advisory] ecs-cluster-container-insights"):text.index("Waived:")]
    assert stack_level.splitlines()[0] == "[advisory] ecs-cluster-container-insights: stack-level"
    assert "    - (stack)" in stack_level.splitlines()


def test_text_counts_resources_per_account_and_lists_blind_spots():
    text = render(prod_report(), "text")
    lines = text[text.index("Resources: 9"):].splitlines()
    accounts = lines[1:lines.index("")]
    assert [line.split() for line in accounts] == [["111111111111", "3"], ["222222222222", "2"],
                                                   ["333333333333", "3"], ["(no", "account)", "1"]]
    assert "Waived: 2 violations" in lines
    assert "  aws:ec2/getVpc:getVpc" in lines
    assert "  aws-cicd-platform:githubToken" in lines


def test_text_lists_secret_keys_by_name_only():
    report = prod_report(secret_config_keys=["aws-cicd-platform:dbPassword"])
    text = render(report, "text")
    assert "aws-cicd-platform:dbPassword" in text
    assert "secure:" not in text and "v1:" not in text


def test_text_ends_with_the_verdict():
    assert render(prod_report(), "text").splitlines()[-1] == (
        "FAIL: 2 mandatory violations; 2 advisory violations, 2 waived, 9 resources "
        "in aws-cicd-platform/prod (preview)")
    assert render(clean_report(), "text").splitlines()[-1].startswith("PASS: no mandatory violations;")
    assert "Violations: none" in render(clean_report(), "text")


def test_checks_left_unevaluated_in_preview_are_counted_in_text_and_markdown():
    report = prod_report(not_applicable=[
        {"policy": "iam-policy-no-admin", "reason": "unknown during preview on build-policy: string value at "
                                                    ".policy can't be known during preview"},
        {"policy": "s3-bucket-versioning", "reason": "waived (1): artifacts until 2099-01-01: migration"}])
    assert [n["policy"] for n in report.unevaluated] == ["iam-policy-no-admin"]
    text = render(report, "text")
    assert "Not evaluated: 1 policy check read inputs that stay unknown until apply" in text
    assert "> 1 policy check not evaluated: inputs unknown until apply" in render(report, "markdown")
    assert "Not evaluated" not in render(prod_report(not_applicable=[]), "text")
