"""What a stack holds, by its `scope`: the whole platform (monolith), the shared foundation, or one service.

`raw_problem` runs on the stack's values before the per-field rules (which key a scope requires or never
reads); `scope_problems` after them (a service stack holds one service, a foundation lists each service stack
once). Each yields `(path, rule, value)` like config_checks.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional

from components import stack_names

if TYPE_CHECKING:
    from components.config import PlatformConfig

Problem = tuple[str, str, Any]
MONOLITH, FOUNDATION, SERVICE = "monolith", "foundation", "service"
SCOPES = (MONOLITH, FOUNDATION, SERVICE)

REQUIRED = {
    MONOLITH: ("sourceConnectionArn", "notifications", "githubActions", "services"),
    FOUNDATION: ("notifications", "githubActions"),
    SERVICE: ("foundation", "sourceConnectionArn", "services"),
}
_IN_SERVICE_STACKS = "the pipelines and builds live in the service stacks; set it there"
NOT_READ = {
    MONOLITH: {"foundation": "only a service stack (scope: service) names a foundation",
               "serviceStacks": "only a foundation (scope: foundation) lists service stacks"},
    FOUNDATION: {"services": "a foundation holds no service pipelines: give each service a stack of its own "
                             "(scope: service) and list that stack in serviceStacks",
                 "sourceConnectionArn": _IN_SERVICE_STACKS, "build": _IN_SERVICE_STACKS,
                 "retention": _IN_SERVICE_STACKS,
                 "foundation": "a foundation reads no other stack"},
    SERVICE: {"githubActions": "the GitHub OIDC roles belong to the foundation; set it there",
              "serviceStacks": "only a foundation (scope: foundation) lists service stacks"},
}


def scope_of(raw: dict[str, Any]) -> str:
    return raw.get("scope", MONOLITH)


def raw_problem(raw: dict[str, Any]) -> Optional[Problem]:
    """The first key the stack's scope requires and lacks, or sets and never reads."""
    scope = scope_of(raw)
    if scope not in SCOPES:
        return "scope", f"must be one of {', '.join(SCOPES)}", scope
    for key, why in NOT_READ[scope].items():
        if key in raw:
            return key, f"must not be set in a {scope} stack ({why})", raw[key]
    notifications = raw.get("notifications") if isinstance(raw.get("notifications"), dict) else {}
    if scope == SERVICE and "emails" in notifications:
        return ("notifications.emails", "must not be set in a service stack (email subscriptions belong to the "
                "foundation's topic; a service stack adds only snsTopicArns)", notifications["emails"])
    if scope == FOUNDATION and "snsTopicArns" in notifications:
        return ("notifications.snsTopicArns", "must not be set in a foundation stack (they are targets of the "
                "pipelines' notification rules, which live in the service stacks; set it there)",
                notifications["snsTopicArns"])
    for key in REQUIRED[scope]:
        if key not in raw:
            return key, "is required" if scope == MONOLITH else f"is required in a {scope} stack", None
    return None


def scope_problems(config: "PlatformConfig", stack: str, organization: str, project: str) -> Iterator[Problem]:
    this = f"{organization}/{project}/{stack}"
    if config.scope == SERVICE:
        if len(config.services) != 1:
            yield ("services", "must list exactly one service in a service stack (each service has a stack of "
                   "its own, listed in its foundation's serviceStacks)", [s.name for s in config.services])
        if stack_names.resolve(config.foundation, organization, project) == this:
            yield "foundation", "must name the foundation stack, not this stack", config.foundation
    if config.scope == FOUNDATION:
        named: dict[str, str] = {}
        for service, reference in config.service_stacks.items():
            target = stack_names.resolve(reference, organization, project)
            if target == this:
                yield (f"serviceStacks.{service}", "must name the service's own stack, not the foundation",
                       reference)
            elif target in named:
                yield (f"serviceStacks.{service}", "must name a stack of its own (a service stack holds exactly "
                       f"one service; serviceStacks.{named[target]} names it too)", reference)
            named.setdefault(target, service)
