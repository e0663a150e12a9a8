"""SARIF 2.1.0: valid against the official OASIS schema; a rule per policy; results at the source line."""
import json
from pathlib import Path

import jsonschema
import pytest

from preflight.model import Violation
from preflight.reports import render
from preflight.reports.sarif import FINGERPRINT_KEY, fingerprint
from tests.preflight.report_samples import REPO, clean_report, function, pipeline, prod_report, PROD

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "sarif-2.1.0.json").read_text())


def sarif(report):
    return json.loads(render(report, "sarif"))


def results_by_rule(log):
    return {r["ruleId"]: r for r in log["runs"][0]["results"]}


@pytest.mark.parametrize("report", [prod_report(), clean_report()], ids=["violations", "clean"])
def test_validates_against_the_official_schema(report):
    jsonschema.Draft4Validator(SCHEMA).validate(sarif(report))


def test_schema_rejects_a_broken_log():
    """The schema file is the real one: it rejects what SARIF forbids."""
    log = sarif(prod_report())
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_one_rule_per_policy_with_description_help_level_and_severity():
    rules = {r["id"]: r for r in sarif(prod_report())["runs"][0]["tool"]["driver"]["rules"]}
    assert len(rules) == 6
    ecr = rules["ecr-repository-tags-immutable"]
    assert ecr["shortDescription"] == {"text": "ECR tags must be immutable."}
    assert ecr["help"]["text"] == 'Set image_tag_mutability="IMMUTABLE".'
    assert ecr["defaultConfiguration"] == {"level": "error"}
    assert ecr["properties"]["security-severity"] == "8.0"
    assert ecr["properties"]["tags"] == ["ecr", "security"]
    assert ecr["properties"]["framework"] == {"securityhub": "ECR.2", "checkov": "CKV_AWS_51"}
    assert rules["lambda-function-runtime-supported"]["defaultConfiguration"] == {"level": "warning"}
    assert rules["codepipeline-prod-manual-approval-required"]["properties"]["security-severity"] == "9.5"
    assert rules["codebuild-project-cache-configured"]["defaultConfiguration"] == {"level": "none"}


def test_results_point_at_the_line_that_registered_the_resource():
    results = results_by_rule(sarif(prod_report()))
    ecr = results["ecr-repository-tags-immutable"]
    assert ecr["level"] == "error"
    assert ecr["message"]["text"] == 'imageTagMutability is "MUTABLE"; set IMMUTABLE'
    physical = ecr["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "components/registry.py"}, "region": {"startLine": 42}}
    assert ecr["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == REPO.urn


def test_results_without_a_source_fall_back_to_main():
    results = results_by_rule(sarif(prod_report()))
    for rule in ("lambda-function-runtime-supported", "ecs-cluster-container-insights"):
        physical = results[rule]["locations"][0]["physicalLocation"]
        assert physical == {"artifactLocation": {"uri": "__main__.py"}, "region": {"startLine": 1}}
    assert results["lambda-function-runtime-supported"]["level"] == "warning"
    assert "logicalLocations" not in results["ecs-cluster-container-insights"]["locations"][0]


def test_program_in_a_subdirectory_prefixes_the_uri():
    results = results_by_rule(sarif(prod_report(program_dir="infra/")))
    uri = results["ecr-repository-tags-immutable"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "infra/components/registry.py"}
    outside = results_by_rule(sarif(prod_report(program_dir="../their-repo")))
    assert outside["ecr-repository-tags-immutable"]["locations"][0]["physicalLocation"][
        "artifactLocation"] == {"uri": "components/registry.py"}


def test_absolute_program_dir_is_made_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = results_by_rule(sarif(prod_report(program_dir=str(tmp_path / "infra"))))
    location = inside["ecr-repository-tags-immutable"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "infra/components/registry.py"}
    same = results_by_rule(sarif(prod_report(program_dir=str(tmp_path))))
    assert same["ecr-repository-tags-immutable"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "components/registry.py"}


def test_fingerprints_are_stable_per_policy_and_urn():
    first = results_by_rule(sarif(prod_report()))
    moved = prod_report()
    moved.resources[4].source = ("components/registry.py", 99)
    second = results_by_rule(sarif(moved))
    ecr_print = first["ecr-repository-tags-immutable"]["partialFingerprints"][FINGERPRINT_KEY]
    assert ecr_print == second["ecr-repository-tags-immutable"]["partialFingerprints"][FINGERPRINT_KEY]
    assert ecr_print == fingerprint("ecr-repository-tags-immutable", REPO.urn)
    assert fingerprint("ecr-repository-tags-immutable", pipeline("orders").urn) != ecr_print
    assert fingerprint("ecr-repository-scan-on-push", REPO.urn) != ecr_print


def test_two_violations_of_one_policy_get_distinct_fingerprints():
    extra = Violation("lambda-function-runtime-supported", "advisory", "medium", function("other", PROD).urn,
                      "other", "aws:lambda/function:Function", "runtime nodejs16.x is deprecated")
    report = prod_report()
    report.violations.append(extra)
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in sarif(report)["runs"][0]["results"]
              if r["ruleId"] == "lambda-function-runtime-supported"]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_rule_index_matches_driver_rules_and_unknown_policies_get_a_rule():
    report = prod_report(policies=[])
    log = sarif(report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert len(rules) == 4
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_unanswered_invokes_become_tool_notifications():
    invocation = sarif(prod_report())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning" and "aws:ec2/getVpc:getVpc" in note["message"]["text"]
    assert "toolExecutionNotifications" not in sarif(clean_report())["runs"][0]["invocations"][0]


def test_run_category_is_per_stack():
    log = sarif(prod_report())
    assert log["runs"][0]["automationDetails"]["id"] == "preflight/aws-cicd-platform/prod/"
    assert log["runs"][0]["tool"]["driver"]["name"] == "aws-cicd-guardrails"
    assert log["runs"][0]["tool"]["driver"]["version"] == "0.1.0"
