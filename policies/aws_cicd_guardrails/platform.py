"""Cross-cutting rules: protected stateful resources, explicit providers, required tags, expired waivers.

Imported last by aws_cicd_guardrails/__init__.py: `platform-waiver-expired` is registered last so
that, in every AnalyzeStack, it runs after every other policy has read (and recorded) its waivers.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from . import _waivers
from . import platform_tags  # noqa: F401  (registers platform-required-tags before the waiver report)
from ._registry import resource_rule, stack_rule

STATEFUL_TYPES = {
    "aws:ecr/repository:Repository": "ECR repository",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:kms/key:Key": "KMS key",
    "aws:kms/replicaKey:ReplicaKey": "KMS key",
    "aws:cloudwatch/logGroup:LogGroup": "log group",
}
# The engine names default providers `default` or `default_<version with _ for . and ->` (default_7_51_1).
DEFAULT_PROVIDER_NAME = re.compile(r"^default(_\d+(_[0-9A-Za-z]+)*)?$")


@resource_rule(
    "platform-stateful-resources-protected",
    types=sorted(STATEFUL_TYPES),
    description=("Stateful resources (ECR repositories, buckets, KMS keys, log groups) must be created "
                 "with protect."),
    severity="high",
    remediation=("Create the resource with opts=pulumi.ResourceOptions(protect=True, "
                 "retain_on_delete=True) in the prod stack, so neither a destroy nor a replacement can "
                 "delete its data."),
    topic="resilience",
)
def platform_stateful_resources_protected(args, cfg):
    if not args.opts.protect:
        kind = STATEFUL_TYPES.get(args.resource_type, "resource")
        yield (f"{kind} \"{args.name}\" is not protected, so pulumi destroy or a replacement deletes "
               "its data; create it with protect=True (and retain_on_delete=True)")


def _provider_name(provider: Any) -> str:
    name = getattr(provider, "name", "") or ""
    if not name:
        parts = (getattr(provider, "urn", "") or "").split("::")
        name = parts[3] if len(parts) > 3 else ""
    return name


def default_provider(provider: Any) -> Optional[str]:
    """How a resource's provider is implicit (`no provider`, `default_7_51_1`), or None when explicit."""
    if provider is None:
        return "no provider"
    name = _provider_name(provider)
    return f"the default provider {name!r}" if DEFAULT_PROVIDER_NAME.match(name) else None


@stack_rule(
    "platform-explicit-provider",
    description="Every AWS resource must use an explicit aws.Provider, never the default provider.",
    severity="high",
    remediation=("Create each resource with opts=pulumi.ResourceOptions(provider=account.provider) "
                 "(or a parent that carries it); the default provider deploys into whatever account the "
                 "ambient credentials reach."),
    topic="account-targeting",
)
def platform_explicit_provider(args, cfg):
    for r in args.resources:
        if not r.resource_type.startswith("aws:"):
            continue
        implicit = default_provider(r.provider)
        if implicit:
            yield r.urn, (f"resource \"{r.name}\" ({r.resource_type}) uses {implicit}, so its account comes "
                          "from ambient credentials; pass provider=<the account's aws.Provider>")


@stack_rule(
    "platform-waiver-expired",
    description="A waiver past its expiry date no longer applies and must be renewed or removed.",
    severity="medium",
    remediation=("Review the violation: fix it and delete the waiver, or renew the waiver with a new "
                 "`expires` date and an updated reason."),
    topic="governance",
)
def platform_waiver_expired(args, cfg):
    for w in _waivers.expired():
        yield None, (f"waiver for policy \"{w.policy}\" on \"{w.resource}\" expired on "
                     f"{w.expires.isoformat()} (reason: {w.reason!r}) and no longer applies; "
                     "fix the violation and delete the waiver, or renew it with a new expiry date "
                     "after review")
