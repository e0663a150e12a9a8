"""provider-input-schema end to end: `python -m preflight` on the schema fixtures and on the platform's stacks.

The fixtures hold what the provider's Check refuses (pulumi/pulumi-terraform-bridge Check →
terraform-plugin-sdk `validateObject` "Invalid or unknown key"; terraform-provider-aws
`enum.Validate[...]` on `image_tag_mutability` and `launch_type`): the real preview fails on them.
"""
import json
import xml.etree.ElementTree as ET

import pytest

from preflight import runner, stacks
from preflight.runner import RunOptions
from tests.preflight.test_runner import BASIC, ROOT, preflight
from tests.prod_layout import PROD_LAYOUT

POLICY = "provider-input-schema"
TYPO_REPO = "urn:pulumi:dev::fixture-schema-typo::aws:ecr/repository:Repository::orders"
TYPO_WEB = "urn:pulumi:dev::fixture-schema-typo::aws:ecs/service:Service::web"


def schema_run(program: str, fmt: str, tmp_path):
    return preflight("--program", f"tests/fixtures/{program}", "--stack", "dev", "--policy-pack", str(BASIC),
                     "--format", fmt, tmp_path=tmp_path)


def test_typo_fixture_exits_1_naming_key_path_resource_and_program_line(tmp_path):
    proc = schema_run("schema_typo", "text", tmp_path)
    assert proc.returncode == 1, proc.stderr
    block = proc.stdout[proc.stdout.index("[mandatory] provider-input-schema:"):].splitlines()
    assert block[0] == "[mandatory] provider-input-schema: 4 violations on 2 resources"   # one entry, folded
    web = block.index("    - web (aws:ecs/service:Service) at __main__.py:6")
    assert block[web:web + 4] == [
        "    - web (aws:ecs/service:Service) at __main__.py:6",
        f"        urn:     {TYPO_WEB}",
        "        message: capacityProviderStrategies[0].bogus_key: unknown key (known keys: base, capacityProvider, "
        "weight)",
        "        message: deploymentConfiguration.strategyy: unknown key; did you mean 'strategy'?"]
    assert "        message: imageScanningConfiguration.scan_on_pushh: unknown key; did you mean 'scanOnPush'?" \
        in block
    assert "FAIL: 5 mandatory violations;" in proc.stdout


def test_enum_fixture_exits_1_on_schema_findings_alone_and_json_carries_them(tmp_path):
    proc = schema_run("schema_enum", "json", tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    assert {v["policy"] for v in mandatory} == {POLICY}
    assert [(v["resource_name"], v["location"], v["message"].split(";")[0]) for v in mandatory] == [
        ("orders", "__main__.py:4", "imageTagMutability: 'IMUTABLE' is not one the provider accepts (MUTABLE, "
                                    "IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION)"),
        ("web", "__main__.py:6", "launchType: 'fargate' is not one the provider accepts (EC2, FARGATE, EXTERNAL, "
                                 "MANAGED_INSTANCES)")]
    assert mandatory[0] | {"message": ""} == {
        "policy": POLICY, "enforcement": "mandatory", "severity": "high",
        "urn": "urn:pulumi:dev::fixture-schema-enum::aws:ecr/repository:Repository::orders",
        "resource_name": "orders", "resource_type": "aws:ecr/repository:Repository", "message": "",
        "location": "__main__.py:4"}
    assert report["schema_unchecked"] == []


def test_sarif_lists_the_rule_and_places_each_result_at_the_registering_line(tmp_path):
    proc = schema_run("schema_typo", "sarif", tmp_path)
    assert proc.returncode == 1, proc.stderr
    run = json.loads(proc.stdout)["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == POLICY)
    assert rule["defaultConfiguration"] == {"level": "error"}
    results = [r for r in run["results"] if r["ruleId"] == POLICY]
    assert sorted((r["message"]["text"].split(":")[0], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                  for r in results) == [("capacityProviderStrategies[0].bogus_key", 6),
                                        ("deploymentConfiguration.strategyy", 6),
                                        ("imageScanningConfiguration.scanOnPush", 4),
                                        ("imageScanningConfiguration.scan_on_pushh", 4)]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == \
        {"tests/fixtures/schema_typo/__main__.py"}


def test_junit_fails_a_case_per_resource_and_markdown_shows_the_line(tmp_path):
    junit = ET.fromstring(schema_run("schema_typo", "junit", tmp_path).stdout)
    cases = [c for c in junit.iter("testcase") if c.get("classname") == POLICY]
    assert sorted(c.get("name") for c in cases) == ["orders (aws:ecr/repository:Repository)",
                                                    "web (aws:ecs/service:Service)"]
    web = next(c for c in cases if c.get("name").startswith("web"))
    assert "  at: __main__.py:6" in web.find("failure").text
    markdown = schema_run("schema_typo", "markdown", tmp_path).stdout
    assert "❌ **`provider-input-schema`** high, mandatory: 4 violations on 2 resources" in markdown.splitlines()
    row = next(line for line in markdown.splitlines() if "deploymentConfiguration.strategyy" in line)
    assert row.startswith("| `web` | `aws:ecs/service:Service` | `__main__.py:6` | capacityProviderStrategies")


def test_a_clean_program_lists_the_policy_as_passing_in_junit(tmp_path):
    proc = preflight("--program", "tests/fixtures/advisory", "--policy-pack", str(BASIC), "--format", "junit",
                     tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    case = next(c for c in ET.fromstring(proc.stdout).iter("testcase") if c.get("classname") == POLICY)
    assert (case.get("name"), list(case)) == ("no violations", [])


def _reports(environment: str):
    """dev: its one stack; prod: its layout in one run (the foundation and the four service stacks reading it)."""
    config = ROOT / "policies" / "config" / f"{environment}.json"
    if environment == "dev":
        return [runner.run(RunOptions(program=ROOT, stack="dev", policy_pack_config=config))]
    multi = stacks.run_stacks([RunOptions(program=ROOT, stack=s, policy_pack_config=config) for s in PROD_LAYOUT])
    assert [f.line for f in multi.failures] == []
    assert [r.stack for r in multi.reports] == list(PROD_LAYOUT)
    return multi.reports


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_platforms_stacks_have_no_provider_input_schema_findings(environment):
    types, resources = set(), 0
    for report in _reports(environment):
        assert [v.message for v in report.violations if v.policy == POLICY] == [], report.stack
        own_types = {r.type for r in report.resources if r.type.startswith("aws:")}
        assert report.schema_stats["resource_types"] == len(own_types), report.stack
        types |= own_types
        resources += report.schema_stats["resources"]
        assert report.timings["schema"] > 0
        # Only what the pipeline table has no entry for may be unchecked; every resource type resolves.
        assert [what for what in report.schema_unchecked if not what.startswith(
            "aws:codepipeline/pipeline:Pipeline stages action ")] == [], report.stack
    assert len(types) >= 30
    assert resources > 100
