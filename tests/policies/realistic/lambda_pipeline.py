"""A second pipeline of the same service, releasing its prod worker function with the CodePipeline Lambda
deploy action (FunctionAlias + canary DeployStrategy + alarms) in both environments, as the platform does."""
from __future__ import annotations

from ._base import ACCOUNTS, REGION, Builder


def _action(name: str, category: str, provider: str, configuration: dict, role: str = "", inputs=(),
            outputs=()) -> dict:
    a = {"name": name, "category": category, "owner": "AWS", "provider": provider, "version": "1", "runOrder": 1,
         "configuration": configuration, "inputArtifacts": list(inputs), "outputArtifacts": list(outputs)}
    return {**a, "roleArn": role} if role else a


def add_lambda_pipeline(b: Builder) -> None:
    service, n, tooling = b.service, b.names, ACCOUNTS["tooling"]
    connection = f"arn:aws:codestar-connections:{REGION}:{tooling}:connection/9a8b7c6d"

    def deploy(env: str) -> dict:
        function = f"{service}-{env}-worker"
        return {"name": env.title(), "actions": [_action("Deploy", "Deploy", "Lambda", role=n.deploy_role[env],
                                                         inputs=["package"], configuration={
            "FunctionName": function, "FunctionAlias": "live", "DeployStrategy": "Canary10Percent5Minutes",
            "Alarms": f"{function}-errors,{function}-throttles"})]}
    stages = [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeStarSourceConnection", outputs=["source"],
                                               configuration={"ConnectionArn": connection,
                                                              "FullRepositoryId": f"example-org/{service}-worker",
                                                              "BranchName": "main"})]},
        {"name": "Build", "actions": [_action("Package", "Build", "CodeBuild", {"ProjectName": f"{service}-build"},
                                              inputs=["source"], outputs=["package"])]},
        deploy("staging"),
        {"name": "Approval", "actions": [_action("ApproveProd", "Approval", "Manual", {
            "NotificationArn": n.topic_arn, "CustomData": f"Promote {service} worker to prod"})]},
        deploy("prod"),
    ]
    b.add("aws:codepipeline/pipeline:Pipeline", "worker-pipeline", "tooling", {
        "name": f"{service}-worker", "pipelineType": "V2", "executionMode": "QUEUED", "roleArn": n.pipeline_role,
        "artifactStores": [{"location": n.bucket, "type": "S3", "encryptionKey": {"id": n.key_arn, "type": "KMS"}}],
        "stages": stages,
        "triggers": [{"providerType": "CodeStarSourceConnection", "gitConfiguration": {
            "sourceActionName": "Source", "pushes": [{"branches": {"includes": ["main"]}}]}}],
        "tags": b.tags("tooling")}, deps={"roleArn": ["pipeline-role"], "artifactStores": ["artifacts", "artifact-key"]})
    b.add("aws:codestarnotifications/notificationRule:NotificationRule", "worker-pipeline-notifications", "tooling", {
        "name": f"{service}-worker-pipeline", "detailType": "FULL",
        "resource": f"arn:aws:codepipeline:{REGION}:{tooling}:{service}-worker",
        "eventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed",
                         "codepipeline-pipeline-manual-approval-needed"],
        "targets": [{"address": n.topic_arn, "type": "SNS"}], "tags": b.tags("tooling")},
          deps={"resource": ["worker-pipeline"], "targets": ["pipeline-events"]})
