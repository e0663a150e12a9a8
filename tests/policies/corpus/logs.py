"""CloudWatch log groups that keep their events forever, as programs write them."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_RULE = "logs-group-retention-set"

VARIANTS = [
    Variant(_RULE, VIOLATES, "no-retention", resource="orders-build-logs", program=
            'aws.cloudwatch.LogGroup("orders-build-logs", name="/aws/codebuild/orders", opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "zero-means-forever-args", resource="orders-logs", program=
            'aws.cloudwatch.LogGroup("orders-logs", aws.cloudwatch.LogGroupArgs(name="/ecs/orders",\n'
            '    retention_in_days=0), opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "config-unset-defaults-zero", resource="orders-logs", program=
            'days = pulumi.Config().get_int("logRetentionDays") or 0\n'
            'aws.cloudwatch.LogGroup("orders-logs", name="/ecs/orders", retention_in_days=days, opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "loop-one-group-forgets", resource="audit-logs", program=
            'RETENTION = {"app": 30, "access": 90, "audit": None}\n'
            'for name, days in RETENTION.items():\n'
            '    aws.cloudwatch.LogGroup(f"{name}-logs", name=f"/orders/{name}", retention_in_days=days,\n'
            '        opts=in_prod)\n'),
    Variant(_RULE, NEAR_MISS, "config-default-thirty", program=
            'days = pulumi.Config().get_int("logRetentionDays") or 30\n'
            'aws.cloudwatch.LogGroup("orders-logs", name="/ecs/orders", retention_in_days=days, opts=in_prod)\n'),
    Variant(_RULE, NEAR_MISS, "ten-years-args", program=
            'aws.cloudwatch.LogGroup("audit-logs", aws.cloudwatch.LogGroupArgs(retention_in_days=3653,\n'
            '    kms_key_id=f"arn:aws:kms:us-east-1:{PROD}:key/0a1b2c3d-0000-1111-2222-333344445555"), opts=in_prod)\n'),
]
