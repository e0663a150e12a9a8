"""A realistic, compliant prod stack, as the engine hands it to the analyzer.

Wire (camelCase) properties of every resource type the platform creates, joined the way the
platform joins them (names, ARNs and property dependencies), on three explicit providers
(tooling / staging / prod). The unknowns, fuzz and benchmark code start from these bags.
"""
from __future__ import annotations

from preflight.analyzer import Resource

from ._base import ACCOUNTS, Builder, providers
from .lambda_pipeline import add_lambda_pipeline
from .network import add_network
from .targets import add_deploy_role, add_ecs_target, add_github_deployer, add_lambda_target
from .tooling import add_tooling
from .variants import add_iam_variants, add_variants


def service_stack(service: str = "orders", stack: str = "prod", *, variants: bool = False) -> list[Resource]:
    """Every resource of one service's delivery platform, compliant with the prod config; with `variants`
    also the resource types rules read that the platform spells differently (see variants.py) or does not
    create itself (the security groups in front of the ECS service, see network.py), and a pipeline that
    releases the worker function with the Lambda deploy action (lambda_pipeline.py)."""
    b = Builder(service, stack)
    add_tooling(b)
    add_deploy_role(b)
    add_ecs_target(b)
    add_lambda_target(b)
    add_github_deployer(b)
    if variants:
        add_variants(b)
        add_iam_variants(b)
        add_network(b)
        add_lambda_pipeline(b)
    return b.resources


def platform_stack(services: int, stack: str = "prod") -> list[Resource]:
    """`services` copies of the service stack (svc0, svc1, ...) sharing the three providers."""
    seen: set[str] = set()
    out = []
    for i in range(services):
        for r in service_stack(f"svc{i}", stack):
            if r.urn not in seen:
                seen.add(r.urn)
                out.append(r)
    return out


def by_type(resources: list[Resource]) -> dict[str, list[Resource]]:
    out: dict[str, list[Resource]] = {}
    for r in resources:
        out.setdefault(r.type, []).append(r)
    return out


def neighbourhood(resources: list[Resource], subject: Resource) -> list[Resource]:
    """`subject` and every resource it depends on or that depends on it: the small stack a join rule needs."""
    linked = set(subject.dependencies)
    linked.update(r.urn for r in resources if subject.urn in r.dependencies)
    return [subject] + [r for r in resources if r.urn in linked and r.urn != subject.urn]


__all__ = ["ACCOUNTS", "service_stack", "platform_stack", "by_type", "neighbourhood", "providers"]
