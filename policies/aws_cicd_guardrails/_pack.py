"""A pack from rules: pick them, change their levels, serve them over the Analyzer protocol.

`policy_pack` is what policies/__main__.py runs, and what another team's pack runs with its own
choice of rules: the Configure check and the fast dispatch are installed for exactly those rules.
"""
from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import gc
from typing import Iterable, Optional, Sequence, Union

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

from . import _config_check, _configure, _dispatch
from ._registry import LEVELS, RULES, Rule, to_policy, type_filters


def select(*patterns: str, rules: Optional[Iterable[Rule]] = None) -> list[Rule]:
    """The rules (default: every registered one) whose name is one of `patterns` or matches one as a
    glob (`"ecr-*"`), in registry order. A pattern that matches nothing is a typo: ValueError."""
    pool = list(RULES if rules is None else rules)
    for pattern in patterns:
        if not any(_matches(r.name, pattern) for r in pool):
            close = difflib.get_close_matches(pattern, [r.name for r in pool], n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"no rule matches {pattern!r}{hint}")
    return [r for r in pool if any(_matches(r.name, p) for p in patterns)]


def relevel(rules: Iterable[Rule], level: str, *patterns: str) -> list[Rule]:
    """`rules` with those named by `patterns` (names or globs) at enforcement `level`
    (advisory, mandatory, remediate or disabled); the others unchanged."""
    if level not in LEVELS:
        raise ValueError(f"enforcement level {level!r} not in {sorted(LEVELS)}")
    rules = list(rules)
    select(*patterns, rules=rules)  # refuses a pattern that names none of them
    return [dataclasses.replace(r, enforcement_level=level) if any(_matches(r.name, p) for p in patterns)
            else r for r in rules]


def policies(rules: Iterable[Rule]) -> list[Union[ResourceValidationPolicy, StackValidationPolicy]]:
    """The CrossGuard policies of `rules`, in their order."""
    return [to_policy(r) for r in rules]


def policy_pack(name: str, rules: Optional[Sequence[Rule]] = None, *,
                enforcement_level: str = "mandatory") -> PolicyPack:
    """Serves `rules` (default: every registered one) as the pack `name` until the engine stops it
    (`PolicyPack(...)` does not return). A rule's own level, else `enforcement_level`, applies; a
    stack's config file overrides both."""
    rules = list(RULES if rules is None else rules)
    names = [r.name for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"rules given more than once: {', '.join(repeated)}")
    if enforcement_level not in LEVELS:
        raise ValueError(f"enforcement level {enforcement_level!r} not in {sorted(LEVELS)}")
    # The engine starts this process for one preview or update. Under the SDK's own dispatch every
    # resource is rebuilt once per policy, and the collector's rescans of that churn cost a third of
    # the analysis time; refcounting frees it all (measured: same peak RSS, ~2.7k cyclic objects left).
    gc.disable()
    _configure.install(lambda config: _config_check.check(config, rules), rules)
    _dispatch.install(type_filters(rules))
    return PolicyPack(name, policies(rules), enforcement_level=LEVELS[enforcement_level])


def _matches(name: str, pattern: str) -> bool:
    return name == pattern or fnmatch.fnmatchcase(name, pattern)
