"""GitHub Actions workflow commands: an annotation per violation at the program line that registered the
resource (`::error` mandatory, `::warning` advisory), then a `::notice` with the verdict.

Paths are the SARIF report's (relative to the checkout preflight runs in). GitHub shows 10 annotations
of each kind per step; the rest stay in the log, and the notice says so. Escaping is the one
@actions/core applies (actions/toolkit packages/core/src/command.ts, escapeData and escapeProperty).
"""
from __future__ import annotations

from typing import Optional

from preflight.model import MultiReport, RecordedResource, Report, Violation
from preflight.reports.common import artifact_path, multi_verdict, sorted_violations, unseen, verdict

SHOWN_PER_KIND = 10     # annotations of one kind GitHub shows per step (actions/toolkit docs/problem-matchers.md)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: Optional[str]) -> str:
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value)
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def _annotation(violation: Violation, resource: Optional[RecordedResource], report: Report,
                title: str) -> str:
    kind = "error" if violation.enforcement == "mandatory" else "warning"
    what = (f"{violation.resource_name}, {violation.resource_type}" if violation.urn
            else f"stack {report.project}/{report.stack}")
    message = f"{violation.message} ({what})"
    if resource is None or resource.source is None:
        return command(kind, message, title=title)
    path, line = resource.source
    return command(kind, message, file=artifact_path(report.program_dir, path), line=str(max(int(line), 1)),
                   title=title)


def annotations(report: Report, *, stack_in_title: bool = False) -> list[str]:
    by_urn = {resource.urn: resource for resource in report.resources}
    return [_annotation(v, by_urn.get(v.urn or ""), report,
                        f"{v.policy} ({report.stack})" if stack_in_title else v.policy)
            for v in sorted_violations(report.violations)]


def _notice(line: str, reports: list[Report]) -> str:
    missed = unseen(reports)
    if missed:
        line += f"; could not see: {'; '.join(missed)}"
    counts = {"error": sum(len(r.mandatory) for r in reports), "warning": sum(len(r.advisory) for r in reports)}
    over = [f"{count} {kind}s" for kind, count in counts.items() if count > SHOWN_PER_KIND]
    if over:
        line += (f"; GitHub shows the first {SHOWN_PER_KIND} annotations of each kind per step, "
                 f"all {' and '.join(over)} are in this log")
    return command("notice", line)


def render(report: Report) -> str:
    return "\n".join([*annotations(report), _notice(verdict(report), [report])]) + "\n"


def render_multi(multi: MultiReport) -> str:
    lines = [line for report in multi.reports for line in annotations(report, stack_in_title=True)]
    lines += [command("error", failure.line, title=f"preflight ({failure.stack})") for failure in multi.failures]
    return "\n".join([*lines, _notice(multi_verdict(multi), multi.reports)]) + "\n"
