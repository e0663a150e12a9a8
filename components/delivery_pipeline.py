"""DeliveryPipeline: CodePipeline V2 per service - Source -> Build -> DeployStaging -> IntegrationTest ->
Approval -> DeployProd, deploy actions running as the target account's deploy role."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import codepipeline_arn
from components.documents import iam
from components.documents.pipeline_policies import PipelineAccess, pipeline_role_policy
from components.pipeline_actions import DeployTarget, action as _action, deploy_action

STAGES = ("Source", "Build", "DeployStaging", "IntegrationTest", "Approval", "DeployProd")
NOTIFIED_EVENTS = ("codepipeline-pipeline-pipeline-execution-failed",
                   "codepipeline-pipeline-pipeline-execution-succeeded",
                   "codepipeline-pipeline-manual-approval-needed")


@dataclass(frozen=True)
class DeliveryPipelineArgs:
    account: Account                          # tooling
    prefix: str
    service: str
    pipeline_name: str
    role_arn: pulumi.Input[str]               # PipelineRole
    role_name: pulumi.Input[str]
    connection_arn: str
    repository: str                           # "org/repo"
    branch: str
    artifact_bucket_name: pulumi.Input[str]
    artifact_bucket_arn: pulumi.Input[str]
    artifact_key_arn: pulumi.Input[str]
    build_project: pulumi.Input[str]          # names
    test_project: pulumi.Input[str]
    build_project_arns: Sequence[pulumi.Input[str]]
    staging: DeployTarget
    prod: DeployTarget
    topic_arn: pulumi.Input[str]
    topic_key_arn: pulumi.Input[str]
    extra_topic_arns: Sequence[str] = ()
    # What the plain-string inputs name (pipeline role, bucket, topic policy, build projects, deploy roles).
    depends_on: Sequence[pulumi.Resource] = ()


def console_url(region: str, pipeline_name: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
            f"{pipeline_name}/view?region={region}")


class DeliveryPipeline(pulumi.ComponentResource):
    def __init__(self, name: str, args: DeliveryPipelineArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(f"{TYPE_PREFIX}:DeliveryPipeline", name, None, opts)
        account = args.account
        after_inputs = list(args.depends_on)
        policy = aws.iam.RolePolicy(f"{name}-policy", role=args.role_name, policy=self._policy(args),
                                    opts=account.opts(self, depends_on=after_inputs))
        pipeline = aws.codepipeline.Pipeline(
            f"{name}-pipeline", name=args.pipeline_name, pipeline_type="V2", execution_mode="QUEUED",
            role_arn=args.role_arn,
            artifact_stores=[{"location": args.artifact_bucket_name, "type": "S3",
                              "encryption_key": {"id": args.artifact_key_arn, "type": "KMS"}}],
            triggers=[{"provider_type": "CodeStarSourceConnection", "git_configuration": {
                "source_action_name": "Source", "pushes": [{"branches": {"includes": [args.branch]}}]}}],
            stages=self._stages(args), tags={"service": args.service},
            opts=account.opts(self, depends_on=[policy, *after_inputs]))
        # Known in a preview (the name is explicit); the rule below depends on the pipeline itself.
        self.pipeline_arn = codepipeline_arn(account.id, account.region, args.pipeline_name)
        targets = [{"address": args.topic_arn, "type": "SNS"}] + \
                  [{"address": arn, "type": "SNS"} for arn in args.extra_topic_arns]
        aws.codestarnotifications.NotificationRule(
            f"{name}-notifications", name=f"{args.pipeline_name}-events", detail_type="FULL",
            event_type_ids=list(NOTIFIED_EVENTS), targets=targets, tags={"service": args.service},
            # From the pipeline's name (an input, so known in a preview) rather than a plain string: the
            # property dependency is how policies join the rule to its pipeline.
            resource=pipeline.name.apply(lambda n: codepipeline_arn(account.id, account.region, n)),
            opts=account.opts(self, depends_on=after_inputs))
        self.pipeline_name = args.pipeline_name
        self.console_url = console_url(account.region, args.pipeline_name)
        self.role_arn = pulumi.Output.from_input(args.role_arn)
        self.register_outputs({"pipeline_name": self.pipeline_name, "pipeline_arn": self.pipeline_arn,
                               "console_url": self.console_url})

    @staticmethod
    def _policy(args: DeliveryPipelineArgs) -> pulumi.Output[str]:
        a = args
        return pulumi.Output.all(a.artifact_bucket_arn, a.artifact_key_arn, a.topic_arn, a.topic_key_arn,
                                 pulumi.Output.all(*a.build_project_arns),
                                 pulumi.Output.all(a.staging.role_arn, a.prod.role_arn)).apply(
            lambda v: iam.to_json(pipeline_role_policy(PipelineAccess(
                account_id=a.account.id, region=a.account.region, pipeline_name=a.pipeline_name,
                artifact_bucket_arn=v[0], artifact_key_arn=v[1], connection_arn=a.connection_arn,
                build_project_arns=v[4], deploy_role_arns=v[5], approval_topic_arn=v[2], topic_key_arn=v[3]))))

    @staticmethod
    def _stages(args: DeliveryPipelineArgs) -> list[dict]:
        source = _action("Source", "Source", "CodeStarSourceConnection", output_artifacts=["source"], configuration={
            "ConnectionArn": args.connection_arn, "FullRepositoryId": args.repository, "BranchName": args.branch,
            "OutputArtifactFormat": "CODE_ZIP"})
        build = _action("Build", "Build", "CodeBuild", input_artifacts=["source"], output_artifacts=["build"],
                        configuration={"ProjectName": args.build_project})
        test = _action("IntegrationTest", "Test", "CodeBuild", input_artifacts=["source"],
                       configuration={"ProjectName": args.test_project})
        approval = _action("ApproveProd", "Approval", "Manual", configuration={
            "NotificationArn": args.topic_arn,
            "CustomData": f"{args.service}: staging deploy and integration tests passed; approve to deploy to prod."})
        actions = (source, build, deploy_action("DeployStaging", args.staging, "build"), test, approval,
                   deploy_action("DeployProd", args.prod, "build"))
        return [{"name": stage, "actions": [action]} for stage, action in zip(STAGES, actions)]
