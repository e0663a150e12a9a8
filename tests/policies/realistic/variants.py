"""Resource types the platform does not create but rules read: the same service's resources spelled
with the other pulumi-aws types (v7 `s3.Bucket` family, separate key policy, replica key, registry
policy, directory bucket), each compliant and joined to its companions."""
from __future__ import annotations

import json

from ._base import ACCOUNTS, REGION, Builder, Options, doc


def add_variants(b: Builder) -> None:
    service, tooling, prod = b.service, ACCOUNTS["tooling"], ACCOUNTS["prod"]
    t = b.tags("tooling")
    key_arn = f"arn:aws:kms:{REGION}:{tooling}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    bucket = f"{service}-build-logs-{tooling}"
    stateful = Options(protect=True)
    b.add("aws:s3/bucket:Bucket", "build-logs-bucket", "tooling",
          {"bucket": bucket, "forceDestroy": False, "tags": t}, options=stateful)
    b.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "build-logs-public-access", "tooling", {
        "bucket": bucket, "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
        "restrictPublicBuckets": True}, deps={"bucket": ["build-logs-bucket"]})
    b.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "build-logs-encryption", "tooling", {"bucket": bucket, "rules": [
              {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn},
               "bucketKeyEnabled": True}]}, deps={"bucket": ["build-logs-bucket"]})
    b.add("aws:s3/bucketVersioning:BucketVersioning", "build-logs-versioning", "tooling",
          {"bucket": bucket, "versioningConfiguration": {"status": "Enabled"}}, deps={"bucket": ["build-logs-bucket"]})
    b.add("aws:s3/bucketPolicy:BucketPolicy", "build-logs-policy", "tooling", {"bucket": bucket, "policy": doc(
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}})}, deps={"bucket": ["build-logs-bucket"]})
    b.add("aws:s3/directoryBucket:DirectoryBucket", "build-cache", "tooling", {
        "bucket": f"{service}-build-cache--euw1-az1--x-s3", "dataRedundancy": "SingleAvailabilityZone",
        "type": "Directory", "forceDestroy": False, "location": {"name": "euw1-az1", "type": "AvailabilityZone"}})
    b.add("aws:kms/keyPolicy:KeyPolicy", "artifact-key-policy", "tooling", {
        "keyId": key_arn, "policy": doc(
            {"Sid": "AccountAdmin", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{tooling}:role/pulumi-bootstrap"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "ViaS3", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": tooling, "kms:ViaService": f"s3.{REGION}.amazonaws.com"}}})},
          deps={"keyId": ["artifact-key"]})
    b.add("aws:kms/replicaKey:ReplicaKey", "artifact-key-replica", "prod", {
        "primaryKeyArn": f"arn:aws:kms:{REGION}:{tooling}:key/mrk-0b1c2d3e4f5061728394a5b6c7d8e9f0",
        "description": f"{service} artifacts (replica)", "deletionWindowInDays": 30, "enabled": True,
        "policy": doc({"Sid": "AccountAdmin", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{prod}:role/pulumi-bootstrap"},
                       "Action": "kms:*", "Resource": "*"}), "tags": b.tags("prod")}, options=stateful)
    b.add("aws:ecr/registryPolicy:RegistryPolicy", "registry-policy", "tooling", {"policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "ReplicateToProd", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{prod}:role/ecr-replication"},
            "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
            "Resource": f"arn:aws:ecr:{REGION}:{tooling}:repository/*"}]})})
    b.add("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "registry-scanning", "tooling", {
        "scanType": "ENHANCED", "rules": [{"scanFrequency": "CONTINUOUS_SCAN",
                                           "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]})


def add_iam_variants(b: Builder) -> None:
    """The other ways pulumi-aws attaches IAM policies: to groups, users, exclusively, or all at once."""
    service, tooling = b.service, ACCOUNTS["tooling"]
    read_only = doc({"Effect": "Allow", "Action": ["codepipeline:GetPipelineState", "codebuild:BatchGetBuilds"],
                     "Resource": [f"arn:aws:codepipeline:{REGION}:{tooling}:{service}",
                                  f"arn:aws:codebuild:{REGION}:{tooling}:project/{service}-build"]})
    custom = f"arn:aws:iam::{tooling}:policy/{service}-pipeline"
    viewer = "arn:aws:iam::aws:policy/AWSCodePipeline_ReadOnlyAccess"
    group, user = f"{service}-release-managers", f"{service}-dashboard"
    b.add("aws:iam/groupPolicy:GroupPolicy", "release-managers-policy", "tooling",
          {"group": group, "name": "pipeline-status", "policy": read_only})
    b.add("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "release-managers-viewer", "tooling",
          {"group": group, "policyArn": viewer})
    b.add("aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", "release-managers-exclusive",
          "tooling", {"groupName": group, "policyArns": [viewer]})
    b.add("aws:iam/userPolicy:UserPolicy", "dashboard-policy", "tooling",
          {"user": user, "name": "pipeline-status", "policy": read_only})
    b.add("aws:iam/userPolicyAttachment:UserPolicyAttachment", "dashboard-viewer", "tooling",
          {"user": user, "policyArn": viewer})
    b.add("aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", "dashboard-exclusive", "tooling",
          {"userName": user, "policyArns": [viewer]})
    b.add("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "pipeline-role-exclusive",
          "tooling", {"roleName": f"{service}-pipeline", "policyArns": [custom]},
          deps={"roleName": ["pipeline-role"], "policyArns": ["pipeline-policy"]})
    b.add("aws:iam/policyAttachment:PolicyAttachment", "pipeline-policy-everywhere", "tooling", {
        "name": f"{service}-pipeline", "policyArn": custom, "roles": [f"{service}-pipeline"], "users": [user],
        "groups": [group]}, deps={"policyArn": ["pipeline-policy"], "roles": ["pipeline-role"]})
