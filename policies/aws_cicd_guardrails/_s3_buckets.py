"""Joins S3 buckets to the separate resources that configure them (policy, encryption, versioning, ...).

pulumi-aws v7 moved bucket settings into companion resources that name the bucket in their
`bucket` input. The join goes through the companion's property dependency on `bucket` (the
bucket's URN — no value read, so an unknown bucket id during preview is harmless) and falls
back to the bucket name for companions given a literal name. Linear time: dicts only.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from pulumi_policy import PolicyResource

from ._common import as_str, get

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
POLICY_TYPES = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
PUBLIC_ACCESS_BLOCK_TYPES = frozenset({"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"})
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
ENCRYPTION_TYPES = frozenset({
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
})
VERSIONING_TYPES = frozenset({
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
})


def buckets(resources: Iterable[PolicyResource]) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in BUCKET_TYPES]


def companions_by_bucket(resources: Sequence[PolicyResource],
                         companion_types: frozenset[str]) -> dict[str, list[PolicyResource]]:
    """{bucket URN: [companion resources of `companion_types` that configure it]}."""
    bucket_urns = {r.urn for r in resources if r.resource_type in BUCKET_TYPES}
    out: dict[str, list[PolicyResource]] = {urn: [] for urn in bucket_urns}
    by_literal_name = []
    for r in resources:
        if r.resource_type not in companion_types:
            continue
        targets = {d.urn for d in r.property_dependencies.get("bucket", ()) if d.urn in bucket_urns}
        if targets:
            for urn in targets:
                out[urn].append(r)
        else:
            by_literal_name.append(r)
    if by_literal_name:
        names = _bucket_urns_by_name(resources)
        for r in by_literal_name:
            urn = names.get(as_str(get(r.props, "bucket")))
            if urn:
                out[urn].append(r)
    return out


def _bucket_urns_by_name(resources: Sequence[PolicyResource]) -> dict[str, str]:
    names = {}
    for r in resources:
        if r.resource_type in BUCKET_TYPES:
            name = as_str(get(r.props, "bucket"))
            if name:
                names[name] = r.urn
    return names
