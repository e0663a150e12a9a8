"""S3 rules through the analyzer: bucket settings joined from their companion resources."""
import json

from preflight.analyzer import UNKNOWN
from tests.policies.conftest import aws_provider, resource, urn

BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ALL_FLAGS = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
             "restrictPublicBuckets": True}
CMK = "arn:aws:kms:eu-west-1:111111111111:key/0d8f-artifacts"
STACK_RULES = ("s3-bucket-public-access-blocked", "s3-bucket-tls-only", "s3-bucket-kms-encrypted",
               "s3-bucket-versioning")


def tls_policy(bucket="artifacts-bucket", **deny_overrides):
    deny = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    deny.update(deny_overrides)
    return json.dumps({"Version": "2012-10-17", "Statement": [deny]})


def bucket(name="artifacts", **props):
    return resource(BUCKET, {"bucket": f"{name}-bucket", **props}, name=name)


def companion(type_, props, of, name=None):
    """A companion of bucket `of` as in a first preview: `bucket` (= bucket.id) unknown, joined by dependency."""
    name = name or f"{of}-{type_.rsplit(':', 1)[1]}"
    return resource(type_, {"bucket": UNKNOWN, **props}, name=name,
                    property_dependencies={"bucket": [urn(BUCKET, of)]})


def secure_bucket(name="artifacts"):
    return [bucket(name),
            companion(BLOCK, ALL_FLAGS, name),
            companion(POLICY, {"policy": tls_policy(f"{name}-bucket")}, name),
            companion(SSE, {"rules": [{"applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms", "kmsMasterKeyId": CMK}}]}, name),
            companion(VERSIONING, {"versioningConfiguration": {"status": "Enabled"}}, name)]


def test_secure_bucket_passes_every_stack_rule(pack):
    r = pack.analyze_stack(secure_bucket())
    assert not any(r.of(p) for p in STACK_RULES), r.diagnostics  # nor a "can't be known" advisory


def test_bare_bucket_violates_every_stack_rule(pack):
    r = pack.analyze_stack([bucket()])
    expected = {"s3-bucket-public-access-blocked": "critical", "s3-bucket-tls-only": "high",
                "s3-bucket-kms-encrypted": "high", "s3-bucket-versioning": "medium"}
    for policy, severity in expected.items():
        [d] = r.of(policy)
        assert (d.enforcement, d.severity, d.urn) == ("mandatory", severity, urn(BUCKET, "artifacts"))
        assert '"artifacts"' in d.message
    assert "no public access block" in r.of("s3-bucket-public-access-blocked")[0].message
    assert "aws:SecureTransport" in r.of("s3-bucket-tls-only")[0].message
    assert "falls back to SSE-S3" in r.of("s3-bucket-kms-encrypted")[0].message
    assert "no versioning configuration" in r.of("s3-bucket-versioning")[0].message


def test_companions_count_only_for_their_own_bucket(pack):
    r = pack.analyze_stack([*secure_bucket("artifacts"), bucket("logs")])
    for policy in STACK_RULES:
        assert [d.urn for d in r.of(policy)] == [urn(BUCKET, "logs")]


def test_companion_given_a_literal_bucket_name_is_joined_by_name(pack):
    block = resource(BLOCK, {"bucket": "artifacts-bucket", **ALL_FLAGS}, name="literal-block")
    r = pack.analyze_stack([bucket(), block])
    assert not r.of("s3-bucket-public-access-blocked")


def test_public_access_block_with_a_flag_off_is_named(pack):
    leaky = companion(BLOCK, {**ALL_FLAGS, "restrictPublicBuckets": False}, "artifacts")
    r = pack.analyze_stack([bucket(), leaky])
    [d] = r.of("s3-bucket-public-access-blocked")
    assert "restrictPublicBuckets off" in d.message and "blockPublicAcls" not in d.message


def test_account_public_access_block_covers_buckets_of_its_account_only(pack):
    account_block = resource(ACCOUNT_BLOCK, ALL_FLAGS, name="account-block",
                             provider=aws_provider("111111111111"))
    mine = resource(BUCKET, {"bucket": "a"}, name="same-account", provider=aws_provider("111111111111"))
    other = resource(BUCKET, {"bucket": "b"}, name="other-account", provider=aws_provider("222222222222"))
    r = pack.analyze_stack([account_block, mine, other])
    assert [d.urn for d in r.of("s3-bucket-public-access-blocked")] == [urn(BUCKET, "other-account")]


def test_tls_deny_accepts_a_json_boolean_and_the_inline_bucket_policy(pack):
    inline = json.loads(tls_policy())
    inline["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": False}}
    r = pack.analyze_stack([bucket(policy=json.dumps(inline))])
    assert not r.of("s3-bucket-tls-only")


def test_tls_deny_that_misses_objects_or_actions_or_everyone_violates(pack):
    weak = [tls_policy(Resource="arn:aws:s3:::artifacts-bucket"),          # bucket only, not objects
            tls_policy(Action="s3:GetObject"),                             # one action
            tls_policy(Principal={"AWS": "arn:aws:iam::111111111111:role/x"}),  # one principal
            tls_policy(Effect="Allow"),
            tls_policy(Condition={"Bool": {"aws:SecureTransport": "true"}}),
            "{not json"]
    for document in weak:
        r = pack.analyze_stack([bucket(), companion(POLICY, {"policy": document}, "artifacts")])
        [d] = r.of("s3-bucket-tls-only")
        assert d.urn == urn(BUCKET, "artifacts"), document
        assert "no bucket policy statement denying" in d.message, document


def test_sse_s3_is_reported_and_inline_or_v2_kms_passes(pack):
    aes = companion(SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
                    "artifacts")
    [d] = pack.analyze_stack([bucket(), aes]).of("s3-bucket-kms-encrypted")
    assert "default encryption 'AES256'" in d.message and "aws:kms" in d.message
    dsse = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms:dsse"}}]}
    v2 = companion(SSE_V2, dsse, "artifacts")
    assert not pack.analyze_stack([bucket(), v2]).of("s3-bucket-kms-encrypted")
    inline = bucket(serverSideEncryptionConfiguration={
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}})
    assert not pack.analyze_stack([inline]).of("s3-bucket-kms-encrypted")


def test_suspended_versioning_is_reported_and_inline_versioning_passes(pack):
    suspended = companion(VERSIONING, {"versioningConfiguration": {"status": "Suspended"}}, "artifacts")
    [d] = pack.analyze_stack([bucket(), suspended]).of("s3-bucket-versioning")
    assert "versioning 'Suspended'" in d.message and '"Enabled"' in d.message
    assert not pack.analyze_stack([bucket(versioning={"enabled": True})]).of("s3-bucket-versioning")


def test_bucket_v2_inline_lists_count(pack):
    """BucketV2's deprecated inline blocks are one-item lists with plural names."""
    kms = {"rules": [{"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": CMK}]}]}
    v2 = resource("aws:s3/bucketV2:BucketV2", {"bucket": "legacy-bucket", "versionings": [{"enabled": True}],
                                               "serverSideEncryptionConfigurations": [kms]}, name="legacy")
    r = pack.analyze_stack([v2])
    assert not r.of("s3-bucket-versioning") and not r.of("s3-bucket-kms-encrypted")
    off = resource("aws:s3/bucketV2:BucketV2", {"versionings": [{"enabled": False}],
                                                "serverSideEncryptionConfigurations": [{"rules": [{
                                                    "applyServerSideEncryptionByDefaults": [
                                                        {"sseAlgorithm": "AES256"}]}]}]}, name="legacy")
    r = pack.analyze_stack([off])
    [d] = r.of("s3-bucket-kms-encrypted")
    assert "default encryption 'AES256'" in d.message
    assert r.of("s3-bucket-versioning")


def test_force_destroy_violates(pack):
    r = pack.check(BUCKET, {"bucket": "artifacts-bucket", "forceDestroy": True}, name="artifacts")
    [d] = r.of("s3-bucket-force-destroy-disabled")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert '"artifacts"' in d.message and "forceDestroy: true" in d.message
    assert "remove force_destroy" in d.message


def test_force_destroy_off_passes(pack):
    assert not pack.check(BUCKET, {"forceDestroy": False}).of("s3-bucket-force-destroy-disabled")
    assert not pack.check(BUCKET, {}).of("s3-bucket-force-destroy-disabled")
