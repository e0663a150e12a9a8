"""What a preflight run produced: the data every report format renders.

`Report.to_json()` is the stable interface of docs/design.md §5; other tools read it. A run of
several stacks is a `MultiReport`: one Report per stack that ran, the stacks that could not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

SEVERITY_ORDER = ("critical", "high", "medium", "low", None)
UNKNOWN_IN_PREVIEW = "unknown during preview"


@dataclass
class RecordedResource:
    """One registration as the program made it (see preflight/monitor.py)."""
    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    parent: Optional[str] = None
    provider: Optional[str] = None          # provider reference "urn::id"
    account: Optional[str] = None           # 12-digit id of the owning account, when known
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # protect, ignoreChanges, retainOnDelete, ...
    source: Optional[tuple[str, int]] = None  # program file and line that registered it


@dataclass
class Violation:
    policy: str
    enforcement: str            # "mandatory" | "advisory"
    severity: Optional[str]
    urn: Optional[str]
    resource_name: Optional[str]
    resource_type: Optional[str]
    message: str
    description: str = ""
    remediation: str = ""


@dataclass
class PolicyMeta:
    name: str
    description: str
    severity: Optional[str]
    enforcement: str
    remediation: str = ""
    tags: list[str] = field(default_factory=list)
    framework: dict[str, str] = field(default_factory=dict)
    kind: str = "resource"      # "resource" | "stack"


@dataclass
class Report:
    stack: str
    project: str
    mode: str
    policy_pack: dict[str, str]
    resources: list[RecordedResource] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)
    waived: int = 0
    policies: list[PolicyMeta] = field(default_factory=list)
    unanswered_invokes: list[str] = field(default_factory=list)
    stack_references: list[str] = field(default_factory=list)   # other stacks' outputs, unknown offline
    # References answered offline: {"name": as written, "stack": org/project/stack, "source": "run" or a file}.
    answered_stack_references: list[dict[str, str]] = field(default_factory=list)
    # The stack's exports as the program registered them, never a secret's value: each one is
    # {"value": v}, {"unknown": true} (preview) or {"secret": true} (+ "unknown": true). See stack_refs.py.
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    secret_config_keys: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    program_dir: str = "."
    # provider-input-schema: what it could not check (type or document -> reason), and what it walked.
    schema_unchecked: dict[str, str] = field(default_factory=dict)
    schema_stats: dict[str, float] = field(default_factory=dict)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement != "mandatory"]

    @property
    def unevaluated(self) -> list[dict[str, str]]:
        """Checks the pack could not run because an input is unknown until apply (preview only)."""
        return [n for n in self.not_applicable if n.get("reason", "").startswith(UNKNOWN_IN_PREVIEW)]

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0

    def locations(self) -> dict[str, str]:
        """URN -> `file:line` of the program line that registered the resource, where known."""
        return {r.urn: f"{r.source[0]}:{r.source[1]}" for r in self.resources if r.source}

    def to_json(self) -> dict[str, Any]:
        sources = self.locations()
        return {
            "stack": self.stack,
            "project": self.project,
            "mode": self.mode,
            "policy_pack": dict(self.policy_pack),
            "resources": [{"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent,
                           "provider": r.provider, "account": r.account} for r in self.resources],
            "violations": [{"policy": v.policy, "enforcement": v.enforcement, "severity": v.severity,
                            "urn": v.urn, "resource_name": v.resource_name, "resource_type": v.resource_type,
                            "message": v.message, "location": sources.get(v.urn or "")}
                           for v in self.violations],
            "not_applicable": list(self.not_applicable),
            "unanswered_invokes": list(self.unanswered_invokes),
            "unanswered_stack_references": list(self.stack_references),
            "summary": {"resources": len(self.resources), "mandatory": len(self.mandatory),
                        "advisory": len(self.advisory), "waived": self.waived},
            # Beyond docs/design.md §5, after its keys: what provider-input-schema could not check.
            "schema_unchecked": [{"type": what, "reason": why}
                                 for what, why in self.schema_unchecked.items()],
            # What another run reads back with --stack-outputs NAME=FILE.
            "outputs": {name: dict(entry) for name, entry in self.outputs.items()},
            "answered_stack_references": [dict(ref) for ref in self.answered_stack_references],
        }


@dataclass
class StackFailure:
    """A stack of a multi-stack run that gave no verdict (exit 2); `line` is its one stderr line."""
    stack: str
    line: str


@dataclass
class MultiReport:
    """The stacks of one run, in dependency order (a stack after the stacks of the run it reads)."""
    project: str
    mode: str
    reports: list[Report] = field(default_factory=list)
    failures: list[StackFailure] = field(default_factory=list)
    order: list[str] = field(default_factory=list)               # every stack, failed ones included
    reads: dict[str, list[str]] = field(default_factory=dict)    # stack -> stacks of this run it read
    timings: dict[str, float] = field(default_factory=dict)

    def report(self, stack: str) -> Optional[Report]:
        return next((r for r in self.reports if r.stack == stack), None)

    def failure(self, stack: str) -> Optional[StackFailure]:
        return next((f for f in self.failures if f.stack == stack), None)

    @property
    def exit_code(self) -> int:
        """The worst stack: 2 (could not run) > 1 (mandatory violations) > 0."""
        if self.failures:
            return 2
        return max((r.exit_code for r in self.reports), default=0)

    def error_lines(self) -> list[str]:
        """One line per failure, each said once (the stacks of one cycle share theirs)."""
        return list(dict.fromkeys(f.line for f in self.failures))

    def stack_summary(self, stack: str) -> dict[str, Any]:
        report, failure = self.report(stack), self.failure(stack)
        entry: dict[str, Any] = {"stack": stack}
        if report is not None:
            entry.update(verdict="fail" if report.mandatory else "pass", exit_code=report.exit_code,
                         resources=len(report.resources), mandatory=len(report.mandatory),
                         advisory=len(report.advisory), waived=report.waived)
        else:
            entry.update(verdict="error", exit_code=2, resources=None, mandatory=None, advisory=None,
                         waived=None)
        entry["reads"] = list(self.reads.get(stack, []))
        entry["error"] = failure.line if failure is not None else None
        return entry

    def to_json(self) -> dict[str, Any]:
        return {
            "stacks": [r.to_json() for r in self.reports],
            "summary": {
                "project": self.project, "mode": self.mode, "exit_code": self.exit_code,
                "stacks": [self.stack_summary(s) for s in self.order],
                "resources": sum(len(r.resources) for r in self.reports),
                "mandatory": sum(len(r.mandatory) for r in self.reports),
                "advisory": sum(len(r.advisory) for r in self.reports),
                "waived": sum(r.waived for r in self.reports),
            },
        }
