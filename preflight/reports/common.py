"""What every report format needs from a Report: policy metadata by name, severity order, the verdict,
the counts of the summary that opens a report, paths as code scanning and annotations want them."""
from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from typing import Iterable, Optional

from preflight.model import SEVERITY_ORDER, MultiReport, PolicyMeta, RecordedResource, Report, Violation

UNSPECIFIED = "unspecified"


def severity_label(severity: Optional[str]) -> str:
    return severity or UNSPECIFIED


def _severity_rank(severity: Optional[str]) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Critical first; mandatory before advisory; then by policy and resource, so output is stable."""
    return sorted(violations, key=lambda v: (_severity_rank(v.severity), v.enforcement != "mandatory",
                                             v.policy, v.urn or "", v.message))


def policy_index(report: Report) -> dict[str, PolicyMeta]:
    """Every policy the report knows, including ones only seen in a violation (metadata taken from it)."""
    index = {meta.name: meta for meta in report.policies}
    for v in report.violations:
        if v.policy not in index:
            index[v.policy] = PolicyMeta(name=v.policy, description=v.description, severity=v.severity,
                                         enforcement=v.enforcement, remediation=v.remediation)
    return index


def remediation(violation: Violation, index: dict[str, PolicyMeta]) -> str:
    meta = index.get(violation.policy)
    return violation.remediation or (meta.remediation if meta else "")


def resources_by_account(resources: Iterable[RecordedResource]) -> list[tuple[Optional[str], int]]:
    """[(account id or None, resource count)], accounts sorted, resources with no known account last."""
    counts: dict[Optional[str], int] = defaultdict(int)
    for resource in resources:
        counts[resource.account] += 1
    return sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def verdict(report: Report) -> str:
    """One line: PASS/FAIL, what failed, what else was found, where."""
    where = f"{report.project}/{report.stack} ({report.mode})"
    counts = (f"{plural(len(report.advisory), 'advisory violation')}, {report.waived} waived, "
              f"{plural(len(report.resources), 'resource')}")
    if report.mandatory:
        return f"FAIL: {plural(len(report.mandatory), 'mandatory violation')}; {counts} in {where}"
    return f"PASS: no mandatory violations; {counts} in {where}"


def multi_verdict(multi: MultiReport) -> str:
    """One line for a multi-stack run: the worst of its stacks first."""
    n = len(multi.order)
    failing = [r.stack for r in multi.reports if r.mandatory]
    where = f"{multi.project} ({multi.mode})"
    if multi.failures:
        names = ", ".join(f.stack for f in multi.failures)
        also = f"; {len(failing)} with mandatory violations ({', '.join(failing)})" if failing else ""
        return f"ERROR: {len(multi.failures)} of {plural(n, 'stack')} could not run ({names}){also} in {where}"
    if failing:
        return f"FAIL: {len(failing)} of {plural(n, 'stack')} with mandatory violations ({', '.join(failing)}) in {where}"
    return f"PASS: no mandatory violations in {plural(n, 'stack')} of {where}"


def stack_status(multi: MultiReport, stack: str) -> tuple[str, str]:
    """(PASS | FAIL | ERROR, counts or the error line) of one stack of a multi-stack run."""
    report = multi.report(stack)
    if report is None:
        failure = multi.failure(stack)
        return "ERROR", failure.line if failure else "did not run"
    counts = (f"{plural(len(report.mandatory), 'mandatory violation')}, "
              f"{plural(len(report.advisory), 'advisory violation')}, {report.waived} waived, "
              f"{plural(len(report.resources), 'resource')}")
    return ("FAIL" if report.mandatory else "PASS"), counts


def artifact_path(program_dir: str, path: str) -> str:
    """A program file as code scanning and workflow annotations want it: relative to the checkout, i.e.
    the directory preflight runs in. A program outside it (`--program ../their-repo`) keeps paths
    relative to the program."""
    program = program_dir.replace("\\", "/")
    if posixpath.isabs(program):
        program = os.path.relpath(program, os.getcwd()).replace("\\", "/")
    program = posixpath.normpath(program)
    relative = path.replace("\\", "/")
    if program == "." or program.startswith(".."):
        return relative
    return posixpath.join(program, relative)


def severity_counts(reports: Iterable[Report]) -> list[tuple[str, int]]:
    """[(severity label, violations)] from critical to unspecified, levels without any left out."""
    counts: dict[str, int] = {}
    for violation in sorted_violations(v for report in reports for v in report.violations):
        label = severity_label(violation.severity)
        counts[label] = counts.get(label, 0) + 1
    return list(counts.items())


def unseen(reports: Iterable[Report]) -> list[str]:
    """What the run(s) could not see, one short phrase per kind, for the summary line."""
    reports = list(reports)
    counts = [(sum(len(r.unevaluated) for r in reports), "check", " not evaluated (inputs unknown until apply)"),
              (sum(len(r.unanswered_invokes) for r in reports), "unanswered invoke", ""),
              (sum(len(r.stack_references) for r in reports), "unanswered stack reference", ""),
              (sum(len(r.schema_unchecked) for r in reports), "type", " without a provider schema check"),
              (sum(len(r.secret_config_keys) for r in reports), "secret config value", " not decrypted")]
    return [f"{plural(count, noun)}{what}" for count, noun, what in counts if count]
