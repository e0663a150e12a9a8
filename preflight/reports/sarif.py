"""SARIF 2.1.0 for code scanning: a rule per policy, results at the line that registered the resource.

A multi-stack run is one run per stack, each with the category (automationDetails.id) a run of that
stack alone has, `preflight/<project>/<stack>/`: code scanning takes several runs in one upload when
their categories differ (one run per category since June 2025), tracks each stack's alerts apart, and
the same alerts whether a stack was checked alone or with others. The upload-sarif action's
`category` input only fills runs without one. GitHub takes at most 20 runs per file (MAX_RUNS). A
stack that could not run has no run: an empty run would close its open alerts.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from preflight.model import MultiReport, PolicyMeta, RecordedResource, Report, Violation
from preflight.reports.common import artifact_path, policy_index, sorted_violations

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FALLBACK_SOURCE = ("__main__.py", 1)
FINGERPRINT_KEY = "preflightPolicyUrn/v1"
LEVELS = {"mandatory": "error", "advisory": "warning", "disabled": "none"}
# GitHub maps security-severity to its labels: >=9.0 critical, >=7.0 high, >=4.0 medium, else low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
MAX_RUNS = 20       # GitHub code scanning's limit of runs per SARIF file


def _level(enforcement: str) -> str:
    return LEVELS.get(enforcement, "warning")


def _rule(meta: PolicyMeta) -> dict[str, Any]:
    description = meta.description or meta.name
    properties: dict[str, Any] = {"tags": sorted({"security", *meta.tags}), "precision": "high",
                                  "kind": meta.kind}
    if meta.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[meta.severity]
    if meta.framework:
        properties["framework"] = dict(meta.framework)
    help_text = meta.remediation or description
    help_markdown = f"**Fix:** {meta.remediation}" if meta.remediation else description
    return {"id": meta.name, "name": meta.name,
            "shortDescription": {"text": description},
            "fullDescription": {"text": description},
            "help": {"text": help_text, "markdown": help_markdown},
            "defaultConfiguration": {"level": _level(meta.enforcement)},
            "properties": properties}


def _location(violation: Violation, resource: Optional[RecordedResource], program_dir: str) -> dict:
    path, line = (resource.source if resource and resource.source else FALLBACK_SOURCE)
    location: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": artifact_path(program_dir, path)},
        "region": {"startLine": max(int(line), 1)}}}
    if violation.urn:
        location["logicalLocations"] = [{"name": violation.resource_name or violation.urn,
                                         "fullyQualifiedName": violation.urn,
                                         "kind": violation.resource_type or "resource"}]
    return location


def fingerprint(policy: str, urn: Optional[str]) -> str:
    """Stable across runs and line moves, so code scanning tracks one alert per policy and resource."""
    return hashlib.sha256(f"{policy}\0{urn or '<stack>'}".encode()).hexdigest()[:32]


def _result(violation: Violation, rule_index: int, resource: Optional[RecordedResource],
            program_dir: str) -> dict[str, Any]:
    return {"ruleId": violation.policy, "ruleIndex": rule_index,
            "level": _level(violation.enforcement),
            "message": {"text": violation.message},
            "locations": [_location(violation, resource, program_dir)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(violation.policy, violation.urn)},
            "properties": {"enforcement": violation.enforcement,
                           "severity": violation.severity or "unspecified",
                           "urn": violation.urn or "<stack>"}}


def _invocation(report: Report) -> dict[str, Any]:
    notifications = [{"level": "warning",
                      "message": {"text": f"invoke {token} was not answered offline; an empty result "
                                          "was returned, so the verdict may miss what depends on it"}}
                     for token in report.unanswered_invokes]
    notifications += [{"level": "warning",
                       "message": {"text": f"stack reference {name} was not answered offline; its outputs "
                                           "read as empty, so the verdict may miss what depends on them"}}
                      for name in report.stack_references]
    notifications += [{"level": "note",
                       "message": {"text": f"provider input schema not checked for {what}: {why}"}}
                      for what, why in report.schema_unchecked.items()]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def to_sarif(report: Report) -> dict[str, Any]:
    rules = sorted(policy_index(report).values(), key=lambda meta: meta.name)
    rule_index = {meta.name: i for i, meta in enumerate(rules)}
    by_urn = {resource.urn: resource for resource in report.resources}
    results = [_result(v, rule_index[v.policy], by_urn.get(v.urn or ""), report.program_dir)
               for v in sorted_violations(report.violations)]
    driver: dict[str, Any] = {"name": report.policy_pack.get("name") or "preflight",
                              "informationUri": "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                              "rules": [_rule(meta) for meta in rules]}
    if report.policy_pack.get("version"):
        driver["version"] = report.policy_pack["version"]
    return {"$schema": SCHEMA_URI, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver},
                      "automationDetails": {"id": f"preflight/{report.project}/{report.stack}/"},
                      "invocations": [_invocation(report)],
                      "results": results,
                      "properties": {"stack": report.stack, "mode": report.mode,
                                     "waived": report.waived}}]}


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"


def multi_to_sarif(multi: MultiReport) -> dict[str, Any]:
    runs = [run for report in multi.reports for run in to_sarif(report)["runs"]]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}


def render_multi(multi: MultiReport) -> str:
    return json.dumps(multi_to_sarif(multi), indent=2, ensure_ascii=False) + "\n"
