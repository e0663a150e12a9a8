"""SNS rules through the analyzer: customer-managed encryption, topic policies not open to anyone."""
import json

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
CMK = "arn:aws:kms:eu-west-1:111111111111:key/0d8f-notifications"


def topic_policy(statement):
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_topic_without_kms_violates(pack):
    [d] = pack.check(TOPIC, {"name": "approvals"}, name="approvals").of("sns-topic-kms-encrypted")
    assert (d.enforcement, d.severity) == ("mandatory", "medium")
    assert '"approvals"' in d.message and "no kmsMasterKeyId" in d.message


def test_topic_with_aws_managed_key_violates(pack):
    r = pack.check(TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}, name="approvals")
    [d] = r.of("sns-topic-kms-encrypted")
    assert "'alias/aws/sns'" in d.message and "CodeStar Notifications" in d.message


def test_topic_with_customer_managed_key_passes(pack):
    assert not pack.check(TOPIC, {"kmsMasterKeyId": CMK}).of("sns-topic-kms-encrypted")


def test_public_topic_policy_violates(pack):
    public = {"Sid": "AnyonePublishes", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish",
              "Resource": "arn:aws:sns:eu-west-1:111111111111:approvals"}
    for type_ in (TOPIC_POLICY, TOPIC):
        r = pack.check(type_, {"policy": topic_policy(public)}, name="approvals")
        [d] = r.of("sns-topic-policy-not-public")
        assert (d.enforcement, d.severity) == ("mandatory", "high")
        assert '"approvals"' in d.message and "statement 'AnyonePublishes'" in d.message


def test_scoped_or_service_principal_topic_policy_passes(pack):
    # The policy AWS itself attaches to new topics: `*` restricted by AWS:SourceOwner.
    aws_default = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["SNS:Publish", "SNS:Subscribe"],
                   "Resource": "*", "Condition": {"StringEquals": {"AWS:SourceOwner": "111111111111"}}}
    notifications = {"Effect": "Allow", "Principal": {"Service": "codestar-notifications.amazonaws.com"},
                     "Action": "SNS:Publish", "Resource": "*"}
    for statement in (aws_default, notifications):
        r = pack.check(TOPIC_POLICY, {"policy": topic_policy(statement)})
        assert not r.of("sns-topic-policy-not-public"), statement


def test_wildcard_condition_value_does_not_scope(pack):
    fake_scope = {"Effect": "Allow", "Principal": "*", "Action": "SNS:Publish", "Resource": "*",
                  "Condition": {"StringLike": {"aws:SourceAccount": "*"}}}
    assert pack.check(TOPIC_POLICY, {"policy": topic_policy(fake_scope)}).of("sns-topic-policy-not-public")


def test_negated_condition_does_not_scope(pack):
    everyone_else = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": "*",
                     "Condition": {"StringNotEquals": {"aws:SourceAccount": "444444444444"}}}
    [d] = pack.check(TOPIC_POLICY, {"policy": topic_policy(everyone_else)}, name="approvals").of(
        "sns-topic-policy-not-public")
    assert '"approvals"' in d.message and "statement #1" in d.message
