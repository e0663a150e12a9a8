"""Markdown for a PR comment or job summary: verdict first, violations table, notes, topology diagram."""
from __future__ import annotations

from preflight.model import Report, Violation
from preflight.reports.common import plural, policy_index, severity_label, sorted_violations, verdict
from preflight.reports.mermaid import flowchart

MAX_ROWS = 100      # GitHub caps a PR comment at 65,536 characters


def cell(text: str) -> str:
    """Table-safe: a pipe or newline in a message would break the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _heading(report: Report) -> list[str]:
    outcome = "❌ FAIL" if report.mandatory else "✅ PASS"
    pack = report.policy_pack
    return [f"### {outcome}: preflight {report.project}/{report.stack}",
            "", f"`{verdict(report)}`", "",
            f"Policy pack `{pack.get('name', '?')}` {pack.get('version', '')}, mode `{report.mode}`."]


def _row(violation: Violation, location: str = "") -> str:
    resource = (f"`{violation.resource_name}`<br>`{violation.resource_type}`"
                if violation.urn else "(stack)")
    if location:
        resource += f"<br>`{location}`"
    return (f"| {severity_label(violation.severity)} | {violation.enforcement} | `{violation.policy}` "
            f"| {cell(resource)} | {cell(violation.message)} |")


def _violations(report: Report) -> list[str]:
    if not report.violations:
        return ["No violations."]
    ordered = sorted_violations(report.violations)
    lines = ["| Severity | Enforcement | Policy | Resource | Message |",
             "| --- | --- | --- | --- | --- |"]
    locations = report.locations()
    lines.extend(_row(v, locations.get(v.urn or "", "")) for v in ordered[:MAX_ROWS])
    if len(ordered) > MAX_ROWS:
        lines.extend(["", f"+{len(ordered) - MAX_ROWS} more violations: see the JSON or SARIF report."])
    return lines


def _fixes(report: Report) -> list[str]:
    index = policy_index(report)
    fixes = {v.policy: v.remediation or index[v.policy].remediation for v in report.violations}
    items = [f"- `{policy}`: {cell(fix)}" for policy, fix in sorted(fixes.items()) if fix]
    if not items:
        return []
    return ["<details><summary>How to fix</summary>", "", *items, "", "</details>"]


def _notes(report: Report) -> list[str]:
    notes = []
    if report.waived:
        notes.append(f"> {plural(report.waived, 'violation')} waived by the stack's policy pack config.")
    if report.unevaluated:
        notes.append(f"> {plural(len(report.unevaluated), 'policy check')} not evaluated: inputs unknown until "
                     "apply (`--mode up` evaluates them).")
    if report.unanswered_invokes:
        tokens = ", ".join(f"`{t}`" for t in report.unanswered_invokes)
        notes.append(f"> ⚠️ Unanswered invokes (answered with an empty result; the verdict may miss what "
                     f"depends on them): {tokens}")
    if report.stack_references:
        names = ", ".join(f"`{s}`" for s in report.stack_references)
        notes.append(f"> ⚠️ Unanswered stack references (their outputs read as empty; the verdict may miss "
                     f"what depends on them): {names}")
    if report.schema_unchecked:
        names = ", ".join(f"`{what}`" for what in report.schema_unchecked)
        notes.append(f"> ⚠️ Provider input schema not checked for (not resolvable offline): {names}")
    if report.secret_config_keys:
        notes.append(f"> Secret config values were not decrypted offline: "
                     f"{', '.join(f'`{k}`' for k in report.secret_config_keys)}")
    return [line for note in notes for line in (note, "")][:-1]


def _diagram(report: Report) -> list[str]:
    source = flowchart(report.resources)
    return ["```mermaid", source, "```"] if source else []


def render(report: Report) -> str:
    sections = [_heading(report), _violations(report), _fixes(report), _notes(report), _diagram(report)]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"
