"""Markdown for a PR comment or job summary: verdict and summary first, then one entry per rule (level,
message, fix, the resources it fired on — in <details> when more than a few), notes, topology diagram.

A multi-stack run: the verdict, one table of the stacks, then each stack's report folded in
<details> (diagrams dropped, then reports cut, to stay under GitHub's comment size)."""
from __future__ import annotations

from preflight.model import MultiReport, Report
from preflight.reports.common import (multi_verdict, plural, severity_counts, severity_label, stack_status, unseen,
                                      verdict)
from preflight.reports.folding import Hit, RuleEntry, fold, top_rules
from preflight.reports.mermaid import flowchart

MAX_ROWS = 100      # resources listed in all; GitHub caps a PR comment at 65,536 characters
FEW = 3             # a rule's resources listed openly; more are folded in <details>
MAX_CHARS = 60_000  # a multi-stack comment, with room to spare under that cap


def cell(text: str) -> str:
    """Table-safe: a pipe or newline in a message would break the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _heading(report: Report) -> list[str]:
    outcome = "❌ FAIL" if report.mandatory else "✅ PASS"
    pack = report.policy_pack
    return [f"### {outcome}: preflight {report.project}/{report.stack}",
            "", f"`{verdict(report)}`", "",
            f"Policy pack `{pack.get('name', '?')}` {pack.get('version', '')}, mode `{report.mode}`.", "",
            *glance([report])]


def glance(reports: list[Report], *, stacks: bool = False) -> list[str]:
    """The summary under the verdict: counts by severity, the rules that fire most, what was not seen."""
    items = []
    levels = severity_counts(reports)
    if levels:
        items.append("**By severity:** " + ", ".join(f"{label} {count}" for label, count in levels))
    top, fired = top_rules(reports)
    if top:
        named = ", ".join(f"`{rule.policy}` {rule.violations} ({rule.enforcement}"
                          + (f"; {', '.join(rule.stacks)})" if stacks else ")") for rule in top)
        items.append(f"**Top rules{'' if fired == len(top) else f' ({len(top)} of {fired})'}:** {named}")
    missed = unseen(reports)
    items.append("**Could not see:** " + ("; ".join(missed) + " (notes below)" if missed else
                                          "nothing (every check evaluated, every invoke and stack reference answered)"))
    return [f"- {item}" for item in items]


def _resource_rows(entry: RuleEntry, rows: list[Hit]) -> list[str]:
    with_messages = entry.shared_message is None
    lines = ["| Resource | Type | Location |" + (" Message |" if with_messages else ""),
             "| --- | --- | --- |" + (" --- |" if with_messages else "")]
    for hit in rows:
        name, kind = (f"`{hit.name}`", f"`{hit.type}`") if hit.urn else ("(stack)", "")
        location = f"`{hit.location}`" if hit.location else ""
        lines.append(f"| {cell(name)} | {cell(kind)} | {cell(location)} |"
                     + (f" {'<br>'.join(cell(m) for m in hit.messages)} |" if with_messages else ""))
    return lines


def _entry(entry: RuleEntry, budget: int) -> tuple[list[str], int]:
    """The rule once (level, message, fix), its resources in a table, folded when more than a few."""
    icon = "❌" if entry.enforcement == "mandatory" else "⚠️"
    lines = [f"{icon} **`{entry.policy}`** {severity_label(entry.severity)}, {entry.enforcement}: {entry.extent()}"]
    shared = entry.shared_message
    if shared is not None:
        lines += ["", f"> {cell(shared)}"]
    if entry.fix:
        lines += ["", f"**Fix:** {cell(entry.fix)}"]
    shown = entry.hits[:max(budget, 0)]
    # A stack-level finding has no resource to list: its heading and message say it all.
    table = _resource_rows(entry, shown) if shown and any(hit.urn for hit in entry.hits) else []
    if len(entry.hits) > FEW and table:
        table = [f"<details><summary>{plural(len(entry.hits), 'resource')}</summary>", "", *table, "",
                 "</details>"]
    if table:
        lines += ["", *table]
    if len(shown) < len(entry.hits):
        lines += ["", f"+{len(entry.hits) - len(shown)} more resources: see the JSON or SARIF report."]
    return lines, budget - len(shown)


def _violations(report: Report) -> list[str]:
    if not report.violations:
        return ["No violations."]
    lines, budget = [], MAX_ROWS
    for entry in fold(report):
        block, budget = _entry(entry, budget)
        lines += [*block, ""]
    return lines[:-1]


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
    sections = [_heading(report), _violations(report), _notes(report),
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
                      f"`{multi_verdict(multi)}`", "", *glance(multi.reports, stacks=True), "",
                      *_stack_table(multi)])
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
