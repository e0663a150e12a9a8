"""SNS topics: encryption with a customer-managed key, topic policies open to any principal."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

KMS, PUBLIC = "sns-topic-kms-encrypted", "sns-topic-policy-not-public"
_KEY = '''\
key = aws.kms.Key("notifications", enable_key_rotation=True, opts=in_prod)
alias = aws.kms.Alias("notifications", name="alias/notifications", target_key_id=key.key_id, opts=in_prod)
'''
_TOPIC_ARN = 'topic_arn = f"arn:aws:sns:us-east-1:{PROD}:deploys"\n'


def _topic_policy(statement: str) -> str:
    """A topic named "deploys" whose inline policy (json.dumps) holds `statement`."""
    return _KEY + _TOPIC_ARN + (
        'aws.sns.Topic("deploys", name="deploys", kms_master_key_id=alias.name, policy=json.dumps({\n'
        f'    "Version": "2012-10-17", "Statement": [{statement}]}}), opts=in_prod)\n')


VARIANTS = [
    Variant(KMS, VIOLATES, "no-key", resource="deploys", program='aws.sns.Topic("deploys", opts=in_prod)\n'),
    Variant(KMS, VIOLATES, "aws-managed-alias", resource="deploys",
            program='aws.sns.Topic("deploys", kms_master_key_id="alias/aws/sns", opts=in_prod)\n'),
    Variant(KMS, VIOLATES, "aws-managed-alias-arn", resource="alarms", program='''\
account = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=prod)).account_id
region = aws.get_region(opts=pulumi.InvokeOptions(provider=prod)).region
aws.sns.Topic("alarms", kms_master_key_id=f"arn:aws:kms:{region}:{account}:alias/aws/sns", opts=in_prod)
'''),
    Variant(KMS, VIOLATES, "loop-over-topics", resource="topic-audit", program=_KEY + '''\
for name, encrypted in {"deploys": True, "audit": False}.items():
    aws.sns.Topic(f"topic-{name}", kms_master_key_id=alias.name if encrypted else None, opts=in_prod)
'''),
    Variant(KMS, VIOLATES, "fifo-args-class", resource="releases", program='''\
aws.sns.Topic("releases", aws.sns.TopicArgs(fifo_topic=True, content_based_deduplication=True,
    name="releases.fifo"), opts=in_prod)
'''),
    Variant(KMS, NEAR_MISS, "customer-key-alias", program=_KEY + '''\
aws.sns.Topic("deploys", kms_master_key_id=alias.name, opts=in_prod)
aws.sns.Topic("alarms", kms_master_key_id=f"arn:aws:kms:us-east-1:{PROD}:alias/notifications", opts=in_prod)
'''),

    Variant(PUBLIC, VIOLATES, "inline-policy-no-condition", resource="deploys", program=_topic_policy(
        '{"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": topic_arn}')),
    Variant(PUBLIC, VIOLATES, "topic-policy-resource-tls-condition", resource="deploys-policy",
            program=_KEY + _TOPIC_ARN + '''\
topic = aws.sns.Topic("deploys", name="deploys", kms_master_key_id=alias.name, opts=in_prod)
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sns:Publish"], resources=[topic_arn],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=["*"])],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
        test="Bool", variable="aws:SecureTransport", values=["true"])])])
aws.sns.TopicPolicy("deploys-policy", arn=topic.arn, policy=doc.json, opts=in_prod)
'''),
    Variant(PUBLIC, VIOLATES, "not-principal", resource="deploys", program=_topic_policy(
        '{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444444444444:root"},\n'
        '     "Action": "sns:Publish", "Resource": topic_arn}')),
    Variant(PUBLIC, VIOLATES, "negated-source-account", resource="deploys", program=_topic_policy(
        '{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": topic_arn,\n'
        '     "Condition": {"StringNotEquals": {"aws:SourceAccount": "444444444444"}}}')),
    # The policy names the topic by its computed ARN: unknown until apply.
    Variant(PUBLIC, VIOLATES, "policy-from-topic-arn", resource="deploys-policy",
            program=_KEY + '''\
topic = aws.sns.Topic("deploys", kms_master_key_id=alias.name, opts=in_prod)
aws.sns.TopicPolicy("deploys-policy", arn=topic.arn, policy=topic.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["sns:Publish", "sns:Subscribe"], "Resource": arn}]})), opts=in_prod)
'''),
    Variant(PUBLIC, NEAR_MISS, "aws-default-policy-source-owner", program=_topic_policy(
        '{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},\n'
        '     "Action": ["SNS:GetTopicAttributes", "SNS:Subscribe", "SNS:Publish"], "Resource": topic_arn,\n'
        '     "Condition": {"StringEquals": {"AWS:SourceOwner": PROD}}}')),
    Variant(PUBLIC, NEAR_MISS, "service-principals-and-source-arn", program=_topic_policy(
        '{"Effect": "Allow", "Principal": {"Service": ["codestar-notifications.amazonaws.com", '
        '"events.amazonaws.com"]},\n'
        '     "Action": "sns:Publish", "Resource": topic_arn},\n'
        '    {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": topic_arn,\n'
        '     "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{PROD}:alarm:*"}}}')),
]
