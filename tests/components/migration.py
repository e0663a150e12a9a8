"""What `pulumi state move` and the next `pulumi up` do to recorded URNs, for the monolith -> split migration test.

`state_move` follows pkg/cmd/pulumi/state/state_move.go (stateMoveCmd.Run, rewriteURNs, renameStackAndProject):
the named resources move with all their descendants (graph.DependencyGraph.ChildrenOf is transitive; providers
are never moved); a moved resource whose parent stays behind is re-parented to the destination's root stack, and
every moved URN is rebuilt with the destination's stack and project and its new parent's type chain
(urn.New drops the root stack's type); each provider a moved resource uses is copied to the destination, under
its root, with its URN rewritten the same way.

`adopt` follows pkg/resource/deploy/step_generator.go getOldResource / generateAliases / inheritedChildAlias:
a registration takes the old resource at its URN, else at the first of its aliases, then of the aliases its
parent's matched alias implies for it (a child named "<parent name>-x" follows its parent's new name). The
recorded aliases are preflight's, resolved to URNs (preflight/monitor.py _aliases); the engine's substitution of
a parent's matched alias into an alias that names its parent explicitly is not reproduced, which can only make a
match fail here that the engine would find, never the other way round.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


def split_urn(urn: str) -> tuple[str, str, str, str]:
    """(stack, project, qualified type, name) of `urn:pulumi:<stack>::<project>::<qualified type>::<name>`."""
    head, project, qualified, name = urn.split("::", 3)
    return head.removeprefix("urn:pulumi:"), project, qualified, name


def own_type(urn: str) -> str:
    return split_urn(urn)[2].rsplit("$", 1)[-1]


def new_urn(stack: str, project: str, parent_type: str, type_: str, name: str) -> str:
    """urn.New: the parent's qualified type prefixes the type, except the root stack's."""
    qualified = type_ if parent_type in ("", ROOT_STACK_TYPE) else f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


@dataclass(frozen=True)
class Resource:
    """What the two algorithms read of a registration."""
    urn: str
    parent: str                       # "" or the parent's URN (the root stack's for top-level resources)
    provider: str                     # the provider's URN ("" for components)
    aliases: tuple[str, ...] = ()

    @property
    def is_provider(self) -> bool:
        return own_type(self.urn).startswith(PROVIDER_PREFIX)


@dataclass
class Move:
    moved: dict[str, str]             # old URN -> URN in the destination
    copied_providers: dict[str, str]  # provider URN in the source -> its copy's URN in the destination


def state_move(snapshot: list[Resource], dest: str, urns: Iterable[str]) -> Move:
    by_urn = {r.urn: r for r in snapshot}
    named = set(urns)
    assert named <= set(by_urn), sorted(named - set(by_urn))
    assert not any(by_urn[u].is_provider for u in named), "cannot move providers"

    def ancestors(r: Resource) -> Iterable[str]:
        while r.parent in by_urn:
            yield r.parent
            r = by_urn[r.parent]
    to_move = {r.urn for r in snapshot
               if r.urn in named or (not r.is_provider and any(a in named for a in ancestors(r)))}
    project = split_urn(snapshot[0].urn)[1]
    root = new_urn(dest, project, "", ROOT_STACK_TYPE, f"{project}-{dest}")
    copies = {r.provider: new_urn(dest, project, "", own_type(r.provider), split_urn(r.provider)[3])
              for r in snapshot if r.urn in to_move and r.provider}
    moved: dict[str, str] = {}
    for r in snapshot:                 # snapshot order: a parent before its children
        if r.urn not in to_move:
            continue
        parent = moved[r.parent] if r.parent in to_move else root
        moved[r.urn] = new_urn(dest, project, split_urn(parent)[2], own_type(r.urn), split_urn(r.urn)[3])
    return Move(moved, copies)


def inherited_child_alias(child_type: str, child_name: str, parent_name: str, parent_alias: str) -> str:
    stack, project, parent_type, alias_name = split_urn(parent_alias)
    name = alias_name + child_name[len(parent_name):] if child_name.startswith(parent_name) else child_name
    return new_urn(stack, project, parent_type, child_type, name)


def adopt(registrations: list[Resource], olds: set[str]) -> dict[str, Optional[str]]:
    """Registration URN -> the old URN it takes over (itself, or an alias), None for a new resource. Refuses an
    old resource claimed twice, as the engine does (diag.GetDuplicateResourceAliasError)."""
    matched_alias: dict[str, str] = {}
    claimed: dict[str, str] = {}
    taken: dict[str, Optional[str]] = {}
    for r in registrations:
        candidates = [r.urn, *r.aliases]
        if r.parent in matched_alias:
            parent_name, parent_alias = split_urn(r.parent)[3], matched_alias[r.parent]
            candidates += [inherited_child_alias(own_type(u), split_urn(u)[3], parent_name, parent_alias)
                           for u in (r.urn, *r.aliases)]
        found = next((c for c in candidates if c in olds), None)
        if found is not None:
            assert found not in claimed, f"{found} claimed by {claimed.get(found)} and {r.urn}"
            claimed[found] = r.urn
            if found != r.urn:
                matched_alias[r.urn] = found
        taken[r.urn] = found
    return taken


def resources(registrations: Mapping[str, object]) -> list[Resource]:
    """preflight.monitor.Registration values (in registration order) -> Resources; the root stack left out."""
    out = []
    for reg in registrations.values():
        if reg.type == ROOT_STACK_TYPE:
            continue
        out.append(Resource(urn=reg.urn, parent=reg.parent or "", provider=(reg.provider or "").rsplit("::", 1)[0],
                            aliases=tuple(reg.options.get("aliases") or ())))
    return out
