"""Tooling-account policies: pipeline role, build role, artifact key policy, artifact bucket policy,
notification key and topic policies. Plain data in, IAM JSON documents out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from components.documents import iam

KEY_ADMIN_ACTIONS = ("kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
                     "kms:DisableKey", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
                     "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy",
                     "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
                     "kms:UpdateKeyDescription")
KEY_USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
ECR_PUSH_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                    "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                    "ecr:UploadLayerPart")


@dataclass(frozen=True)
class PipelineAccess:
    account_id: str
    region: str
    pipeline_name: str
    artifact_bucket_arn: str
    artifact_key_arn: str
    connection_arn: str
    build_project_arns: Sequence[str]
    deploy_role_arns: Sequence[str]
    approval_topic_arn: str
    topic_key_arn: str


def pipeline_role_policy(a: PipelineAccess) -> dict[str, Any]:
    connection_service = a.connection_arn.split(":")[2]          # codestar-connections | codeconnections
    objects = f"{a.artifact_bucket_arn}/{a.pipeline_name[:20]}/*"  # CodePipeline keys artifacts by its name
    return iam.document([
        iam.statement("ArtifactBucket", ["s3:GetBucketLocation", "s3:GetBucketVersioning"], a.artifact_bucket_arn),
        iam.statement("ArtifactObjects", ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], objects),
        iam.statement("ArtifactKey", KEY_USE_ACTIONS, a.artifact_key_arn),
        iam.statement("UseSourceConnection", f"{connection_service}:UseConnection", a.connection_arn),
        iam.statement("RunBuilds", ["codebuild:BatchGetBuilds", "codebuild:StartBuild"], a.build_project_arns),
        iam.statement("AssumeDeployRoles", "sts:AssumeRole", a.deploy_role_arns),
        iam.statement("NotifyApprovers", "sns:Publish", a.approval_topic_arn),
        iam.statement("EncryptNotifications", ["kms:Decrypt", "kms:GenerateDataKey"], a.topic_key_arn),
    ])


@dataclass(frozen=True)
class BuildAccess:
    log_group_arn: str
    artifact_bucket_arn: str
    artifact_key_arn: str
    artifact_prefix: str                         # pipeline artifacts and build cache live under it
    repository_arn: str = ""                     # image builds push here
    parameter_arns: Sequence[str] = field(default_factory=tuple)
    secret_arns: Sequence[str] = field(default_factory=tuple)
    assume_role_arns: Sequence[str] = field(default_factory=tuple)   # e.g. the staging function's invoker


def build_role_policy(a: BuildAccess) -> dict[str, Any]:
    statements = [
        iam.statement("WriteBuildLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      [a.log_group_arn, f"{a.log_group_arn}:*"]),
        iam.statement("PipelineArtifacts", ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                      f"{a.artifact_bucket_arn}/{a.artifact_prefix}/*"),
        iam.statement("ArtifactBucketLocation", ["s3:GetBucketAcl", "s3:GetBucketLocation"], a.artifact_bucket_arn),
        iam.statement("ArtifactKey", KEY_USE_ACTIONS, a.artifact_key_arn),
    ]
    if a.repository_arn:
        statements += [
            # GetAuthorizationToken has no resource-level permissions in AWS.
            iam.statement("EcrLogin", "ecr:GetAuthorizationToken", "*"),
            iam.statement("PushImages", ECR_PUSH_ACTIONS, a.repository_arn),
        ]
    if a.parameter_arns:
        statements.append(iam.statement("ReadBuildParameters", "ssm:GetParameters", a.parameter_arns))
    if a.secret_arns:
        statements.append(iam.statement("ReadBuildSecrets", "secretsmanager:GetSecretValue", a.secret_arns))
    if a.assume_role_arns:
        statements.append(iam.statement("AssumeTestRoles", "sts:AssumeRole", a.assume_role_arns))
    return iam.document(statements)


def _admin(admin_role_arn: str) -> dict[str, Any]:
    # The bootstrap role Pulumi deploys with administers the key; no account-root grant.
    return {**iam.statement("KeyAdministration", KEY_ADMIN_ACTIONS, "*"), "Principal": {"AWS": admin_role_arn}}


def _grant(sid: str, principals: Sequence[str], actions: Sequence[str], resources: Any = "*") -> dict[str, Any]:
    return {**iam.statement(sid, actions, resources), "Principal": {"AWS": sorted(set(principals))}}


def _later_roles(sid: str, role_arns: Sequence[str], actions: Sequence[str]) -> dict[str, Any]:
    """A grant to roles that may not exist yet: KMS refuses a key policy naming a missing principal, but not an
    aws:PrincipalArn condition. The account (root) principal delegates to IAM, so each role also needs its own
    IAM allow; the condition names the roles exactly."""
    accounts = sorted({arn.split(":")[4] for arn in role_arns})
    return {**iam.statement(sid, actions, "*", conditions={"ArnEquals": {"aws:PrincipalArn": sorted(role_arns)}}),
            "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}}


def artifact_key_policy(admin_role_arn: str, tooling_role_arns: Sequence[str], deploy_role_arns: Sequence[str],
                        later_tooling_role_arns: Sequence[str] = ()) -> dict[str, Any]:
    """`later_tooling_role_arns`: tooling roles other stacks create after this policy (a foundation's service
    stacks' build roles)."""
    statements = [_admin(admin_role_arn), _grant("ToolingRolesUseKey", tooling_role_arns, KEY_USE_ACTIONS)]
    if later_tooling_role_arns:
        statements.append(_later_roles("ServiceStackRolesUseKey", later_tooling_role_arns, KEY_USE_ACTIONS))
    statements.append(_grant("DeployRolesDecryptArtifacts", deploy_role_arns, ["kms:Decrypt", "kms:DescribeKey"]))
    return iam.document(statements)


def artifact_bucket_policy(bucket_arn: str, deploy_role_arns: Sequence[str]) -> dict[str, Any]:
    objects = f"{bucket_arn}/*"
    deny_all = {"Principal": "*", "Effect": "Deny"}
    return iam.document([
        {**iam.statement("DenyInsecureTransport", "s3:*", [bucket_arn, objects],
                         conditions={"Bool": {"aws:SecureTransport": "false"}}), **deny_all},
        {**iam.statement("DenyNonKmsUploads", "s3:PutObject", objects,
                         conditions={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}), **deny_all},
        _grant("DeployRolesReadArtifacts", deploy_role_arns, ["s3:GetObject", "s3:GetObjectVersion"], objects),
    ])


def notification_key_policy(admin_role_arn: str, region: str, publisher_role_arns: Sequence[str]) -> dict[str, Any]:
    via_sns = {"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}}
    service = {**iam.statement("CodeStarNotificationsPublish", ["kms:Decrypt", "kms:GenerateDataKey"], "*",
                               conditions=via_sns),
               "Principal": {"Service": "codestar-notifications.amazonaws.com"}}
    return iam.document([
        _admin(admin_role_arn), service,
        {**_grant("PipelinesPublishApprovals", publisher_role_arns, ["kms:Decrypt", "kms:GenerateDataKey"]),
         "Condition": via_sns},
    ])


def notification_topic_policy(topic_arn: str, account_id: str) -> dict[str, Any]:
    return iam.document([{
        **iam.statement("CodeStarNotificationsPublish", "sns:Publish", topic_arn,
                        conditions={"StringEquals": {"aws:SourceAccount": account_id}}),
        "Principal": {"Service": "codestar-notifications.amazonaws.com"}}])
