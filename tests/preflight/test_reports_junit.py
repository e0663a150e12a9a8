"""JUnit XML: one testcase per (policy, resource) with a diagnostic, one passing case per clean policy."""
import xml.etree.ElementTree as ET

from preflight.model import Violation
from preflight.reports import render
from tests.preflight.report_samples import REPO, clean_report, prod_report


def parse(report):
    root = ET.fromstring(render(report, "junit"))
    return root, root.find("testsuite")


def cases(suite):
    return {(case.get("classname"), case.get("name")): case for case in suite.iter("testcase")}


def test_counts_match_the_testcases():
    root, suite = parse(prod_report())
    # 4 (policy, resource) pairs with a diagnostic + 2 clean policies (one of them disabled)
    assert len(list(suite.iter("testcase"))) == 6
    for element in (root, suite):
        counts = [element.get(key) for key in ("tests", "failures", "errors", "skipped")]
        assert counts == ["6", "2", "0", "1"]
    assert len(list(suite.iter("failure"))) == 2
    assert suite.get("name") == "aws-cicd-guardrails"


def test_mandatory_diagnostic_is_a_failure_naming_resource_message_and_fix():
    _, suite = parse(prod_report())
    case = cases(suite)[("ecr-repository-tags-immutable", "orders (aws:ecr/repository:Repository)")]
    failure = case.find("failure")
    assert failure.get("message") == 'imageTagMutability is "MUTABLE"; set IMMUTABLE'
    assert failure.get("type") == "high"
    assert REPO.urn in failure.text
    assert 'fix: Set image_tag_mutability="IMMUTABLE".' in failure.text


def test_advisory_diagnostic_passes_with_a_warning_in_system_out():
    _, suite = parse(prod_report())
    case = cases(suite)[("lambda-function-runtime-supported", "hook (aws:lambda/function:Function)")]
    assert case.find("failure") is None and case.find("skipped") is None
    out = case.find("system-out").text
    assert out.startswith('WARNING (advisory)\n[advisory/medium] runtime "python3.8"')
    stack_case = cases(suite)[("ecs-cluster-container-insights", "stack")]
    assert "urn: (stack)" in stack_case.find("system-out").text


def test_clean_policies_pass_and_disabled_ones_are_skipped():
    _, suite = parse(prod_report())
    clean = cases(suite)[("kms-key-rotation-enabled", "no violations")]
    assert list(clean) == []
    disabled = cases(suite)[("codebuild-project-cache-configured", "no violations")]
    assert disabled.find("skipped").get("message") == "disabled by the policy pack config"


def test_several_diagnostics_for_one_pair_are_one_testcase():
    report = prod_report()
    report.violations.append(Violation("ecr-repository-tags-immutable", "advisory", "high", REPO.urn,
                                       "orders", "aws:ecr/repository:Repository", "second finding"))
    root, suite = parse(report)
    case = cases(suite)[("ecr-repository-tags-immutable", "orders (aws:ecr/repository:Repository)")]
    assert "second finding" in case.find("failure").text
    assert root.get("tests") == "6" and root.get("failures") == "2"


def test_clean_report_has_one_passing_case_per_policy():
    root, suite = parse(clean_report())
    assert root.get("tests") == "6" and root.get("failures") == "0" and root.get("skipped") == "1"
    assert {name for name, _ in cases(suite)} == {
        "codepipeline-prod-manual-approval-required", "ecr-repository-tags-immutable",
        "ecs-cluster-container-insights", "lambda-function-runtime-supported", "kms-key-rotation-enabled",
        "codebuild-project-cache-configured"}


def test_properties_carry_stack_mode_waived_and_what_was_not_answered():
    report = prod_report()
    report.stack_references = ["acme/network/prod"]
    _, suite = parse(report)
    props = [(p.get("name"), p.get("value")) for p in suite.find("properties")]
    assert props == [("stack", "prod"), ("mode", "preview"), ("waived", "2"), ("policy_pack_version", "0.1.0"),
                     ("unanswered_invoke", "aws:ec2/getVpc:getVpc"),
                     ("unanswered_stack_reference", "acme/network/prod")]
