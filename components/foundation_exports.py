"""The contract between a foundation stack and its service stacks: the outputs a foundation exports, by name,
and the values of them a service stack's own config implies. One module, so both sides spell them alike."""
from __future__ import annotations

from typing import Any, Mapping

import pulumi

from components import stack_names
from components.config import PlatformConfig
from components.config_secrets import ROLES

# Checked against the service stack's config: names the service stack derives from it must be the foundation's.
PREFIX, ACCOUNTS, NETWORKS, SERVICE_STACKS = "prefix", "accounts", "networks", "service_stacks"
# Known only once the foundation is deployed (a KMS key ARN holds a random key id): read, not derived.
ARTIFACT_KEY_ARN, NOTIFICATIONS_KEY_ARN = "artifact_key_arn", "notifications_key_arn"
# For people and other tools; a service stack derives these from its config.
ARTIFACT_BUCKET, NOTIFICATIONS_TOPIC_ARN = "artifact_bucket", "notifications_topic_arn"
PIPELINE_ROLE_ARNS, DEPLOY_ROLE_ARNS = "pipeline_role_arns", "deploy_role_arns"


def accounts_value(config: PlatformConfig) -> dict[str, dict[str, str]]:
    """Each account's id and region (never its external id, a secret)."""
    return {role: {"id": getattr(config.accounts, role).id, "region": getattr(config.accounts, role).region}
            for role in ROLES}


def networks_value(config: PlatformConfig) -> dict[str, Any]:
    """The networks as the stack file spells them."""
    return config.networks.model_dump(by_alias=True, exclude_none=True)


def service_stacks_value(config: PlatformConfig, organization: str, project: str) -> dict[str, str]:
    """service -> `org/project/stack` of the stack holding it."""
    return {service: stack_names.resolve(reference, organization, project)
            for service, reference in config.service_stacks.items()}


def foundation_exports(config: PlatformConfig, organization: str, project: str, *, bucket_name: str,
                       key_arn: pulumi.Input[str], topic_arn: str, topic_key_arn: pulumi.Input[str],
                       pipeline_role_arns: Mapping[str, str], deploy_role_arns: Mapping[str, str]) -> dict[str, Any]:
    return {
        PREFIX: config.prefix, ACCOUNTS: accounts_value(config), NETWORKS: networks_value(config),
        SERVICE_STACKS: service_stacks_value(config, organization, project),
        ARTIFACT_BUCKET: bucket_name, ARTIFACT_KEY_ARN: key_arn,
        NOTIFICATIONS_TOPIC_ARN: topic_arn, NOTIFICATIONS_KEY_ARN: topic_key_arn,
        PIPELINE_ROLE_ARNS: dict(pipeline_role_arns), DEPLOY_ROLE_ARNS: dict(deploy_role_arns),
    }
