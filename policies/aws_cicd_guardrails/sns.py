"""SNS rules: topics encrypted with a customer-managed key, topic policies not open to anyone."""
from __future__ import annotations

from ._common import as_str, get
from ._registry import resource_rule
from ._resource_policy import SCOPING_HINT, public_grants

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
AWS_MANAGED_KEY = "alias/aws/sns"


@resource_rule(
    "sns-topic-kms-encrypted",
    types=[TOPIC],
    description="SNS topics must be encrypted at rest with a customer-managed KMS key.",
    severity="medium",
    remediation=("Set kms_master_key_id to a customer-managed key whose policy lets the publishing services "
                 "(codestar-notifications, cloudwatch, events) call kms:GenerateDataKey* and kms:Decrypt."),
    topic="encryption",
    anchors=["SH SNS.1"],
)
def sns_topic_kms_encrypted(args, cfg):
    key = as_str(get(args.props, "kmsMasterKeyId"))
    if not key:
        yield (f"topic \"{args.name}\" has no kmsMasterKeyId, so messages are stored unencrypted; "
               "set kms_master_key_id to a customer-managed KMS key ARN")
    elif key == AWS_MANAGED_KEY or key.endswith(":" + AWS_MANAGED_KEY):
        # The aws/sns key policy cannot be edited, so service publishers (CodeStar Notifications,
        # CloudWatch alarms, EventBridge) silently fail to deliver to such a topic.
        yield (f"topic \"{args.name}\" uses the AWS-managed key {key!r}, which CodeStar Notifications, "
               "CloudWatch alarms and EventBridge cannot publish with; use a customer-managed KMS key")


@resource_rule(
    "sns-topic-policy-not-public",
    types=[TOPIC, TOPIC_POLICY],
    description=("An SNS topic policy must not allow a `*` principal without a condition that scopes "
                 "the caller."),
    severity="high",
    remediation=("Allow named principals or service principals only, or keep the `*` principal under a "
                 f"condition pinning the caller ({SCOPING_HINT}, AWS:SourceOwner)."),
    topic="access-control",
    anchors=["Guard F18"],
)
def sns_topic_policy_not_public(args, cfg):
    for label in public_grants(get(args.props, "policy")):
        yield (f"topic policy of \"{args.name}\" {label} allows Principal \"*\" with no condition that "
               f"scopes the caller; name the principals or add a condition on {SCOPING_HINT}")
