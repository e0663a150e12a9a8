"""ECR image scanning: a repository scans on push itself, or its registry's scanning configuration
(same account and region) scans it.

A stack rule because the registry-level configuration is a separate resource: with
`aws.ecr.RegistryScanningConfiguration` (ENHANCED with SCAN_ON_PUSH / CONTINUOUS_SCAN, or BASIC
with SCAN_ON_PUSH) AWS applies the registry's filters and ignores the repository-level flag.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from ._common import as_list, as_str, get, is_true, provider_account
from ._registry import stack_rule
from .ecr_lifecycle import REPOSITORY, repository_name

REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"
SCANNING_FREQUENCIES = {"ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"), "BASIC": ("SCAN_ON_PUSH",)}


@stack_rule(
    "ecr-repository-scan-on-push",
    description="ECR repositories must scan images on push, themselves or through registry-level scanning.",
    severity="high",
    remediation=("Set image_scanning_configuration={\"scan_on_push\": True}, or configure an "
                 "aws.ecr.RegistryScanningConfiguration (scan_type \"ENHANCED\", a CONTINUOUS_SCAN or "
                 "SCAN_ON_PUSH rule with repository filter \"*\") in the same account and region."),
    topic="vulnerability-management",
    anchors=["SH ECR.1", "CKV_AWS_163"],
)
def ecr_repository_scan_on_push(args, cfg):
    unscanned = [r for r in args.resources if r.resource_type == REPOSITORY
                 and not is_true(get(r.props, "imageScanningConfiguration", 0, "scanOnPush"))]
    if not unscanned:
        return
    filters = _registry_filters(args.resources)
    for repo in unscanned:
        name = repository_name(repo)
        if any(rx.fullmatch(name) for rx in filters.get(_registry_of(repo), ())):
            continue
        yield repo.urn, (f"repository \"{name}\" does not scan on push and no registry scanning "
                         "configuration of its account covers it; set image_scanning_configuration "
                         "scan_on_push=True or enable ENHANCED registry scanning with a \"*\" filter")


def _registry_filters(resources) -> dict[tuple[str, str], list[re.Pattern]]:
    """{(account, region): wildcard filters of repositories the registry scans on push}."""
    out: dict[tuple[str, str], list[re.Pattern]] = {}
    for r in resources:
        if r.resource_type != REGISTRY_SCANNING:
            continue
        frequencies = SCANNING_FREQUENCIES.get(as_str(get(r.props, "scanType")).upper(), ())
        for rule in as_list(get(r.props, "rules")):
            if not isinstance(rule, Mapping) or as_str(get(rule, "scanFrequency")).upper() not in frequencies:
                continue
            for f in as_list(get(rule, "repositoryFilters")):
                pattern = _wildcard(get(f, "filter"), get(f, "filterType"))
                if pattern is not None:
                    out.setdefault(_registry_of(r), []).append(pattern)
    return out


def _wildcard(value: Any, kind: Any) -> Optional[re.Pattern]:
    """ECR repository filters are WILDCARD patterns where only `*` is special."""
    if not isinstance(value, str) or not value or as_str(kind or "WILDCARD").upper() != "WILDCARD":
        return None
    return re.compile(".*".join(re.escape(part) for part in value.split("*")))


def _registry_of(resource) -> tuple[str, str]:
    """(account, region) of a resource's registry; the provider URN stands in for an unknown account."""
    provider = resource.provider
    account = provider_account(provider) or as_str(getattr(provider, "urn", None))
    return account, as_str(get(getattr(provider, "props", None), "region"))
