"""Notifications: the KMS-encrypted SNS topic that carries pipeline events and approval requests."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import sns_topic_arn
from components.documents import iam
from components.documents.pipeline_policies import notification_key_policy, notification_topic_policy
from components.logical_names import keyed, value_name


@dataclass(frozen=True)
class NotificationsArgs:
    account: Account                  # tooling
    prefix: str
    emails: Sequence[str]
    admin_role_arn: str
    protect: bool


def topic_name(prefix: str) -> str:
    return f"{prefix}-tooling-pipeline-events"


class Notifications(pulumi.ComponentResource):
    def __init__(self, name: str, args: NotificationsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        emails = keyed(args.emails, value_name, "emails")
        super().__init__(f"{TYPE_PREFIX}:Notifications", name, None, opts)
        account = args.account
        self.resource_name, self.account, self.admin_role_arn = name, account, args.admin_role_arn
        self.key = aws.kms.Key(f"{name}-key", description=f"{args.prefix} pipeline notifications",
                               enable_key_rotation=True, deletion_window_in_days=30 if args.protect else 7,
                               opts=account.opts(self, protect=args.protect, retain_on_delete=args.protect))
        self.topic = aws.sns.Topic(f"{name}-topic", name=topic_name(args.prefix), kms_master_key_id=self.key.arn,
                                   opts=account.opts(self))
        # The ARN follows from the name: known in a preview; every user of it depends on the topic.
        self.topic_arn = sns_topic_arn(account.id, account.region, topic_name(args.prefix))
        after_topic = account.opts(self, depends_on=[self.topic])
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy", arn=self.topic_arn,
            policy=iam.to_json(notification_topic_policy(self.topic_arn, account.id)), opts=after_topic)
        for i, (key, email) in enumerate(emails.items()):
            # Named by the address, so reordering the list replaces nothing. The alias adopts the subscription
            # that the index-named version created: re-creating it would ask the recipient to confirm again.
            aws.sns.TopicSubscription(f"{name}-email-{key}", topic=self.topic_arn, protocol="email", endpoint=email,
                                      opts=pulumi.ResourceOptions.merge(after_topic, pulumi.ResourceOptions(
                                          aliases=[pulumi.Alias(name=f"{name}-email-{i}")])))
        self.key_arn = self.key.arn
        self.register_outputs({"topic_arn": self.topic_arn})


@dataclass(frozen=True)
class NotificationPublishersArgs:
    notifications: Notifications
    role_arns: Sequence[pulumi.Input[str]]       # the pipeline roles: manual approvals publish with them
    roles: Sequence[pulumi.Resource] = ()        # the resources behind the ARNs


class NotificationPublishers(pulumi.ComponentResource):
    """The topic key's policy, once the pipeline roles exist (KMS rejects a policy naming a missing principal).
    A component of its own: Notifications is complete, outputs registered, before those roles are created."""

    def __init__(self, name: str, args: NotificationPublishersArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:NotificationPublishers", name, None, opts)
        notifications = args.notifications
        account = notifications.account
        policy = pulumi.Output.all(*args.role_arns).apply(lambda arns: iam.to_json(
            notification_key_policy(notifications.admin_role_arn, account.region, arns)))
        # It was Notifications' child: the alias keeps it in place. A replacement would reset the key's policy
        # to the default after writing the new one.
        aws.kms.KeyPolicy(f"{notifications.resource_name}-key-policy", key_id=notifications.key.id, policy=policy,
                          opts=account.opts(self, depends_on=list(args.roles),
                                            aliases=[pulumi.Alias(parent=notifications)]))
        self.register_outputs({})
