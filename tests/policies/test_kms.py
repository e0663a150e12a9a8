"""KMS rules through the analyzer: rotation, public key policies, deletion window."""
import json

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ACCOUNT_ROOT = "arn:aws:iam::111111111111:root"


def key_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "kms:*",
         "Resource": "*"}


def test_rotation_off_violates(pack):
    r = pack.check(KEY, {"enableKeyRotation": False}, name="artifacts-key")
    [d] = r.of("kms-key-rotation-enabled")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert '"artifacts-key"' in d.message and "(enableKeyRotation False)" in d.message
    assert "enable_key_rotation=True" in d.message
    [d] = pack.check(KEY, {}, name="artifacts-key").of("kms-key-rotation-enabled")
    assert "(enableKeyRotation unset)" in d.message


def test_rotation_on_or_unrotatable_key_passes(pack):
    assert not pack.check(KEY, {"enableKeyRotation": True}).of("kms-key-rotation-enabled")
    # AWS cannot rotate asymmetric keys: requiring it would be an unfixable finding.
    assert not pack.check(KEY, {"customerMasterKeySpec": "RSA_2048"}).of("kms-key-rotation-enabled")


def test_wildcard_principal_without_condition_violates(pack):
    public = {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
              "Resource": "*"}
    for type_ in (KEY, KEY_POLICY):
        r = pack.check(type_, {"policy": key_policy(ADMIN, public)}, name="artifacts-key")
        [d] = r.of("kms-key-policy-no-wildcard-principal")
        assert (d.enforcement, d.severity) == ("mandatory", "critical")
        assert '"artifacts-key"' in d.message and "statement 'Everyone'" in d.message
        assert "aws:PrincipalOrgID" in d.message


def test_wildcard_with_unrelated_condition_still_violates(pack):
    tls_only = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    [d] = pack.check(KEY, {"policy": key_policy(tls_only)}).of("kms-key-policy-no-wildcard-principal")
    assert "statement #1" in d.message


def test_conditions_that_admit_callers_without_a_match_do_not_scope(pack):
    # Negated, ...IfExists, ForAllValues and Null conditions hold for callers outside the account / org.
    for condition in ({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
                      {"StringEqualsIfExists": {"aws:SourceAccount": "111111111111"}},
                      {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/*"}},
                      {"Null": {"aws:PrincipalOrgID": "false"}}):
        statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
                     "Condition": condition}
        r = pack.check(KEY, {"policy": key_policy(ADMIN, statement)})
        [d] = r.of("kms-key-policy-no-wildcard-principal")
        assert "statement #2" in d.message
    org_paths = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                 "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/*"}}}
    r = pack.check(KEY, {"policy": key_policy(ADMIN, org_paths)})
    assert not r.of("kms-key-policy-no-wildcard-principal")


def test_named_principals_or_scoped_wildcard_pass(pack):
    scoped = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
              "Resource": "*", "Condition": {"StringEquals": {
                  "kms:CallerAccount": "111111111111", "kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}
    deny_all = {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}
    r = pack.check(KEY, {"policy": key_policy(ADMIN, scoped, deny_all)})
    assert not r.of("kms-key-policy-no-wildcard-principal")


def test_deletion_window_under_default_minimum_violates(pack):
    r = pack.check(KEY, {"deletionWindowInDays": 7}, name="artifacts-key")
    [d] = r.of("kms-key-deletion-window")
    assert (d.enforcement, d.severity) == ("mandatory", "medium")
    assert '"artifacts-key"' in d.message and "deletionWindowInDays 7," in d.message
    assert "minimum 30" in d.message


def test_deletion_window_default_or_configured_minimum_passes(pack):
    assert not pack.check(KEY, {}).of("kms-key-deletion-window")  # AWS default: 30 days
    assert not pack.check(KEY, {"deletionWindowInDays": 30}).of("kms-key-deletion-window")
    relaxed = {"kms-key-deletion-window": {"minDeletionWindowDays": 7}}
    assert not pack.check(KEY, {"deletionWindowInDays": 7}, relaxed).of("kms-key-deletion-window")
    stricter = {"kms-key-deletion-window": {"minDeletionWindowDays": 14}}
    [d] = pack.check(KEY, {"deletionWindowInDays": 10}, stricter).of("kms-key-deletion-window")
    assert "minimum 14" in d.message


def test_rotation_given_as_a_list_is_named_not_printed_as_an_object(pack):
    result = pack.check("aws:kms/key:Key", {"enableKeyRotation": [True]})
    (d,) = result.of("kms-key-rotation-enabled")
    assert "(enableKeyRotation a list)" in d.message and " at 0x" not in d.message
