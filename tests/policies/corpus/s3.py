"""S3 buckets: SSE-KMS default encryption, versioning and force-destroy, in the v7 companion-resource
shape and the legacy inline one."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

ENCRYPTED, VERSIONING, FORCE_DESTROY = ("s3-bucket-kms-encrypted", "s3-bucket-versioning",
                                        "s3-bucket-force-destroy-disabled")
_KEY = 'key = aws.kms.Key("artifacts", enable_key_rotation=True, opts=in_prod)\n'


def _sse(bucket: str, algorithm: str, name: str = "artifacts-sse") -> str:
    key = ', "kms_master_key_id": key.arn' if algorithm.startswith("aws:kms") else ""
    return (f'aws.s3.BucketServerSideEncryptionConfiguration("{name}", bucket={bucket}, rules=[{{\n'
            f'    "apply_server_side_encryption_by_default": {{"sse_algorithm": "{algorithm}"{key}}}, '
            '"bucket_key_enabled": True}], opts=in_prod)\n')


VARIANTS = [
    Variant(ENCRYPTED, VIOLATES, "no-encryption-config", resource="artifacts",
            program='aws.s3.Bucket("artifacts", opts=in_prod)\n'),
    Variant(ENCRYPTED, VIOLATES, "companion-sse-s3", resource="artifacts", program=(
        'bucket = aws.s3.Bucket("artifacts", opts=in_prod)\n' + _sse("bucket.id", "AES256"))),
    Variant(ENCRYPTED, VIOLATES, "legacy-inline-aes256", resource="artifacts", program='''\
aws.s3.Bucket("artifacts", aws.s3.BucketArgs(server_side_encryption_configuration=
    aws.s3.BucketServerSideEncryptionConfigurationArgs(rule=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.
            BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256")))), opts=in_prod)
'''),
    Variant(ENCRYPTED, VIOLATES, "loop-configures-one-bucket", resource="logs", program=_KEY + '''\
buckets = {name: aws.s3.BucketV2(name, opts=in_prod) for name in ("artifacts", "logs")}
aws.s3.BucketServerSideEncryptionConfigurationV2("artifacts-sse", bucket=buckets["artifacts"].id, rules=[
    aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
        apply_server_side_encryption_by_default=aws.s3.
            BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=key.arn))], opts=in_prod)
'''),
    Variant(ENCRYPTED, VIOLATES, "config-names-another-bucket", resource="artifacts", program=_KEY + '''\
aws.s3.Bucket("artifacts", bucket="acme-artifacts", opts=in_prod)
''' + _sse('"acme-artifacts-replica"', "aws:kms")),
    Variant(ENCRYPTED, NEAR_MISS, "companion-kms-by-id-and-by-name", program=_KEY + '''\
bucket = aws.s3.Bucket("artifacts", opts=in_prod)
aws.s3.Bucket("logs", bucket="acme-logs", opts=in_prod)
''' + _sse("bucket.id", "aws:kms") + _sse('"acme-logs"', "aws:kms:dsse", "logs-sse")),
    Variant(ENCRYPTED, NEAR_MISS, "legacy-inline-kms", program=_KEY + '''\
aws.s3.Bucket("artifacts", server_side_encryption_configuration={"rule": {
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}},
    opts=in_prod)
aws.s3.BucketV2("logs", server_side_encryption_configurations=[{"rules": [{
    "apply_server_side_encryption_by_defaults": [{"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}]}]}],
    opts=in_prod)
'''),

    Variant(VERSIONING, VIOLATES, "no-versioning", resource="artifacts",
            program='aws.s3.BucketV2("artifacts", opts=in_prod)\n'),
    Variant(VERSIONING, VIOLATES, "suspended", resource="artifacts", program='''\
bucket = aws.s3.Bucket("artifacts", opts=in_prod)
aws.s3.BucketVersioning("artifacts-versioning", bucket=bucket.id,
    versioning_configuration={"status": "Suspended"}, opts=in_prod)
'''),
    Variant(VERSIONING, VIOLATES, "legacy-inline-disabled", resource="artifacts",
            program='aws.s3.Bucket("artifacts", versioning={"enabled": False}, opts=in_prod)\n'),
    Variant(VERSIONING, VIOLATES, "loop-versions-one-bucket", resource="scratch", program='''\
for name, status in {"artifacts": "Enabled", "scratch": "Disabled"}.items():
    bucket = aws.s3.BucketV2(name, opts=in_prod)
    aws.s3.BucketVersioningV2(f"{name}-versioning", bucket=bucket.bucket,
        versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(status=status),
        opts=in_prod)
'''),
    Variant(VERSIONING, NEAR_MISS, "enabled-by-id-by-name-and-inline", program='''\
bucket = aws.s3.Bucket("artifacts", opts=in_prod)
aws.s3.BucketVersioning("artifacts-versioning", bucket=bucket.id,
    versioning_configuration={"status": "Enabled"}, opts=in_prod)
aws.s3.Bucket("logs", bucket="acme-logs", opts=in_prod)
aws.s3.BucketVersioning("logs-versioning", bucket="acme-logs", versioning_configuration={"status": "Enabled"},
    opts=in_prod)
aws.s3.Bucket("legacy", versioning={"enabled": True}, opts=in_prod)
aws.s3.BucketV2("legacy-v2", versionings=[{"enabled": True}], opts=in_prod)
'''),

    Variant(FORCE_DESTROY, VIOLATES, "force-destroy-true", resource="artifacts",
            program='aws.s3.Bucket("artifacts", force_destroy=True, opts=in_prod)\n'),
    Variant(FORCE_DESTROY, VIOLATES, "bucket-v2-args-class", resource="artifacts",
            program='aws.s3.BucketV2("artifacts", aws.s3.BucketV2Args(force_destroy=True), opts=in_prod)\n'),
    Variant(FORCE_DESTROY, VIOLATES, "from-stack-config", resource="artifacts", config={"ephemeral": "true"},
            program='''\
aws.s3.Bucket("artifacts", force_destroy=pulumi.Config().get_bool("ephemeral") or False, opts=in_prod)
'''),
    Variant(FORCE_DESTROY, VIOLATES, "loop-over-buckets", resource="scratch", program='''\
for name in ("artifacts", "scratch"):
    aws.s3.Bucket(name, force_destroy=name == "scratch", opts=in_prod)
'''),
    Variant(FORCE_DESTROY, NEAR_MISS, "explicit-false-and-ecr-force-delete", program='''\
aws.s3.Bucket("artifacts", force_destroy=pulumi.Config().get_bool("ephemeral") or False, opts=in_prod)
aws.ecr.Repository("orders", force_delete=True, opts=in_tooling)
'''),
]
