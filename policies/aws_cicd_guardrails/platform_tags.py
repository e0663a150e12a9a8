"""Cross-cutting: every taggable AWS resource carries the organisation's required tags."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import get, parse_json, str_list
from ._registry import stack_rule

# Taggable types this platform creates; any other AWS resource counts as taggable when it sets `tags`.
TAGGABLE_TYPES = frozenset({
    "aws:ecr/repository:Repository", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:kms/key:Key",
    "aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:iam/role:Role",
    "aws:iam/policy:Policy", "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:codebuild/project:Project", "aws:codepipeline/pipeline:Pipeline",
    "aws:codedeploy/application:Application", "aws:codedeploy/deploymentGroup:DeploymentGroup",
    "aws:codestarconnections/connection:Connection",
    "aws:codestarnotifications/notificationRule:NotificationRule", "aws:ecs/cluster:Cluster",
    "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:lambda/function:Function",
    "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener",
    "aws:ec2/securityGroup:SecurityGroup", "aws:sns/topic:Topic", "aws:secretsmanager/secret:Secret",
    "aws:ssm/parameter:Parameter",
})
DEFAULT_REQUIRED_TAGS = ["owner", "service", "environment"]


def _tag_keys(value: Any) -> set[str]:
    # Iterating a property-bag mapping reads keys only, so unknown tag *values* never matter here.
    return {k for k in value if isinstance(k, str)} if isinstance(value, Mapping) else set()


def provider_default_tags(provider: Any) -> set[str]:
    """Keys of an aws.Provider's default_tags (sent as the JSON string `{"tags": {...}}`)."""
    default_tags = parse_json(get(getattr(provider, "props", None), "defaultTags"))
    return _tag_keys(get(default_tags, 0, "tags"))


def _is_taggable(resource: Any, keys: set[str]) -> bool:
    return resource.resource_type.startswith("aws:") and (
        resource.resource_type in TAGGABLE_TYPES or "tags" in keys or "tagsAll" in keys)


@stack_rule(
    "platform-required-tags",
    description="Every taggable AWS resource must carry the configured tags (owner, service, environment).",
    severity="medium",
    remediation=("Set the required tags once on each account's aws.Provider(default_tags={\"tags\": {...}}), "
                 "or per resource in tags=."),
    topic="governance",
    config={"requiredTags": {
        "type": "array", "items": {"type": "string", "minLength": 1}, "default": DEFAULT_REQUIRED_TAGS,
        "description": "Tag keys (case-sensitive, like AWS tags) every taggable resource must carry."}},
)
def platform_required_tags(args, cfg):
    required = str_list(cfg.get("requiredTags"))
    if not required:
        return
    defaults_by_provider: dict[str, set[str]] = {}
    for r in args.resources:
        keys = set(r.props)
        if not _is_taggable(r, keys):
            continue
        provider_urn = getattr(r.provider, "urn", "") or ""
        if provider_urn not in defaults_by_provider:
            defaults_by_provider[provider_urn] = provider_default_tags(r.provider)
        present = defaults_by_provider[provider_urn]
        if "tags" in keys:
            present = present | _tag_keys(r.props["tags"])
        missing = [t for t in required if t not in present]
        if missing:
            yield r.urn, (f"resource \"{r.name}\" ({r.resource_type}) is missing required tags "
                          f"{', '.join(missing)}; set them in the provider's default_tags or in tags=")
