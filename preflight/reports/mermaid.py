"""A Mermaid flowchart of the delivery topology: accounts as subgraphs, pipeline stages in order,
ECS services / Lambda functions per account, and the cross-account deploy roles the stages assume.

Big stacks are capped per account ("+N more ...") so the diagram stays readable in a PR comment.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from preflight.model import RecordedResource
from preflight.reports.topology import AccountView, Pipeline, accounts

MAX_PIPELINES = 4
MAX_TARGETS = 5
MAX_ROLES = 5


class NodeIds:
    """Mermaid-safe node ids: [A-Za-z0-9_] only, prefixed by kind (so never a keyword like `end`), unique."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def new(self, kind: str, text: str) -> str:
        base = f"{kind}_{re.sub(r'[^A-Za-z0-9_]', '_', text)[:40]}"
        node, n = base, 1
        while node in self._used:
            n += 1
            node = f"{base}_{n}"
        self._used.add(node)
        return node


def label(text: str) -> str:
    escaped = text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return f'"{escaped}"'


def _account_title(view: AccountView) -> str:
    if view.account is None:
        return "account unknown"
    names = " / ".join(sorted(set(view.labels)))
    return f"account {view.account}" + (f" ({names})" if names else "")


def _capped(items: list, cap: int) -> tuple[list, int]:
    return items[:cap], max(len(items) - cap, 0)


class _Diagram:
    def __init__(self) -> None:
        self.ids = NodeIds()
        self.lines = ["flowchart LR"]
        self.role_nodes: dict[str, str] = {}          # role ARN or URN -> node id
        self.edges: list[tuple[str, str]] = []        # (stage or pipeline node, role ARN or URN)

    def add(self, depth: int, line: str) -> None:
        self.lines.append("  " * depth + line)

    def more(self, depth: int, hidden: int, what: str) -> None:
        if hidden:
            self.add(depth, f"{self.ids.new('more', what)}[{label(f'+{hidden} more {what}')}]")

    def pipeline(self, pipe: Pipeline) -> None:
        pipeline_node = self.ids.new("pipeline", pipe.name)
        self.add(2, f"subgraph {pipeline_node}[{label(f'pipeline {pipe.name}')}]")
        self.edges.extend((pipeline_node, urn) for urn in pipe.role_urns)
        stage_nodes = [self.ids.new("stage", f"{pipe.name}_{stage.name}") for stage in pipe.stages]
        for node, stage in zip(stage_nodes, pipe.stages):
            self.add(3, f"{node}[{label(stage.name)}]")
            self.edges.extend((node, arn) for arn in stage.role_arns)
        if len(stage_nodes) > 1:
            self.add(3, " --> ".join(stage_nodes))
        self.add(2, "end")

    def account(self, view: AccountView) -> None:
        node = self.ids.new("account", view.account or "unknown")
        self.add(1, f"subgraph {node}[{label(_account_title(view))}]")
        pipelines, hidden = _capped(view.pipelines, MAX_PIPELINES)
        for pipe in pipelines:
            self.pipeline(pipe)
        self.more(2, hidden, "pipelines")
        for kind, names, what in (("ecs", view.ecs_services, "ECS service"),
                                  ("fn", view.functions, "Lambda function")):
            shown, hidden = _capped(names, MAX_TARGETS)
            for name in shown:
                self.add(2, f"{self.ids.new(kind, name)}[{label(f'{what} {name}')}]")
            self.more(2, hidden, f"{what}s")
        roles, hidden = _capped(list(view.roles.items()), MAX_ROLES)
        for key, name in roles:
            self.role_nodes[key] = self.ids.new("role", f"{view.account}_{name}")
            self.add(2, f"{self.role_nodes[key]}[{label(f'deploy role {name}')}]")
        self.more(2, hidden, "deploy roles")
        self.add(1, "end")

    def links(self) -> None:
        for source, role in dict.fromkeys(self.edges):
            if role in self.role_nodes:
                self.add(1, f"{source} -. assumes .-> {self.role_nodes[role]}")


def flowchart(resources: Iterable[RecordedResource]) -> Optional[str]:
    """Mermaid source (without the fence), or None when the stack has nothing to draw."""
    views = accounts(resources)
    if not views:
        return None
    diagram = _Diagram()
    for view in views:
        diagram.account(view)
    diagram.links()
    return "\n".join(diagram.lines)
