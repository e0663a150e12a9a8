"""Terminal report: a one-screen summary first (verdict, counts, top rules, what the run could not see),
then resources per account, violations by severity — one entry per rule, its resources folded under
it — and the blind spots in full."""
from __future__ import annotations

from itertools import groupby

from preflight.model import MultiReport, Report
from preflight.reports.common import (multi_verdict, plural, resources_by_account, severity_counts, severity_label,
                                      stack_status, unseen, verdict)
from preflight.reports.folding import RuleEntry, fold, top_rules


def _header(report: Report) -> list[str]:
    pack = report.policy_pack
    return [f"preflight {report.project}/{report.stack}  mode={report.mode}  "
            f"policy pack {pack.get('name', '?')} {pack.get('version', '')}".rstrip()]


def glance(reports: list[Report], *, stacks: bool = False) -> list[str]:
    """The summary under the verdict: counts by severity, the rules that fire most, what was not seen."""
    lines = []
    levels = severity_counts(reports)
    if levels:
        lines.append("By severity: " + ", ".join(f"{label} {count}" for label, count in levels))
    top, fired = top_rules(reports)
    if top:
        lines.append("Top rules:" if fired == len(top) else f"Top rules ({len(top)} of {fired}):")
        width = max(len(str(rule.violations)) for rule in top)
        for rule in top:
            where = f" in {', '.join(rule.stacks)}" if stacks else ""
            level = f"[{rule.enforcement}]"
            lines.append(f"  {rule.violations:>{width}}  {level:<11} {rule.policy} ({rule.severity}){where}")
    missed = unseen(reports)
    lines.append("Could not see: " + ("; ".join(missed) + " (listed below)" if missed else
                                      "nothing (every check evaluated, every invoke and stack reference answered)"))
    return lines


def _accounts(report: Report) -> list[str]:
    lines = [f"Resources: {len(report.resources)}"]
    for account, count in resources_by_account(report.resources):
        lines.append(f"  {account or '(no account)':<14} {count}")
    return lines


def _entry(entry: RuleEntry) -> list[str]:
    """The rule once, then each resource it fired on; messages under the resource when they differ."""
    lines = [f"  [{entry.enforcement}] {entry.policy}: {entry.extent()}"]
    shared = entry.shared_message
    if shared is not None:
        lines.append(f"    message:  {shared}")
    if entry.fix:
        lines.append(f"    fix:      {entry.fix}")
    for hit in entry.hits:
        lines.append(f"    - {hit.label}" + (f" at {hit.location}" if hit.location else ""))
        if hit.urn:
            lines.append(f"        urn:     {hit.urn}")
        if shared is None:
            lines.extend(f"        message: {message}" for message in hit.messages)
    return lines


def _violations(report: Report) -> list[str]:
    if not report.violations:
        return ["Violations: none"]
    entries = fold(report)
    lines = [f"Violations: {len(report.mandatory)} mandatory, {len(report.advisory)} advisory, "
             f"from {plural(len(entries), 'rule')}"]
    for severity, group in groupby(entries, key=lambda entry: severity_label(entry.severity)):
        group = list(group)
        lines.extend(["", f"{severity.upper()} ({sum(entry.violations for entry in group)})"])
        for i, entry in enumerate(group):
            lines.extend(([""] if i else []) + _entry(entry))
    return lines


def _blind_spots(report: Report) -> list[str]:
    lines = [f"Waived: {plural(report.waived, 'violation')}"]
    if report.unevaluated:
        lines.append(f"Not evaluated: {plural(len(report.unevaluated), 'policy check')} read inputs that stay "
                     "unknown until apply (--mode up evaluates them with realistic ids and ARNs)")
    if report.unanswered_invokes:
        lines.append("Unanswered invokes (answered with an empty result; the verdict may miss what "
                     "depends on them):")
        lines.extend(f"  {token}" for token in report.unanswered_invokes)
    if report.answered_stack_references:
        lines.append("Stack references answered offline:")
        lines.extend(f"  {ref['name']}: {_answered_by(ref)}" for ref in report.answered_stack_references)
    if report.stack_references:
        lines.append("Unanswered stack references (their outputs read as empty; the verdict may miss what "
                     "depends on them):")
        lines.extend(f"  {name}" for name in report.stack_references)
    if report.schema_unchecked:
        lines.append("Provider input schema not checked for (not resolvable offline; the verdict may miss "
                     "what the provider refuses there):")
        lines.extend(f"  {what}: {why}" for what, why in report.schema_unchecked.items())
    if report.secret_config_keys:
        # Names only: the values are ciphertext offline and must never be echoed anyway.
        lines.append("Secret config values (not decrypted offline; passed as secret placeholders):")
        lines.extend(f"  {key}" for key in report.secret_config_keys)
    return lines


def _body(report: Report) -> str:
    """Summary first (header, verdict, glance), then resources, violations, blind spots in full."""
    sections = [_header(report) + [verdict(report)] + glance([report]), _accounts(report), _violations(report),
                _blind_spots(report)]
    return "\n\n".join("\n".join(section) for section in sections)


def render(report: Report) -> str:
    # The verdict again last: it is the line a terminal or CI log leaves in view.
    return f"{_body(report)}\n\n{verdict(report)}\n"


def _answered_by(ref: dict) -> str:
    if ref.get("source") == "run":
        return f"stack {ref['stack'].rsplit('/', 1)[-1]} of this run"
    return f"{ref['stack']} from {ref.get('source')}"


def render_multi(multi: MultiReport) -> str:
    """The summary of every stack first, then a section per stack (in dependency order)."""
    width = max(len(s) for s in multi.order)
    lines = [f"=== summary: preflight {multi.project} ({multi.mode}), {plural(len(multi.order), 'stack')} ===",
             multi_verdict(multi), *glance(multi.reports, stacks=True), "Stacks:"]
    for stack in multi.order:
        status, detail = stack_status(multi, stack)
        reads = multi.reads.get(stack)
        lines.append(f"  {stack:<{width}}  {status:<5}  {detail}" + (f"; reads {', '.join(reads)}" if reads else ""))
    sections = ["\n".join(lines)]
    for stack in multi.order:
        report = multi.report(stack)
        body = _body(report) if report is not None else f"ERROR: {stack_status(multi, stack)[1]}"
        sections.append(f"=== stack {stack} ===\n\n{body}")
    sections.append(multi_verdict(multi))
    return "\n\n".join(sections) + "\n"
