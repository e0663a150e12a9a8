"""Markdown for a PR comment or job summary: verdict first, violations table, notes, topology diagram.

A multi-stack run: the verdict, one table of the stacks, then each stack's report folded in
<details> (diagrams dropped, then reports cut, to stay under GitHub's comment size)."""
from __future__ import annotations

from preflight.model import MultiReport, Report, Violation
from preflight.reports.common import (multi_verdict, plural, policy_index, severity_label, sorted_violations,
                                      stack_status, verdict)
from preflight.reports.mermaid import flowchart

MAX_ROWS = 100      # GitHub caps a PR comment at 65,536 characters
MAX_CHARS = 60_000  # a multi-stack comment, with room to spare under that cap


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
    if report.answered_stack_references:
        names = ", ".join(f"`{r['name']}` ({'this run' if r.get('source') == 'run' else cell(r.get('source', ''))})"
                          for r in report.answered_stack_references)
        notes.append(f"> Stack references answered offline: {names}")
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


def render(report: Report, *, diagram: bool = True) -> str:
    sections = [_heading(report), _violations(report), _fixes(report), _notes(report),
                _diagram(report) if diagram else []]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"


_BADGE = {"PASS": "✅ PASS", "FAIL": "❌ FAIL", "ERROR": "⚠️ ERROR"}


def _stack_table(multi: MultiReport) -> list[str]:
    lines = ["| Stack | Verdict | Mandatory | Advisory | Waived | Resources | Reads |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for stack in multi.order:
        report = multi.report(stack)
        status, _ = stack_status(multi, stack)
        reads = ", ".join(f"`{s}`" for s in multi.reads.get(stack, []))
        if report is None:
            lines.append(f"| `{stack}` | {_BADGE[status]} | | | | | {reads} |")
        else:
            lines.append(f"| `{stack}` | {_BADGE[status]} | {len(report.mandatory)} | {len(report.advisory)} "
                         f"| {report.waived} | {len(report.resources)} | {reads} |")
    return lines


def _folded(multi: MultiReport, stack: str, diagram: bool) -> str:
    status, detail = stack_status(multi, stack)
    report = multi.report(stack)
    body = render(report, diagram=diagram).rstrip("\n") if report is not None else f"> {cell(detail)}"
    return f"<details><summary><code>{stack}</code>: {_BADGE[status]}</summary>\n\n{body}\n\n</details>"


def render_multi(multi: MultiReport) -> str:
    outcome = {0: "✅ PASS", 1: "❌ FAIL"}.get(multi.exit_code, "⚠️ ERROR")
    head = "\n".join([f"### {outcome}: preflight {multi.project}, {plural(len(multi.order), 'stack')}", "",
                      f"`{multi_verdict(multi)}`", "", *_stack_table(multi)])
    for diagram in (True, False):
        folded = [_folded(multi, stack, diagram) for stack in multi.order]
        text = "\n\n".join([head, *folded]) + "\n"
        if len(text) <= MAX_CHARS:
            return text
    kept, size = [], len(head)
    for block in folded:
        if size + len(block) + 2 > MAX_CHARS - 200:
            break
        kept.append(block)
        size += len(block) + 2
    cut = len(folded) - len(kept)
    note = f"> {plural(cut, 'more stack report')} left out to fit a PR comment: see the JSON or SARIF report."
    return "\n\n".join([head, *kept, note]) + "\n"
