"""KMS keys: rotation, key policies open to any principal, deletion windows."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

ROTATION, WILDCARD, DELETION = ("kms-key-rotation-enabled", "kms-key-policy-no-wildcard-principal",
                                "kms-key-deletion-window")
_ADMIN = ('{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, '
          '"Action": "kms:*", "Resource": "*"}')


def _policy(statement: str) -> str:
    """A key whose json.dumps policy holds the account-admin statement and `statement`."""
    return ('aws.kms.Key("data", enable_key_rotation=True, policy=json.dumps({"Version": "2012-10-17", '
            f'"Statement": [\n    {_ADMIN},\n    {statement}]}}), opts=in_prod)\n')


VARIANTS = [
    Variant(ROTATION, VIOLATES, "rotation-left-unset", resource="artifacts",
            program='aws.kms.Key("artifacts", description="pipeline artifacts", opts=in_tooling)\n'),
    Variant(ROTATION, VIOLATES, "args-class-false", resource="artifacts", program='''\
aws.kms.Key("artifacts", aws.kms.KeyArgs(description="pipeline artifacts", enable_key_rotation=False,
    deletion_window_in_days=30), opts=in_tooling)
'''),
    Variant(ROTATION, VIOLATES, "loop-over-config", resource="key-logs", program='''\
for name, rotate in {"artifacts": True, "logs": False}.items():
    aws.kms.Key(f"key-{name}", enable_key_rotation=rotate, opts=in_prod)
'''),
    Variant(ROTATION, VIOLATES, "optional-config-flag", resource="data", program='''\
aws.kms.Key("data", enable_key_rotation=pulumi.Config().get_bool("rotateKeys"),
    customer_master_key_spec="SYMMETRIC_DEFAULT", key_usage="ENCRYPT_DECRYPT", opts=in_prod)
'''),
    Variant(ROTATION, NEAR_MISS, "asymmetric-and-hmac-keys-cannot-rotate", program='''\
aws.kms.Key("signing", customer_master_key_spec="RSA_2048", key_usage="SIGN_VERIFY", opts=in_prod)
aws.kms.Key("webhook-mac", customer_master_key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC", opts=in_prod)
'''),
    Variant(ROTATION, NEAR_MISS, "rotation-with-custom-period", program='''\
aws.kms.Key("data", enable_key_rotation=True, rotation_period_in_days=90, opts=in_prod)
'''),

    Variant(WILDCARD, VIOLATES, "star-principal-no-condition", resource="data", program=_policy(
        '{"Sid": "Decrypt", "Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt"], "Resource": "*"}')),
    Variant(WILDCARD, VIOLATES, "key-policy-resource-tls-condition", resource="data-policy", program='''\
key = aws.kms.Key("data", enable_key_rotation=True, opts=in_prod)
doc = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(sid="Admin", actions=["kms:*"], resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="AWS", identifiers=[f"arn:aws:iam::{PROD}:root"])]),
    aws.iam.GetPolicyDocumentStatementArgs(sid="Use", actions=["kms:Decrypt", "kms:GenerateDataKey*"],
        resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=["*"])],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
            test="Bool", variable="aws:SecureTransport", values=["true"])])])
aws.kms.KeyPolicy("data-policy", key_id=key.id, policy=doc.json, opts=in_prod)
'''),
    Variant(WILDCARD, VIOLATES, "via-service-alone", resource="data", program=_policy(
        '{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::333333333333:role/app", "*"]},\n'
        '     "Action": "kms:Decrypt", "Resource": "*",\n'
        '     "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}')),
    Variant(WILDCARD, VIOLATES, "negated-org-condition", resource="data", program=_policy(
        '{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",\n'
        '     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}')),
    Variant(WILDCARD, VIOLATES, "source-account-if-exists", resource="data", program=_policy(
        '{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",\n'
        '     "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "333333333333"}}}')),
    Variant(WILDCARD, VIOLATES, "allow-not-principal", resource="replica", program='''\
primary = aws.kms.Key("primary", enable_key_rotation=True, multi_region=True, opts=in_prod)
aws.kms.ReplicaKey("replica", primary_key_arn=primary.arn, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
        "NotPrincipal": {"AWS": "arn:aws:iam::444444444444:root"}}]}), opts=in_prod)
'''),
    Variant(WILDCARD, NEAR_MISS, "caller-account-and-via-service", program=_policy(
        '{"Sid": "ViaS3", "Effect": "Allow", "Principal": {"AWS": "*"},\n'
        '     "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*", "Condition": {\n'
        '        "StringEquals": {"kms:CallerAccount": "333333333333",\n'
        '                         "kms:ViaService": "s3.us-east-1.amazonaws.com"}}},\n'
        '    {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",\n'
        '     "Condition": {"ForAnyValue:StringLike": {\n'
        '        "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}}')),
    Variant(WILDCARD, NEAR_MISS, "key-policy-org-condition", program='''\
key = aws.kms.Key("data", enable_key_rotation=True, opts=in_prod)
doc = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(sid="Admin", actions=["kms:*"], resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="AWS", identifiers=[f"arn:aws:iam::{PROD}:root"])]),
    aws.iam.GetPolicyDocumentStatementArgs(sid="Org", actions=["kms:Decrypt"], resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
            test="StringEquals", variable="aws:PrincipalOrgID", values=["o-a1b2c3d4e5"])])])
aws.kms.KeyPolicy("data-policy", key_id=key.id, policy=doc.json, opts=in_prod)
'''),
    Variant(WILDCARD, NEAR_MISS, "services-and-deny", program=_policy(
        '{"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},\n'
        '     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*"},\n'
        '    {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",\n'
        '     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}')),

    Variant(DELETION, VIOLATES, "minimum-window", resource="data",
            program='aws.kms.Key("data", enable_key_rotation=True, deletion_window_in_days=7, opts=in_prod)\n'),
    Variant(DELETION, VIOLATES, "window-from-config", resource="data", config={"keyDeletionDays": "14"},
            program='''\
aws.kms.Key("data", enable_key_rotation=True,
    deletion_window_in_days=pulumi.Config().get_int("keyDeletionDays") or 30, opts=in_prod)
'''),
    Variant(DELETION, VIOLATES, "replica-key", resource="replica", program='''\
primary = aws.kms.Key("primary", enable_key_rotation=True, multi_region=True, opts=in_prod)
aws.kms.ReplicaKey("replica", primary_key_arn=primary.arn, deletion_window_in_days=10, opts=in_staging)
'''),
    Variant(DELETION, VIOLATES, "loop-over-environments", resource="key-prod", program='''\
for env, days in {"staging": 30, "prod": 20}.items():
    aws.kms.Key(f"key-{env}", enable_key_rotation=True, deletion_window_in_days=days, opts=in_prod)
'''),
    Variant(DELETION, NEAR_MISS, "default-and-maximum", program='''\
aws.kms.Key("data", enable_key_rotation=True, opts=in_prod)
aws.kms.Key("logs", enable_key_rotation=True, deletion_window_in_days=30, opts=in_prod)
'''),
]
