"""JUnit XML for CI test tabs.

Which resources a policy *applies to* is only known inside the pack, so the testcases are:
- one per (policy, resource) pair with a diagnostic (stack-level diagnostics use the resource "stack");
  mandatory -> <failure>, advisory -> passing testcase with the warning in <system-out>;
- one passing testcase "no violations" per policy without any diagnostic;
- one <skipped> testcase per policy the pack config disabled.
classname is the policy name, so CI groups results per policy.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from preflight.model import PolicyMeta, Report, Violation
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


def to_element(report: Report) -> ET.Element:
    index = policy_index(report)
    suite_name = report.policy_pack.get("name") or "preflight"
    root = ET.Element("testsuites", name=f"preflight {report.project}/{report.stack}")
    suite = ET.SubElement(root, "testsuite", name=suite_name)
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
    counts = {"tests": str(len(pairs) + len(clean)), "failures": str(failures), "errors": "0",
              "skipped": str(skipped)}
    for element in (root, suite):
        element.attrib.update(counts)
    return root


def render(report: Report) -> str:
    root = to_element(report)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
