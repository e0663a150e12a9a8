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


class ArtifactStore(pulumi.ComponentResource):
    """Key (rotation on) + bucket (SSE-KMS, versioned, private). Access is granted once the roles exist:
    KMS and S3 reject policies naming principals that do not exist yet, and the deploy roles need the key
    ARN first, hence `grant_access` instead of constructor arguments."""

    def __init__(self, name: str, args: ArtifactStoreArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:ArtifactStore", name, None, opts)
        self._args = args
        account, keep = args.account, dict(protect=args.protect, retain_on_delete=args.protect)
        self.key = aws.kms.Key(
            f"{name}-key", description=f"{args.prefix} pipeline artifacts", enable_key_rotation=True,
            deletion_window_in_days=30 if args.protect else 7, tags={"purpose": "pipeline-artifacts"},
            opts=account.opts(self, **keep))
        bucket_name = f"{args.prefix}-tooling-artifacts-{account.id}-{account.region}"
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

    def grant_access(self, tooling_role_arns: Sequence[pulumi.Input[str]],
                     deploy_role_arns: Sequence[pulumi.Input[str]], roles: Sequence[pulumi.Resource] = ()) -> None:
        """Key policy (pipeline/build roles use, deploy roles decrypt) and bucket policy (TLS-only,
        KMS-only uploads, deploy roles read). `roles` are the resources behind the ARNs: KMS and S3 reject
        policies naming principals that do not exist yet."""
        account, name = self._args.account, self._name
        after_roles = account.opts(self, depends_on=list(roles))
        tooling = pulumi.Output.all(*tooling_role_arns)
        deploy = pulumi.Output.all(*deploy_role_arns)
        key_policy = pulumi.Output.all(tooling, deploy).apply(
            lambda a: iam.to_json(artifact_key_policy(self._args.admin_role_arn, a[0], a[1])))
        aws.kms.KeyPolicy(f"{name}-key-policy", key_id=self.key.id, policy=key_policy, opts=after_roles)
        bucket_policy = deploy.apply(lambda arns: iam.to_json(artifact_bucket_policy(self.bucket_arn, arns)))
        aws.s3.BucketPolicy(f"{name}-bucket-policy", bucket=self.bucket.bucket, policy=bucket_policy, opts=after_roles)
