"""Secrets Manager secrets and SSM parameters as programs write them."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_CMK = "secretsmanager-secret-cmk"
_SECURE = "ssm-parameter-secret-is-secure-string"
_KEY_ARN = 'KEY_ARN = f"arn:aws:kms:us-east-1:{PROD}:key/5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b"\n'

VARIANTS = [
    # ---- secrets under a customer-managed key ----------------------------------------------------
    Variant(_CMK, VIOLATES, "no-key", resource="orders-db", program='''\
aws.secretsmanager.Secret("orders-db", name="orders/prod/db", recovery_window_in_days=30, opts=in_prod)
'''),
    Variant(_CMK, VIOLATES, "aws-managed-alias", resource="orders-db", program='''\
aws.secretsmanager.Secret("orders-db", kms_key_id="alias/aws/secretsmanager", opts=in_prod)
'''),
    Variant(_CMK, VIOLATES, "aws-managed-alias-arn-args", resource="orders-db", program='''\
aws.secretsmanager.Secret("orders-db", aws.secretsmanager.SecretArgs(name="orders/prod/db",
    kms_key_id=f"arn:aws:kms:us-east-1:{PROD}:alias/aws/secretsmanager"), opts=in_prod)
'''),
    Variant(_CMK, VIOLATES, "loop-one-without-key", resource="payments-api-key", program=_KEY_ARN + '''\
for name, key in {"orders-db": KEY_ARN, "payments-api-key": None}.items():
    secret = aws.secretsmanager.Secret(name, kms_key_id=key, opts=in_prod)
    aws.secretsmanager.SecretVersion(f"{name}-v1", secret_id=secret.id,
        secret_string=pulumi.Output.secret(json.dumps({"value": "generated-elsewhere"})), opts=in_prod)
'''),
    Variant(_CMK, NEAR_MISS, "key-arn", program=_KEY_ARN + '''\
aws.secretsmanager.Secret("orders-db", name="orders/prod/db", kms_key_id=KEY_ARN, opts=in_prod)
'''),
    Variant(_CMK, NEAR_MISS, "customer-alias-from-config", config={"secretsKey": "alias/orders-secrets"}, program='''\
aws.secretsmanager.Secret("orders-db", kms_key_id=pulumi.Config().require("secretsKey"), opts=in_prod)
'''),

    # ---- secret-looking parameters are SecureString -------------------------------------------
    Variant(_SECURE, VIOLATES, "db-password-string", resource="db-password", program='''\
aws.ssm.Parameter("db-password", name="/orders/prod/db-password", type="String", value="hunter2-hunter2",
    opts=in_prod)
'''),
    Variant(_SECURE, VIOLATES, "database-url-with-credentials", resource="database-url", program='''\
host = pulumi.Config().get("dbHost") or "orders-db.cluster-abc.us-east-1.rds.amazonaws.com"
aws.ssm.Parameter("database-url", name="/orders/prod/connection", type="String",
    value=f"postgresql://orders:pg-s3cr3t@{host}:5432/orders", opts=in_prod)
'''),
    Variant(_SECURE, VIOLATES, "loop-over-settings", resource="orders-stripe-secret-key", program='''\
SETTINGS = {"log-level": "info", "stripe-secret-key": "sk_live_51H8abcdEFGHijklMNOPqrst",
            "stripe-publishable-key": "pk_live_51H8abcdEFGHijklMNOPqrst"}
for key, value in SETTINGS.items():
    aws.ssm.Parameter(f"orders-{key}", name=f"/orders/prod/{key}", type="String", value=value, opts=in_prod)
'''),
    Variant(_SECURE, VIOLATES, "string-list-with-access-key-args", resource="ci-settings", program='''\
aws.ssm.Parameter("ci-settings", aws.ssm.ParameterArgs(name="/ci/settings", type="StringList",
    value=",".join(["us-east-1", "AKIAIOSFODNN7EXAMPLE"])), opts=in_tooling)
'''),
    Variant(_SECURE, VIOLATES, "insecure-value-token", resource="slack-token", program='''\
aws.ssm.Parameter("slack-token", name="/orders/slack/bot-token", type="String",
    insecure_value="xoxb-1234567890-0987654321-AbCdEfGhIjKl", opts=in_prod)
'''),
    # The password is a literal, the host built from an output: the whole value is unknown during preview.
    Variant(_SECURE, VIOLATES, "url-applied-from-db-address", resource="database-url",
            program='''\
db = aws.rds.Instance("orders-db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
    username="orders", password=pulumi.Output.secret("pg-s3cr3t"), skip_final_snapshot=True, opts=in_prod)
url = db.id.apply(lambda i: f"postgresql://orders:pg-s3cr3t@{i}.c9akciq32.us-east-1.rds.amazonaws.com/orders")
aws.ssm.Parameter("database-url", name="/orders/prod/database-url", type="String", value=url, opts=in_prod)
'''),
    Variant(_SECURE, NEAR_MISS, "secure-string", program=_KEY_ARN + '''\
aws.ssm.Parameter("db-password", name="/orders/prod/db-password", type="SecureString", key_id=KEY_ARN,
    value=pulumi.Output.secret("hunter2-hunter2"), opts=in_prod)
'''),
    Variant(_SECURE, NEAR_MISS, "references-and-settings-about-secrets", program='''\
PARAMS = {
    "/orders/prod/db-secret-arn": f"arn:aws:secretsmanager:us-east-1:{PROD}:secret:orders/prod/db-AbCdEf",
    "/orders/prod/token-endpoint": "https://auth.example.com/oauth2/token",
    "/orders/prod/password-min-length": "12",
    "/orders/prod/database-url": "postgresql://orders-db.internal:5432/orders",
    "/orders/prod/stripe-publishable-key": "pk_live_51H8abcdEFGHijklMNOPqrst",
}
for i, (name, value) in enumerate(PARAMS.items()):
    aws.ssm.Parameter(f"param-{i}", name=name, type="String", value=value, opts=in_prod)
'''),
    Variant(_SECURE, NEAR_MISS, "connection-with-password-reference", program='''\
aws.ssm.Parameter("database-url", name="/orders/prod/database-url", type="String",
    value="postgresql://orders:{{resolve:secretsmanager:orders/prod/db:SecretString:password}}@db:5432/orders",
    opts=in_prod)
'''),
]
