"""Cross-cutting platform rules: protected stateful resources, explicit providers, required tags."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

PROTECTED, PROVIDER, TAGS = ("platform-stateful-resources-protected", "platform-explicit-provider",
                             "platform-required-tags")
_KEEP = 'keep = pulumi.ResourceOptions(provider=prod, protect=True, retain_on_delete=True)\n'
_COMPONENT = '''\
class Service(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:platform:Service", name, None, opts)
        aws.cloudwatch.LogGroup(f"{name}-logs", retention_in_days=30, opts=pulumi.ResourceOptions(parent=self))
        aws.sns.Topic(f"{name}-events", opts=pulumi.ResourceOptions(parent=self))
'''
_TAGGED = '''\
TAGS = {"owner": "team-orders", "service": "orders", "environment": "prod"}
tagged = aws.Provider("tagged", region="us-east-1", allowed_account_ids=[PROD],
    assume_roles=[{"role_arn": f"arn:aws:iam::{PROD}:role/PulumiBootstrap"}],
    default_tags={"tags": {"owner": "team-orders", "service": "orders"}})
in_tagged = pulumi.ResourceOptions(provider=tagged)
'''

VARIANTS = [
    Variant(PROTECTED, VIOLATES, "repository-unprotected", resource="orders",
            program='aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE", opts=in_tooling)\n'),
    Variant(PROTECTED, VIOLATES, "retain-on-delete-is-not-protect", resource="artifacts", program='''\
aws.s3.BucketV2("artifacts", opts=pulumi.ResourceOptions(provider=prod, retain_on_delete=True))
'''),
    Variant(PROTECTED, VIOLATES, "loop-protects-prod-only", resource="key-staging", program='''\
for env, provider in {"staging": staging, "prod": prod}.items():
    aws.kms.Key(f"key-{env}", enable_key_rotation=True,
        opts=pulumi.ResourceOptions(provider=provider, protect=env == "prod"))
'''),
    Variant(PROTECTED, VIOLATES, "log-group-inside-a-component", resource="orders-logs", program=_COMPONENT + '''\
Service("orders", opts=pulumi.ResourceOptions(providers={"aws": prod}))
'''),
    Variant(PROTECTED, VIOLATES, "replica-key", resource="replica", program=_KEEP + '''\
primary = aws.kms.Key("primary", enable_key_rotation=True, multi_region=True, opts=keep)
aws.kms.ReplicaKey("replica", primary_key_arn=primary.arn, opts=in_staging)
'''),
    Variant(PROTECTED, NEAR_MISS, "protected-directly-and-by-parent", program=_KEEP + _COMPONENT + '''\
aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE", opts=keep)
aws.s3.Bucket("artifacts", opts=keep)
Service("orders", opts=pulumi.ResourceOptions(providers={"aws": prod}, protect=True))
'''),

    Variant(PROVIDER, VIOLATES, "no-opts", resource="deploys", program='aws.sns.Topic("deploys")\n'),
    Variant(PROVIDER, VIOLATES, "component-without-providers", resource="orders-events", program=_COMPONENT + '''\
Service("orders")
'''),
    Variant(PROVIDER, VIOLATES, "loop-forgets-one", resource="alarms", program='''\
for name, opts in {"deploys": in_prod, "alarms": pulumi.ResourceOptions(protect=False)}.items():
    aws.sns.Topic(name, opts=opts)
'''),
    Variant(PROVIDER, VIOLATES, "depends-on-is-not-a-provider", resource="deploys-policy", program='''\
topic = aws.sns.Topic("deploys", opts=in_prod)
aws.sns.TopicPolicy("deploys-policy", arn=topic.arn, policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    opts=pulumi.ResourceOptions(depends_on=[topic]))
'''),
    Variant(PROVIDER, NEAR_MISS, "providers-through-parents", program=_COMPONENT + '''\
Service("orders", opts=pulumi.ResourceOptions(providers={"aws": prod}))
Service("payments", opts=pulumi.ResourceOptions(providers=[staging]))
topic = aws.sns.Topic("deploys", opts=in_prod)
aws.sns.TopicSubscription("deploys-mail", topic=topic.arn, protocol="email", endpoint="ops@acme.test",
    opts=pulumi.ResourceOptions(parent=topic))
'''),

    Variant(TAGS, VIOLATES, "untagged-no-default-tags", resource="deploys",
            program='aws.sns.Topic("deploys", opts=in_prod)\n'),
    Variant(TAGS, VIOLATES, "default-tags-miss-one", resource="deploys", program=_TAGGED + '''\
aws.sns.Topic("deploys", opts=in_tagged)
'''),
    Variant(TAGS, VIOLATES, "wrong-case", resource="deploys", program='''\
aws.sns.Topic("deploys", tags={"Owner": "team-orders", "Service": "orders", "Environment": "prod"}, opts=in_prod)
'''),
    Variant(TAGS, VIOLATES, "loop-merges-per-resource-tags", resource="payments-errors", program=_TAGGED + '''\
for name, extra in {"orders": {"environment": "prod"}, "payments": {"env": "prod"}}.items():
    aws.cloudwatch.MetricAlarm(f"{name}-errors", aws.cloudwatch.MetricAlarmArgs(
        comparison_operator="GreaterThanThreshold", evaluation_periods=1, metric_name="Errors",
        namespace="AWS/Lambda", period=60, statistic="Sum", threshold=1, tags={**extra, "team": "orders"}),
        opts=in_tagged)
'''),
    Variant(TAGS, VIOLATES, "taggable-type-outside-the-list", resource="orders", program='''\
aws.sqs.Queue("orders", tags={"owner": "team-orders", "service": "orders"}, opts=in_prod)
'''),
    Variant(TAGS, NEAR_MISS, "default-tags-plus-resource-tags", program=_TAGGED + '''\
aws.sns.Topic("deploys", tags={"environment": "prod"}, opts=in_tagged)
aws.kms.Key("data", enable_key_rotation=True, tags=TAGS, opts=in_prod)
role = aws.iam.Role("app", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}),
    tags={**TAGS, "cost-centre": "4711"}, opts=in_prod)
aws.iam.RolePolicyAttachment("app-logs", role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", opts=in_prod)
'''),
]
