"""S3 rules: SSE-KMS default encryption, versioning, no force-destroy. Access rules live in s3_access."""
from __future__ import annotations

from typing import Any, Optional

from . import s3_access  # noqa: F401  (registers the public-access and TLS rules)
from ._common import as_list, as_str, get, is_true
from ._registry import resource_rule, stack_rule
from ._s3_buckets import BUCKET_TYPES, ENCRYPTION_TYPES, VERSIONING_TYPES, buckets, companions_by_bucket

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _algorithm(rule: Any) -> str:
    return as_str(get(rule, "applyServerSideEncryptionByDefault", 0, "sseAlgorithm")
                  or get(rule, "applyServerSideEncryptionByDefaults", 0, "sseAlgorithm"))


def _inline(bucket: Any, key: str) -> Any:
    """A deprecated inline block of a bucket: singular on Bucket, a one-item list (`...s`) on BucketV2."""
    return get(bucket.props, key, 0) or get(bucket.props, key + "s", 0)


def _inline_algorithm(bucket: Any) -> Optional[str]:
    """The deprecated inline serverSideEncryptionConfiguration(s) rule of a bucket, if any."""
    config = _inline(bucket, "serverSideEncryptionConfiguration")
    rules = as_list(get(config, "rule")) or as_list(get(config, "rules"))
    return next((a for a in map(_algorithm, rules) if a), None)


@stack_rule(
    "s3-bucket-kms-encrypted",
    description="Every S3 bucket must default to SSE-KMS encryption.",
    severity="high",
    remediation=("Add aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{"
                 "apply_server_side_encryption_by_default: {sse_algorithm: \"aws:kms\", kms_master_key_id: "
                 "key.arn}, bucket_key_enabled: True}]) with a customer-managed key."),
    topic="encryption",
    anchors=["SH S3.4"],
)
def s3_bucket_kms_encrypted(args, cfg):
    configs = companions_by_bucket(args.resources, ENCRYPTION_TYPES)
    for bucket in buckets(args.resources):
        attached = configs.get(bucket.urn, [])
        algorithms = [_algorithm(r) for c in attached for r in as_list(get(c.props, "rules"))]
        if any(a in KMS_ALGORITHMS for a in algorithms):
            continue
        inline = _inline_algorithm(bucket)
        if inline in KMS_ALGORITHMS:
            continue
        found = next((a for a in algorithms if a), inline)
        setting = (f"default encryption {found!r}" if found
                   else "no default encryption (S3 falls back to SSE-S3)")
        yield bucket.urn, (f"bucket \"{bucket.name}\" has {setting}; add a "
                           "BucketServerSideEncryptionConfiguration with sse_algorithm \"aws:kms\" and a "
                           "customer-managed key")


def _inline_versioning_enabled(bucket: Any) -> bool:
    return is_true(get(_inline(bucket, "versioning"), "enabled"))


@stack_rule(
    "s3-bucket-versioning",
    description="Every S3 bucket must have versioning enabled.",
    severity="medium",
    remediation=("Add aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={\"status\": "
                 "\"Enabled\"})."),
    topic="resilience",
    anchors=["SH S3.14"],
)
def s3_bucket_versioning(args, cfg):
    configs = companions_by_bucket(args.resources, VERSIONING_TYPES)
    for bucket in buckets(args.resources):
        statuses = [as_str(get(c.props, "versioningConfiguration", 0, "status"))
                    for c in configs.get(bucket.urn, [])]
        if "Enabled" in statuses or _inline_versioning_enabled(bucket):
            continue
        found = next((s for s in statuses if s), None)
        setting = f"versioning {found!r}" if found else "no versioning configuration"
        yield bucket.urn, (f"bucket \"{bucket.name}\" has {setting}; add a BucketVersioning with "
                           "versioning_configuration status \"Enabled\"")


@resource_rule(
    "s3-bucket-force-destroy-disabled",
    types=[*sorted(BUCKET_TYPES), "aws:s3/directoryBucket:DirectoryBucket"],
    description=("S3 buckets must not set forceDestroy, which lets a destroy or replacement delete every "
                 "object."),
    severity="high",
    remediation="Remove force_destroy (or set it False); empty a bucket deliberately before deleting it.",
    topic="resilience",
)
def s3_bucket_force_destroy_disabled(args, cfg):
    if is_true(get(args.props, "forceDestroy")):
        yield (f"bucket \"{args.name}\" sets forceDestroy: true, so deleting or replacing it deletes every "
               "object; remove force_destroy")
