"""JUnit XML for CI test tabs.

Which resources a policy *applies to* is only known inside the pack, so the testcases are:
- one per (policy, resource) pair with a diagnostic (stack-level diagnostics use the resource "stack");
  mandatory -> <failure>, advisory -> passing testcase with the warning in <system-out>;
- one passing testcase "no violations" per policy without any diagnostic;
- one <skipped> testcase per policy the pack config disabled.
classname is the policy name, so CI groups results per policy. A multi-stack run has one testsuite
per stack.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from preflight.model import MultiReport, PolicyMeta, Report, Violation
from preflight.reports.common import policy_index, remediation, severity_label, sorted_violations

STACK_RESOURCE = "stack"


def _resource_label(violation: Violation) -> str:
    if not violation.urn:
        return STACK_RESOURCE
    return f"{violation.resource_name} ({violation.resource_type})"


def _details(violations: list[Violation], fix: str, location: str = "") -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v.enforcement}/{severity_label(v.severity)}] {v.message}")
        lines.append(f"  urn: {v.urn or '(stack)'}")
        if location:
            lines.append(f"  at: {location}")
    if fix:
        lines.append(f"fix: {fix}")
    return "\n".join(lines)


def _pair_case(suite: ET.Element, policy: str, label: str, violations: list[Violation], fix: str,
               location: str = "") -> bool:
    """Adds the testcase; True when it fails (any mandatory diagnostic for the pair)."""
    case = ET.SubElement(suite, "testcase", classname=policy, name=label)
    mandatory = [v for v in violations if v.enforcement == "mandatory"]
    if mandatory:
        failure = ET.SubElement(case, "failure", message=mandatory[0].message,
                                type=severity_label(mandatory[0].severity))
        failure.text = _details(violations, fix, location)
    else:
        ET.SubElement(case, "system-out").text = "WARNING (advisory)\n" + _details(violations, fix, location)
    return bool(mandatory)


def _clean_case(suite: ET.Element, meta: PolicyMeta) -> bool:
    """Adds the testcase of a policy without diagnostics; True when it is skipped (disabled)."""
    case = ET.SubElement(suite, "testcase", classname=meta.name, name="no violations")
    if meta.enforcement == "disabled":
        ET.SubElement(case, "skipped", message="disabled by the policy pack config")
        return True
    return False


def _pairs(violations: list[Violation]) -> dict[tuple[str, str], list[Violation]]:
    pairs: dict[tuple[str, str], list[Violation]] = {}
    for v in sorted_violations(violations):
        pairs.setdefault((v.policy, v.urn or STACK_RESOURCE), []).append(v)
    return pairs


def _suite(parent: ET.Element, report: Report, name: str) -> dict[str, int]:
    """The stack's testsuite under `parent`; returns its counts."""
    index = policy_index(report)
    suite = ET.SubElement(parent, "testsuite", name=name)
    properties = ET.SubElement(suite, "properties")
    for key, value in (("stack", report.stack), ("mode", report.mode), ("waived", str(report.waived)),
                       ("policy_pack_version", report.policy_pack.get("version", ""))):
        ET.SubElement(properties, "property", name=key, value=value)
    # What was answered with an empty result offline, so a reader knows what the verdict could not see.
    for key, values in (("unanswered_invoke", report.unanswered_invokes),
                        ("unanswered_stack_reference", report.stack_references)):
        for value in values:
            ET.SubElement(properties, "property", name=key, value=value)
    for what, why in report.schema_unchecked.items():
        ET.SubElement(properties, "property", name="schema_unchecked", value=f"{what}: {why}")
    failures = skipped = 0
    pairs = _pairs(report.violations)
    locations = report.locations()
    for (policy, urn), violations in pairs.items():
        fix = remediation(violations[0], index)
        failures += _pair_case(suite, policy, _resource_label(violations[0]), violations, fix,
                               locations.get(urn, ""))
    flagged = {policy for policy, _ in pairs}
    clean = [meta for name, meta in sorted(index.items()) if name not in flagged]
    for meta in clean:
        skipped += _clean_case(suite, meta)
    counts = {"tests": len(pairs) + len(clean), "failures": failures, "errors": 0, "skipped": skipped}
    suite.attrib.update({k: str(v) for k, v in counts.items()})
    return counts


def to_element(report: Report) -> ET.Element:
    root = ET.Element("testsuites", name=f"preflight {report.project}/{report.stack}")
    counts = _suite(root, report, report.policy_pack.get("name") or "preflight")
    root.attrib.update({k: str(v) for k, v in counts.items()})
    return root


def multi_element(multi: MultiReport) -> ET.Element:
    """One testsuite per stack, named `<pack> <project>/<stack>`; a stack that could not run is a suite
    with one <error> testcase carrying its line."""
    root = ET.Element("testsuites", name=f"preflight {multi.project} ({len(multi.order)} stacks)")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    pack = next((r.policy_pack.get("name") for r in multi.reports), None) or "preflight"
    for stack in multi.order:
        report, failure = multi.report(stack), multi.failure(stack)
        name = f"{pack} {multi.project}/{stack}"
        if report is not None:
            counts = _suite(root, report, name)
        else:
            suite = ET.SubElement(root, "testsuite", name=name)
            properties = ET.SubElement(suite, "properties")
            for key, value in (("stack", stack), ("mode", multi.mode)):
                ET.SubElement(properties, "property", name=key, value=value)
            case = ET.SubElement(suite, "testcase", classname="preflight", name="run")
            ET.SubElement(case, "error", message=failure.line if failure else "did not run",
                          type="could not run")
            counts = {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
            suite.attrib.update({k: str(v) for k, v in counts.items()})
        for key, value in counts.items():
            totals[key] += value
    root.attrib.update({k: str(v) for k, v in totals.items()})
    return root


def render(report: Report) -> str:
    root = to_element(report)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_multi(multi: MultiReport) -> str:
    root = multi_element(multi)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
