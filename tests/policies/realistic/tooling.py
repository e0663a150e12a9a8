"""The tooling-account half of the realistic stack: everything a service's pipeline runs on."""
from __future__ import annotations

import json
from typing import Optional

from preflight.analyzer import secret

from ._base import ACCOUNTS, REGION, Builder, Options, buildspec, doc

STATEFUL = Options(protect=True)


def add_tooling(b: Builder) -> None:
    """Artifact store, registry, build, secrets, notifications and pipeline of one service (tooling account)."""
    for part in (_artifact_store, _registry, _build, _secrets, _pipeline_identity, _pipeline):
        part(b)


def _artifact_store(b: Builder) -> None:
    """KMS key and the artifact bucket with its public access block, encryption, versioning, policy."""
    service, n, t = b.service, b.names, b.tags
    tooling = ACCOUNTS["tooling"]

    key_policy = doc(
        {"Sid": "AccountAdmin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{tooling}:role/pulumi-bootstrap"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": [n.pipeline_role, n.build_role, *n.deploy_role.values()]},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"})
    b.add("aws:kms/key:Key", "artifact-key", "tooling", {
        "description": f"{service} pipeline artifacts", "enableKeyRotation": True, "deletionWindowInDays": 30,
        "keyUsage": "ENCRYPT_DECRYPT", "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "policy": key_policy,
        "tags": t("tooling")}, options=STATEFUL)
    b.add("aws:s3/bucketV2:BucketV2", "artifacts", "tooling",
          {"bucket": n.bucket, "forceDestroy": False, "tags": t("tooling")}, options=STATEFUL)
    b.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "artifacts-public-access", "tooling", {
        "bucket": n.bucket, "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
        "restrictPublicBuckets": True}, deps={"bucket": ["artifacts"]})
    b.add("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
          "artifacts-encryption", "tooling", {"bucket": n.bucket, "rules": [
              {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": n.key_arn},
               "bucketKeyEnabled": True}]}, deps={"bucket": ["artifacts"], "rules": ["artifact-key"]})
    b.add("aws:s3/bucketVersioningV2:BucketVersioningV2", "artifacts-versioning", "tooling",
          {"bucket": n.bucket, "versioningConfiguration": {"status": "Enabled"}}, deps={"bucket": ["artifacts"]})
    b.add("aws:s3/bucketPolicy:BucketPolicy", "artifacts-policy", "tooling", {"bucket": n.bucket, "policy": doc(
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{n.bucket}", f"arn:aws:s3:::{n.bucket}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "KmsOnlyUploads", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{n.bucket}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Sid": "DeployRead", "Effect": "Allow", "Principal": {"AWS": list(n.deploy_role.values())},
         "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": f"arn:aws:s3:::{n.bucket}/*"})},
          deps={"bucket": ["artifacts"]})


def _registry(b: Builder) -> None:
    """ECR repository, lifecycle policy and repository policy."""
    service, n, t = b.service, b.names, b.tags
    staging = ACCOUNTS["staging"]
    b.add("aws:ecr/repository:Repository", "repository", "tooling", {
        "name": service, "imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": n.key_arn}], "forceDelete": False,
        "tags": t("tooling")}, deps={"encryptionConfigurations": ["artifact-key"]}, options=STATEFUL)
    b.add("aws:ecr/lifecyclePolicy:LifecyclePolicy", "repository-lifecycle", "tooling", {
        "repository": service, "policy": json.dumps({"rules": [
            {"rulePriority": 1, "description": "expire untagged images after 7 days",
             "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                           "countNumber": 7}, "action": {"type": "expire"}},
            {"rulePriority": 2, "description": "keep the last 30 release images",
             "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan",
                           "countNumber": 30}, "action": {"type": "expire"}},
            {"rulePriority": 3, "description": "keep the last 100 build images",
             "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
             "action": {"type": "expire"}}]})}, deps={"repository": ["repository"]})
    b.add("aws:ecr/repositoryPolicy:RepositoryPolicy", "repository-policy", "tooling", {
        "repository": service, "policy": doc(
            {"Sid": "PullFromWorkloads", "Effect": "Allow",
             "Principal": {"AWS": [f"arn:aws:iam::{staging}:role/{service}-staging-task-execution", n.exec_role]},
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]})},
          deps={"repository": ["repository"]})


def _build(b: Builder) -> None:
    """CodeBuild project, its role and its log group."""
    service, n, t = b.service, b.names, b.tags
    tooling = ACCOUNTS["tooling"]
    b.add("aws:cloudwatch/logGroup:LogGroup", "build-logs", "tooling", {
        "name": f"/aws/codebuild/{service}", "retentionInDays": 90, "kmsKeyId": n.key_arn, "tags": t("tooling")},
          options=STATEFUL)
    b.add("aws:iam/role:Role", "build-role", "tooling", {
        "name": f"{service}-build", "assumeRolePolicy": doc(
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": tooling}}}), "tags": t("tooling")})
    b.add("aws:iam/rolePolicy:RolePolicy", "build-role-policy", "tooling", {
        "role": f"{service}-build", "name": "build", "policy": doc(
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                           "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
             "Resource": f"arn:aws:ecr:{REGION}:{tooling}:repository/{service}"},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"arn:aws:logs:{REGION}:{tooling}:log-group:/aws/codebuild/{service}:*"},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{n.bucket}/*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": n.key_arn},
            {"Effect": "Allow", "Action": "ssm:GetParameters",
             "Resource": f"arn:aws:ssm:{REGION}:{tooling}:parameter/{service}/*"})},
          deps={"role": ["build-role"]})
    b.add("aws:codebuild/project:Project", "build", "tooling", {
        "name": f"{service}-build", "serviceRole": n.build_role, "encryptionKey": n.key_arn, "buildTimeout": 30,
        "source": {"type": "CODEPIPELINE", "buildspec": buildspec(n.repo_uri)},
        "artifacts": {"type": "CODEPIPELINE", "encryptionDisabled": False},
        "environment": {"computeType": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                        "type": "LINUX_CONTAINER", "privilegedMode": True, "environmentVariables": [
                            {"name": "REPOSITORY_URI", "value": n.repo_uri, "type": "PLAINTEXT"},
                            {"name": "SONAR_TOKEN", "value": f"/{service}/sonar-token", "type": "PARAMETER_STORE"}]},
        "cache": {"type": "LOCAL", "modes": ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"]},
        "logsConfig": {"cloudwatchLogs": {"status": "ENABLED", "groupName": f"/aws/codebuild/{service}"},
                       "s3Logs": {"status": "DISABLED"}},
        "tags": t("tooling")}, deps={"serviceRole": ["build-role"], "encryptionKey": ["artifact-key"],
                                     "logsConfig": ["build-logs"]})


def _secrets(b: Builder) -> None:
    """Parameters and the Secrets Manager secret the services read."""
    service, n, t = b.service, b.names, b.tags
    prod = ACCOUNTS["prod"]
    b.add("aws:ssm/parameter:Parameter", "sonar-token", "tooling", {
        "name": f"/{service}/sonar-token", "type": "SecureString", "keyId": n.key_arn,
        "value": secret("s3cr3t-t0ken"),
        "tags": t("tooling")})
    b.add("aws:ssm/parameter:Parameter", "image-repository", "tooling", {
        "name": f"/{service}/image-repository", "type": "String", "value": n.repo_uri, "tags": t("tooling")})
    b.add("aws:secretsmanager/secret:Secret", "db-credentials", "prod", {
        "name": f"{service}/prod/db", "kmsKeyId": f"arn:aws:kms:{REGION}:{prod}:key/5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b",
        "recoveryWindowInDays": 30, "tags": t("prod")})


def _pipeline_identity(b: Builder) -> None:
    """Notification topic and the pipeline's role and policy."""
    service, n, t = b.service, b.names, b.tags
    tooling = ACCOUNTS["tooling"]
    b.add("aws:sns/topic:Topic", "pipeline-events", "tooling", {
        "name": f"{service}-pipeline-events", "kmsMasterKeyId": n.key_arn, "tags": t("tooling")},
          deps={"kmsMasterKeyId": ["artifact-key"]})
    b.add("aws:sns/topicPolicy:TopicPolicy", "pipeline-events-policy", "tooling", {"arn": n.topic_arn, "policy": doc(
        {"Sid": "Notifications", "Effect": "Allow", "Principal": {"Service": "codestar-notifications.amazonaws.com"},
         "Action": "sns:Publish", "Resource": n.topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": tooling}}})}, deps={"arn": ["pipeline-events"]})
    b.add("aws:iam/role:Role", "pipeline-role", "tooling", {
        "name": f"{service}-pipeline", "assumeRolePolicy": doc(
            {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        "tags": t("tooling")})
    b.add("aws:iam/policy:Policy", "pipeline-policy", "tooling", {"name": f"{service}-pipeline", "policy": doc(
        {"Effect": "Allow", "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
         "Resource": f"arn:aws:codebuild:{REGION}:{tooling}:project/{service}-build"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(n.deploy_role.values())},
        {"Effect": "Allow", "Action": "codestar-connections:UseConnection",
         "Resource": f"arn:aws:codestar-connections:{REGION}:{tooling}:connection/9a8b7c6d"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": n.build_role,
         "Condition": {"StringEquals": {"iam:PassedToService": "codebuild.amazonaws.com"}}}),
        "tags": t("tooling")})
    b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "pipeline-policy-attachment", "tooling", {
        "role": f"{service}-pipeline", "policyArn": f"arn:aws:iam::{tooling}:policy/{service}-pipeline"},
          deps={"role": ["pipeline-role"], "policyArn": ["pipeline-policy"]})


def _action(name: str, category: str, provider: str, run_order: int = 1, role: Optional[str] = None,
            configuration: Optional[dict] = None, inputs=(), outputs=()) -> dict:
    a = {"name": name, "category": category, "owner": "AWS", "provider": provider, "version": "1",
         "runOrder": run_order, "configuration": configuration or {},
         "inputArtifacts": list(inputs), "outputArtifacts": list(outputs)}
    if role:
        a["roleArn"] = role
    return a


def _pipeline(b: Builder) -> None:
    """The V2 pipeline (Source, Build, Staging, IntegrationTest, Approval, Prod) and its notification rule."""
    service, n, tooling = b.service, b.names, ACCOUNTS["tooling"]
    connection = f"arn:aws:codestar-connections:{REGION}:{tooling}:connection/9a8b7c6d"

    def deploy(env: str) -> dict:
        return _action(f"Deploy-{env}", "Deploy", "CodeDeployToECS", role=n.deploy_role[env], inputs=["build"],
                       configuration={"ApplicationName": f"{service}-{env}",
                                      "DeploymentGroupName": f"{service}-{env}",
                                      "TaskDefinitionTemplateArtifact": "build",
                                      "AppSpecTemplateArtifact": "build"})
    stages = [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeStarSourceConnection", outputs=["source"],
                                               configuration={"ConnectionArn": connection,
                                                              "FullRepositoryId": f"example-org/{service}",
                                                              "BranchName": "main", "DetectChanges": "false"})]},
        {"name": "Build", "actions": [_action("Build", "Build", "CodeBuild", inputs=["source"], outputs=["build"],
                                              configuration={"ProjectName": f"{service}-build"})]},
        {"name": "Staging", "actions": [deploy("staging")]},
        {"name": "IntegrationTest", "actions": [_action("IntegrationTest", "Test", "CodeBuild", inputs=["source"],
                                                        configuration={"ProjectName": f"{service}-itest"})]},
        {"name": "Approval", "actions": [{"name": "ApproveProd", "category": "Approval", "owner": "AWS",
                                          "provider": "Manual", "version": "1", "runOrder": 1,
                                          "configuration": {"NotificationArn": n.topic_arn,
                                                            "CustomData": f"Promote {service} to prod"}}]},
        {"name": "Prod", "actions": [deploy("prod")]},
    ]
    b.add("aws:codepipeline/pipeline:Pipeline", "pipeline", "tooling", {
        "name": service, "pipelineType": "V2", "executionMode": "QUEUED", "roleArn": n.pipeline_role,
        "artifactStores": [{"location": n.bucket, "type": "S3", "encryptionKey": {"id": n.key_arn, "type": "KMS"}}],
        "stages": stages,
        "triggers": [{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
            "sourceActionName": "Source", "pushes": [{"branches": {"includes": ["main"]}}]}}],
        "tags": b.tags("tooling")}, deps={"roleArn": ["pipeline-role"], "artifactStores": ["artifacts", "artifact-key"]})
    b.add("aws:codestarnotifications/notificationRule:NotificationRule", "pipeline-notifications", "tooling", {
        "name": f"{service}-pipeline", "detailType": "FULL",
        "resource": f"arn:aws:codepipeline:{REGION}:{tooling}:{service}",
        "eventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed",
                         "codepipeline-pipeline-pipeline-execution-succeeded",
                         "codepipeline-pipeline-manual-approval-needed"],
        "targets": [{"address": n.topic_arn, "type": "SNS"}], "tags": b.tags("tooling")},
          deps={"resource": ["pipeline"], "targets": ["pipeline-events"]})
