"""S3 access rules: every bucket blocks public access and refuses requests without TLS."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import (actions, as_list, as_str, conditions, get, has_wildcard_principal, is_true,
                      provider_account, resources, statements)
from ._registry import stack_rule
from ._s3_buckets import (ACCOUNT_PUBLIC_ACCESS_BLOCK, POLICY_TYPES, PUBLIC_ACCESS_BLOCK_TYPES, buckets,
                          companions_by_bucket)

BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
TLS_DENY = ('a Deny for Principal "*", Action "s3:*" on the bucket and bucket/* ARNs with '
            '{"Bool": {"aws:SecureTransport": "false"}}')


def _flags_off(block: Any) -> list[str]:
    return [f for f in BLOCK_FLAGS if not is_true(get(block.props, f))]


def _account_key(resource: Any) -> str:
    """The account a resource lives in: its provider's account, else the provider itself."""
    provider = resource.provider
    return provider_account(provider) or (getattr(provider, "urn", "") or "")


@stack_rule(
    "s3-bucket-public-access-blocked",
    description="Every S3 bucket must have a public access block with all four flags on.",
    severity="critical",
    remediation=("Add aws.s3.BucketPublicAccessBlock(bucket=bucket.id, block_public_acls=True, "
                 "block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)."),
    topic="data-exposure",
    anchors=["SH S3.8"],
)
def s3_bucket_public_access_blocked(args, cfg):
    stack = args.resources
    # An account-wide block with all four flags covers every bucket of that account.
    blocked_accounts = {as_str(get(r.props, "accountId")) or _account_key(r) for r in stack
                        if r.resource_type == ACCOUNT_PUBLIC_ACCESS_BLOCK and not _flags_off(r)}
    blocks = companions_by_bucket(stack, PUBLIC_ACCESS_BLOCK_TYPES)
    for bucket in buckets(stack):
        attached = blocks.get(bucket.urn, [])
        if any(not _flags_off(b) for b in attached):
            continue
        if blocked_accounts and _account_key(bucket) in blocked_accounts:
            continue
        if not attached:
            yield bucket.urn, (f"bucket \"{bucket.name}\" has no public access block; add "
                               "aws.s3.BucketPublicAccessBlock with all four flags "
                               f"({', '.join(BLOCK_FLAGS)}) set to True")
        else:
            off = _flags_off(attached[0])
            yield bucket.urn, (f"bucket \"{bucket.name}\" has a public access block with {', '.join(off)} "
                               "off; set all four flags to True")


def _false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _requires_secure_transport(statement: Mapping) -> bool:
    for operator, block in conditions(statement).items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            if str(key).lower() == "aws:securetransport":
                candidates = as_list(values) if not isinstance(values, (str, bool)) else [values]
                if any(_false(v) for v in candidates):
                    return True
    return False


def _covers_bucket_and_objects(statement: Mapping) -> bool:
    tails = ["*" if r == "*" else r.split(":::", 1)[1]
             for r in resources(statement) if r == "*" or ":::" in r]
    # In resource ARNs `*` also matches `/`, so `arn:aws:s3:::*` covers buckets and objects.
    covers_bucket = any("/" not in t for t in tails)
    covers_objects = any(t == "*" or t.endswith("/*") for t in tails)
    return covers_bucket and covers_objects


def denies_insecure_transport(document: Any) -> bool:
    """True when a bucket policy denies every S3 action over plain HTTP, on the bucket and its objects."""
    return any(s.get("Effect") == "Deny" and has_wildcard_principal(s)
               and any(a in ("*", "s3:*") for a in actions(s))
               and _covers_bucket_and_objects(s) and _requires_secure_transport(s)
               for s in statements(document))


@stack_rule(
    "s3-bucket-tls-only",
    description="Every S3 bucket policy must deny requests that do not use TLS (aws:SecureTransport false).",
    severity="high",
    remediation=("Attach an aws.s3.BucketPolicy with a statement Effect Deny, Principal \"*\", "
                 "Action \"s3:*\", Resource [bucket ARN, bucket ARN + \"/*\"], "
                 "Condition {\"Bool\": {\"aws:SecureTransport\": \"false\"}}."),
    topic="encryption-in-transit",
    anchors=["SH S3.5"],
)
def s3_bucket_tls_only(args, cfg):
    policies = companions_by_bucket(args.resources, POLICY_TYPES)
    for bucket in buckets(args.resources):
        attached = (get(p.props, "policy") for p in policies.get(bucket.urn, []))
        if any(denies_insecure_transport(d) for d in attached):
            continue
        # The deprecated inline `policy` still works; read it only when no attached policy complies.
        if not denies_insecure_transport(get(bucket.props, "policy")):
            yield bucket.urn, (f"bucket \"{bucket.name}\" has no bucket policy statement denying requests "
                               f"without TLS; add {TLS_DENY}")
