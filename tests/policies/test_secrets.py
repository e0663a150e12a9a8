"""Secrets Manager and SSM Parameter Store rules through the analyzer."""
SECRET = "aws:secretsmanager/secret:Secret"
PARAMETER = "aws:ssm/parameter:Parameter"
CMK = "arn:aws:kms:eu-west-1:111111111111:key/0d8f-secrets"


def test_secret_without_customer_managed_key_violates(pack):
    [d] = pack.check(SECRET, {"name": "orders/db"}, name="orders-db").of("secretsmanager-secret-cmk")
    assert (d.enforcement, d.severity) == ("mandatory", "low")
    assert '"orders-db"' in d.message and "no kmsKeyId" in d.message and "kms_key_id" in d.message
    [d] = pack.check(SECRET, {"kmsKeyId": "alias/aws/secretsmanager"}, name="orders-db"
                     ).of("secretsmanager-secret-cmk")
    assert "AWS-managed key 'alias/aws/secretsmanager'" in d.message


def test_secret_with_customer_managed_key_passes(pack):
    assert not pack.check(SECRET, {"kmsKeyId": CMK}).of("secretsmanager-secret-cmk")


def test_secret_named_string_parameter_violates(pack):
    props = {"name": "/orders/db-password", "type": "String", "value": "hunter2hunter2"}
    [d] = pack.check(PARAMETER, props, name="orders-db-password").of("ssm-parameter-secret-is-secure-string")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert '"/orders/db-password"' in d.message and "stored as String" in d.message
    assert 'type="SecureString"' in d.message


def test_credential_value_in_string_list_violates(pack):
    props = {"name": "/orders/config", "type": "StringList", "value": "eu-west-1,AKIAIOSFODNN7EXAMPLE"}
    [d] = pack.check(PARAMETER, props).of("ssm-parameter-secret-is-secure-string")
    assert "StringList" in d.message and "value looks like a credential" in d.message


def test_configured_secret_name_pattern_violates(pack):
    props = {"name": "/orders/stripe-signing", "type": "String", "value": "whsec_abc"}
    assert not pack.check(PARAMETER, props).of("ssm-parameter-secret-is-secure-string")
    config = {"ssm-parameter-secret-is-secure-string": {"secretNamePatterns": ["signing"]}}
    [d] = pack.check(PARAMETER, props, config).of("ssm-parameter-secret-is-secure-string")
    assert "'/orders/stripe-signing' marks a secret" in d.message


def test_secure_string_or_plain_config_passes(pack):
    secure = {"name": "/orders/db-password", "type": "SecureString", "value": "hunter2hunter2"}
    plain = {"name": "/orders/image-tag", "type": "String", "value": "3f2a9c1"}
    reference = {"name": "/orders/db-secret-arn", "type": "String",
                 "value": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders/db-AbCdEf"}
    for props in (secure, plain, reference):
        assert not pack.check(PARAMETER, props).of("ssm-parameter-secret-is-secure-string"), props
