"""One entry per rule: a rule that fires on many resources is read once (policy, level, message, fix),
with the resources it fired on listed under it; and the rules that fire most, for the summary."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from preflight.model import Report
from preflight.reports.common import plural, policy_index, remediation, severity_label, sorted_violations


@dataclass
class Hit:
    """A resource (or the stack: urn None) a rule fired on, with every message it gave there."""
    urn: Optional[str]
    name: Optional[str]
    type: Optional[str]
    location: str
    messages: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.type})" if self.urn else "(stack)"


@dataclass
class RuleEntry:
    policy: str
    enforcement: str
    severity: Optional[str]
    fix: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return sum(len(hit.messages) for hit in self.hits)

    @property
    def messages(self) -> list[str]:
        """The distinct messages, in the order they first appear."""
        return list(dict.fromkeys(m for hit in self.hits for m in hit.messages))

    @property
    def shared_message(self) -> Optional[str]:
        """The message when every violation says the same; None when they differ per resource."""
        messages = self.messages
        return messages[0] if len(messages) == 1 else None

    def extent(self) -> str:
        """`3 resources`, or `4 violations on 2 resources` when some resource has several."""
        resources = plural(len(self.hits), "resource") if any(h.urn for h in self.hits) else "stack-level"
        if self.violations == len(self.hits):
            return resources
        return f"{plural(self.violations, 'violation')} on {resources}"


def fold(report: Report) -> list[RuleEntry]:
    """Entries from critical to low, mandatory before advisory, then by policy; hits by URN."""
    index = policy_index(report)
    locations = report.locations()
    entries: dict[tuple, RuleEntry] = {}
    for violation in sorted_violations(report.violations):
        key = (violation.severity, violation.enforcement, violation.policy)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = RuleEntry(violation.policy, violation.enforcement, violation.severity,
                                             remediation(violation, index))
        hit = next((h for h in entry.hits if h.urn == violation.urn), None)
        if hit is None:
            hit = Hit(violation.urn, violation.resource_name, violation.resource_type,
                      locations.get(violation.urn or "", ""))
            entry.hits.append(hit)
        hit.messages.append(violation.message)
    return list(entries.values())


@dataclass
class RuleCount:
    policy: str
    enforcement: str
    severity: str
    violations: int
    stacks: list[str]


def top_rules(reports: Iterable[Report], limit: int = 5) -> tuple[list[RuleCount], int]:
    """The rules with the most violations over the reports (most first, then by severity as reports
    order them), and how many rules fired in all."""
    counts: dict[tuple[str, str], RuleCount] = {}
    for report in reports:
        for entry in fold(report):
            key = (entry.policy, entry.enforcement)
            count = counts.setdefault(key, RuleCount(entry.policy, entry.enforcement,
                                                     severity_label(entry.severity), 0, []))
            count.violations += entry.violations
            if report.stack not in count.stacks:
                count.stacks.append(report.stack)
    ranked = sorted(counts.values(), key=lambda c: -c.violations)   # stable: severity order within a count
    return ranked[:limit], len(ranked)
