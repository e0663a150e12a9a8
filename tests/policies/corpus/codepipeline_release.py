"""Pipelines as programs write them: approvals that notify, deploy roles in the target account, and a
CodeStar notification rule per pipeline."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._codepipeline import PIPELINE

_NOTIFIES = "codepipeline-approval-notifies"
_CROSS = "codepipeline-cross-account-action-role"
_EVENTS = "codepipeline-notifications-configured"
_STAGING_STAGE = 'stage("Staging", deploy("Deploy", STAGING))'
_NOTIFICATIONS = '''\
def notify(resource_name, pipeline_ref, targets, **kwargs):
    return aws.codestarnotifications.NotificationRule(resource_name, resource=pipeline_ref, detail_type="FULL",
        event_type_ids=["codepipeline-pipeline-pipeline-execution-failed",
                        "codepipeline-pipeline-manual-approval-needed"], targets=targets, opts=in_tooling, **kwargs)
'''

VARIANTS = [
    # ---- approvals notify reviewers ----------------------------------------------------------------
    Variant(_NOTIFIES, VIOLATES, "no-configuration", resource="release", program=PIPELINE + f'''\
gate = {{"name": "Approve", "category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}}
pipeline("release", {_STAGING_STAGE}, stage("Approve", gate), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_NOTIFIES, VIOLATES, "custom-data-only", resource="release", program=PIPELINE + f'''\
gate = approval(configuration={{"CustomData": "Promote orders to prod",
                                "ExternalEntityLink": "https://grafana.acme.dev/d/orders"}})
pipeline("release", {_STAGING_STAGE}, stage("Approve", gate), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_NOTIFIES, VIOLATES, "args-class-per-environment", resource="release", program=PIPELINE + '''\
def gate(env):
    return aws.codepipeline.PipelineStageArgs(name=f"Approve{env.title()}", actions=[
        aws.codepipeline.PipelineStageActionArgs(name="Approve", category="Approval", owner="AWS",
            provider="Manual", version="1", configuration={"CustomData": f"Promote to {env}"})])
pipeline("release", gate("staging"), stage("Staging", deploy("Deploy", STAGING)), gate("prod"),
         stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_NOTIFIES, NEAR_MISS, "topic-arn-output", program=PIPELINE + f'''\
topic = aws.sns.Topic("approvals", opts=in_tooling)
gate = approval(configuration={{"NotificationArn": topic.arn, "CustomData": "Promote orders to prod"}})
pipeline("release", {_STAGING_STAGE}, stage("Approve", gate), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_NOTIFIES, NEAR_MISS, "topic-arn-string", program=PIPELINE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)))
'''),

    # ---- deploy roles live in the target account ---------------------------------------------------
    Variant(_CROSS, VIOLATES, "prod-deploy-without-role", resource="release", program=PIPELINE + f'''\
ship = {{**deploy("Deploy", PROD)}}
del ship["role_arn"]
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", ship))
'''),
    Variant(_CROSS, VIOLATES, "staging-deploy-with-tooling-role", resource="release", program=PIPELINE + '''\
pipeline("release", stage("Staging", deploy("Deploy", TOOLING)), stage("Approve", approval()),
         stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_CROSS, VIOLATES, "cloudformation-role-only-in-configuration", resource="release", program=PIPELINE + '''\
stack = {"name": "Infra", "category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1",
         "input_artifacts": ["src"], "configuration": {
             "ActionMode": "CREATE_UPDATE", "StackName": "orders", "TemplatePath": "src::template.yml",
             "RoleArn": f"arn:aws:iam::{STAGING}:role/cfn-exec"}}
pipeline("release", stage("Infra", stack))
'''),
    Variant(_CROSS, VIOLATES, "loop-with-one-shared-role", resource="release", program=PIPELINE + '''\
role = f"arn:aws:iam::{STAGING}:role/orders-deploy"
stages = [stage(env.title(), {**deploy("Deploy", account), "role_arn": role})
          for env, account in [("staging", STAGING), ("prod", PROD)]]
pipeline("release", stages[0], stage("Approve", approval()), stages[1])
'''),
    Variant(_CROSS, NEAR_MISS, "roles-in-target-accounts", program=PIPELINE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_CROSS, NEAR_MISS, "same-account-deploy-without-role", program=PIPELINE + '''\
ship = {**deploy("Deploy", TOOLING)}
del ship["role_arn"]
pipeline("tools-release", stage("Tools", ship))
'''),

    # ---- a notification rule per pipeline ---------------------------------------------------------
    Variant(_EVENTS, VIOLATES, "no-notification-rule", resource="release", program=PIPELINE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_EVENTS, VIOLATES, "chatbot-target-only", resource="release", program=PIPELINE + _NOTIFICATIONS + f'''\
release = pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()),
                   stage("Prod", deploy("Deploy", PROD)))
chat = f"arn:aws:chatbot::{{TOOLING}}:chat-configuration/slack-channel/releases"
notify("release-events", release.arn, [{{"address": chat, "type": "AWSChatbotSlack"}}])
'''),
    Variant(_EVENTS, VIOLATES, "disabled-rule", resource="release", program=PIPELINE + _NOTIFICATIONS + f'''\
topic = aws.sns.Topic("release-events", opts=in_tooling)
release = pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()),
                   stage("Prod", deploy("Deploy", PROD)))
notify("release-events", release.arn, [{{"address": topic.arn}}], status="DISABLED")
'''),
    Variant(_EVENTS, VIOLATES, "rule-for-the-other-pipeline", resource="payments",
            program=PIPELINE + _NOTIFICATIONS + f'''\
topic = aws.sns.Topic("release-events", opts=in_tooling)
pipelines = {{name: pipeline(name, {_STAGING_STAGE}, stage("Approve", approval()),
                             stage("Prod", deploy("Deploy", PROD))) for name in ("orders", "payments")}}
notify("orders-events", pipelines["orders"].arn, [{{"address": topic.arn, "type": "SNS"}}])
'''),
    Variant(_EVENTS, NEAR_MISS, "rule-on-pipeline-arn", program=PIPELINE + _NOTIFICATIONS + f'''\
topic = aws.sns.Topic("release-events", opts=in_tooling)
release = pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()),
                   stage("Prod", deploy("Deploy", PROD)))
notify("release-events", release.arn, [{{"address": topic.arn}}])
'''),
    Variant(_EVENTS, NEAR_MISS, "rule-on-constructed-arn", program=PIPELINE + _NOTIFICATIONS + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)),
         name="orders")
notify("release-events", f"arn:aws:codepipeline:us-east-1:{{TOOLING}}:orders",
       [{{"address": f"arn:aws:sns:us-east-1:{{TOOLING}}:release-events", "type": "SNS"}}])
'''),
]
