"""Terminal summary: resources per account, violations by severity with their fix, what the run missed."""
from __future__ import annotations

from preflight.model import MultiReport, Report, Violation
from preflight.reports.common import (group_by_severity, multi_verdict, plural, policy_index, remediation,
                                      resources_by_account, stack_status, verdict)


def _header(report: Report) -> list[str]:
    pack = report.policy_pack
    return [f"preflight {report.project}/{report.stack}  mode={report.mode}  "
            f"policy pack {pack.get('name', '?')} {pack.get('version', '')}".rstrip()]


def _accounts(report: Report) -> list[str]:
    lines = [f"Resources: {len(report.resources)}"]
    for account, count in resources_by_account(report.resources):
        lines.append(f"  {account or '(no account)':<14} {count}")
    return lines


def _violation(violation: Violation, fix: str, location: str = "") -> list[str]:
    resource = (f"{violation.resource_name} ({violation.resource_type})"
                if violation.urn else "(stack)")
    lines = [f"  [{violation.enforcement}] {violation.policy}",
             f"    resource: {resource}"]
    if violation.urn:
        lines.append(f"    urn:      {violation.urn}")
    if location:
        lines.append(f"    at:       {location}")
    lines.append(f"    message:  {violation.message}")
    if fix:
        lines.append(f"    fix:      {fix}")
    return lines


def _violations(report: Report) -> list[str]:
    if not report.violations:
        return ["Violations: none"]
    index = policy_index(report)
    locations = report.locations()
    lines = [f"Violations: {len(report.mandatory)} mandatory, {len(report.advisory)} advisory"]
    for severity, violations in group_by_severity(report.violations):
        lines.append("")
        lines.append(f"{severity.upper()} ({len(violations)})")
        for violation in violations:
            location = locations.get(violation.urn or "", "")
            lines.extend(_violation(violation, remediation(violation, index), location))
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


def render(report: Report) -> str:
    sections = [_header(report), _accounts(report), _violations(report), _blind_spots(report),
                [verdict(report)]]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def _answered_by(ref: dict) -> str:
    if ref.get("source") == "run":
        return f"stack {ref['stack'].rsplit('/', 1)[-1]} of this run"
    return f"{ref['stack']} from {ref.get('source')}"


def render_multi(multi: MultiReport) -> str:
    """A section per stack (in dependency order), then the summary."""
    sections = []
    for stack in multi.order:
        report = multi.report(stack)
        body = render(report).rstrip("\n") if report is not None else f"ERROR: {stack_status(multi, stack)[1]}"
        sections.append(f"=== stack {stack} ===\n\n{body}")
    width = max(len(s) for s in multi.order)
    lines = [f"=== summary: preflight {multi.project} ({multi.mode}), {plural(len(multi.order), 'stack')} ==="]
    for stack in multi.order:
        status, detail = stack_status(multi, stack)
        reads = multi.reads.get(stack)
        lines.append(f"  {stack:<{width}}  {status:<5}  {detail}" + (f"; reads {', '.join(reads)}" if reads else ""))
    sections.append("\n".join(lines) + "\n\n" + multi_verdict(multi))
    return "\n\n".join(sections) + "\n"
