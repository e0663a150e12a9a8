"""ArtifactStore: the tooling account's KMS key and S3 bucket that carry pipeline artifacts across accounts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import s3_bucket_arn
from components.documents import iam
from components.documents.pipeline_policies import artifact_bucket_policy, artifact_key_policy


@dataclass(frozen=True)
class ArtifactStoreArgs:
    account: Account                  # tooling
    prefix: str
    protect: bool
    admin_role_arn: str               # the bootstrap role Pulumi deploys with; administers the key


def artifact_bucket_name(prefix: str, account_id: str, region: str) -> str:
    """Known from config, so a service stack names the foundation's bucket without reading it."""
    return f"{prefix}-tooling-artifacts-{account_id}-{region}"


class ArtifactStore(pulumi.ComponentResource):
    """Key (rotation on) + bucket (SSE-KMS, versioned, private). Access is granted once the roles exist:
    KMS and S3 reject policies naming principals that do not exist yet, and the deploy roles need the key
    ARN first, hence `ArtifactAccess` instead of constructor arguments."""

    def __init__(self, name: str, args: ArtifactStoreArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:ArtifactStore", name, None, opts)
        self.resource_name, self.account, self.admin_role_arn = name, args.account, args.admin_role_arn
        account, keep = args.account, dict(protect=args.protect, retain_on_delete=args.protect)
        self.key = aws.kms.Key(
            f"{name}-key", description=f"{args.prefix} pipeline artifacts", enable_key_rotation=True,
            deletion_window_in_days=30 if args.protect else 7, tags={"purpose": "pipeline-artifacts"},
            opts=account.opts(self, **keep))
        bucket_name = artifact_bucket_name(args.prefix, account.id, account.region)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket=bucket_name, force_destroy=not args.protect,
                                    tags={"purpose": "pipeline-artifacts"}, opts=account.opts(self, **keep))
        aws.s3.BucketPublicAccessBlock(f"{name}-public-access", bucket=self.bucket.bucket, block_public_acls=True,
                                       block_public_policy=True, ignore_public_acls=True,
                                       restrict_public_buckets=True, opts=account.opts(self))
        aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=self.bucket.bucket,
                                       rule={"object_ownership": "BucketOwnerEnforced"}, opts=account.opts(self))
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=self.bucket.bucket,
                                versioning_configuration={"status": "Enabled"}, opts=account.opts(self))
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=self.bucket.bucket, rules=[{
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                            "kms_master_key_id": self.key.arn},
                "bucket_key_enabled": True}], opts=account.opts(self))
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.bucket, rules=[{
                "id": "expire-old-artifact-versions", "status": "Enabled", "filter": {},
                "noncurrent_version_expiration": {"noncurrent_days": 30},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}], opts=account.opts(self))
        # Known in a preview (the name is explicit); users that need the bucket to exist depend on `self.bucket`.
        self.bucket_name = bucket_name
        self.bucket_arn = s3_bucket_arn(bucket_name)
        self.key_arn = self.key.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn,
                               "key_arn": self.key_arn})


@dataclass(frozen=True)
class ArtifactAccessArgs:
    store: ArtifactStore
    tooling_role_arns: Sequence[pulumi.Input[str]]     # pipeline and build roles: use the key
    deploy_role_arns: Sequence[pulumi.Input[str]]      # workload deploy roles: decrypt and read
    roles: Sequence[pulumi.Resource] = ()              # the resources behind the ARNs
    later_tooling_role_arns: Sequence[str] = ()        # tooling roles of other stacks, created after this one


class ArtifactAccess(pulumi.ComponentResource):
    """Key policy (pipeline/build roles use, deploy roles decrypt) and bucket policy (TLS-only, KMS-only
    uploads, deploy roles read), once the roles exist. A component of its own: the store is complete, outputs
    registered, before the roles that need its key ARN are created."""

    def __init__(self, name: str, args: ArtifactAccessArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:ArtifactAccess", name, None, opts)
        store = args.store
        # Both were the store's children: the alias keeps them in place. A replacement would write the new
        # policy, then delete the old one - resetting the key's policy to the default and dropping the bucket's.
        after_roles = store.account.opts(self, depends_on=list(args.roles), aliases=[pulumi.Alias(parent=store)])
        tooling = pulumi.Output.all(*args.tooling_role_arns)
        deploy = pulumi.Output.all(*args.deploy_role_arns)
        key_policy = pulumi.Output.all(tooling, deploy).apply(
            lambda a: iam.to_json(artifact_key_policy(store.admin_role_arn, a[0], a[1],
                                                      args.later_tooling_role_arns)))
        aws.kms.KeyPolicy(f"{store.resource_name}-key-policy", key_id=store.key.id, policy=key_policy,
                          opts=after_roles)
        bucket_policy = deploy.apply(lambda arns: iam.to_json(artifact_bucket_policy(store.bucket_arn, arns)))
        aws.s3.BucketPolicy(f"{store.resource_name}-bucket-policy", bucket=store.bucket.bucket, policy=bucket_policy,
                            opts=after_roles)
        self.register_outputs({})
