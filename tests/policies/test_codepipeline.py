"""CodePipeline rules through the analyzer: sources, artifacts, triggers, notifications, cross-account
roles. The approval and staging gates (stack rules) are tested in test_codepipeline_gates.py."""
from tests.policies.conftest import aws_provider, resource, urn

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
NOTIFICATION_RULE = "aws:codestarnotifications/notificationRule:NotificationRule"
TOOLING, STAGING, PROD = "111111111111", "333333333333", "444444444444"
TOOLING_PROVIDER = aws_provider(TOOLING, name="tooling")
CMK = f"arn:aws:kms:eu-west-1:{TOOLING}:key/0d3c1f5e-1111-2222-3333-444455556666"
TOPIC = f"arn:aws:sns:eu-west-1:{TOOLING}:release-approvals"
APPROVAL_GATE = "codepipeline-prod-manual-approval-required"
STAGING_FIRST = "codepipeline-staging-before-prod"
CROSS_ACCOUNT = "codepipeline-cross-account-action-role"
BRANCH_FILTER = "codepipeline-trigger-branch-filtered"
PROD_CONFIG = {APPROVAL_GATE: {"prodAccountIds": [PROD]}, STAGING_FIRST: {"prodAccountIds": [PROD]},
               CROSS_ACCOUNT: {"prodAccountIds": [PROD], "stagingAccountIds": [STAGING]}}


def action(name, category, provider, owner="AWS", role=None, **configuration):
    a = {"name": name, "category": category, "owner": owner, "provider": provider, "version": "1",
         "configuration": configuration}
    if role:
        a["roleArn"] = f"arn:aws:iam::{role}:role/orders-deploy"
    return a


def stage(name, *actions):
    return {"name": name, "actions": list(actions)}


SOURCE = stage("Source", action("Source", "Source", "CodeStarSourceConnection", BranchName="main",
                                FullRepositoryId="acme/orders", ConnectionArn="arn:aws:codeconnections:x"))
BUILD = stage("Build", action("Image", "Build", "CodeBuild", ProjectName="orders-build"))
STAGING_DEPLOY = stage("DeployStaging", action("Deploy", "Deploy", "CodeDeployToECS", role=STAGING))
APPROVAL = stage("Approve", action("Approve", "Approval", "Manual", NotificationArn=TOPIC))
PROD_DEPLOY = stage("DeployProd", action("Deploy", "Deploy", "CodeDeployToECS", role=PROD))


def pipeline(*stages, **props):
    base = {"name": "orders", "pipelineType": "V2", "roleArn": f"arn:aws:iam::{TOOLING}:role/orders-pipeline",
            "artifactStores": [{"location": "orders-artifacts", "type": "S3",
                                "encryptionKey": {"id": CMK, "type": "KMS"}}],
            "stages": list(stages) or [SOURCE, BUILD, STAGING_DEPLOY, APPROVAL, PROD_DEPLOY]}
    return {**base, **props}


def check(pack, props, config=None, name="orders"):
    return pack.check(PIPELINE, props, config=config if config is not None else PROD_CONFIG, name=name,
                      provider=TOOLING_PROVIDER)


# The lesson's pipeline (seed), as the engine sends it: GitHub v1 with an OAuthToken, V1, no CMK.
SEED_PIPELINE = {
    "name": "myapp-pipeline", "roleArn": f"arn:aws:iam::{TOOLING}:role/PipelineRole",
    "artifactStores": [{"type": "S3", "location": "artifact-bucket"}],
    "stages": [
        stage("Source", action("GitHubSource", "Source", "GitHub", owner="ThirdParty", Owner="my-org",
                               Repo="my-app", Branch="main", OAuthToken="ghp_token_from_parameter")),
        stage("Build", action("DockerBuild", "Build", "CodeBuild", ProjectName="myapp-build")),
        stage("ApproveStaging", action("ManualApproval", "Approval", "Manual", NotificationArn=TOPIC)),
        stage("DeployProduction", action("DeployECS", "Deploy", "ECS", ClusterName="c", ServiceName="s")),
    ]}


def test_release_pipeline_passes_every_pipeline_rule(pack):
    r = check(pack, pipeline())
    assert not {p for p in r.policies() if p.startswith("codepipeline-")}


def test_seed_pipeline_github_oauth_v1_source_is_caught(pack):
    r = check(pack, SEED_PIPELINE, config={}, name="myapp-pipeline")
    [d] = r.of("codepipeline-source-no-oauth-v1")
    assert d.enforcement == "mandatory" and d.severity == "high"
    assert '"myapp-pipeline"' in d.message and '"GitHubSource"' in d.message
    assert "GitHub version 1" in d.message and "OAuthToken" in d.message
    assert "CodeStarSourceConnection" in d.message
    assert r.of("codepipeline-pipeline-type-v2") and r.of("codepipeline-artifact-store-kms-cmk")


def test_approval_without_notification_violates(pack):
    silent = stage("Approve", action("Approve", "Approval", "Manual"))
    [d] = check(pack, pipeline(SOURCE, STAGING_DEPLOY, silent, PROD_DEPLOY)).of(
        "codepipeline-approval-notifies")
    assert d.severity == "medium" and 'approval action "Approve"' in d.message
    assert "NotificationArn" in d.message


def test_codecommit_source_violates(pack):
    source = stage("Source", action("Source", "Source", "CodeCommit", RepositoryName="orders",
                                    BranchName="main"))
    [d] = check(pack, pipeline(source, BUILD)).of("codepipeline-source-no-codecommit")
    assert d.severity == "medium" and '"CodeCommit"' in d.message and "CodeStarSourceConnection" in d.message


def test_artifact_store_needs_a_customer_managed_key(pack):
    def stores(key):
        return {"artifactStores": [{"location": "orders-artifacts", "type": "S3",
                                    **({"encryptionKey": {"id": key, "type": "KMS"}} if key else {})}]}
    for key, expected in [(None, "no encryptionKey"), ("alias/aws/s3", "alias 'alias/aws/s3'"),
                          (f"arn:aws:kms:eu-west-1:{TOOLING}:alias/pipeline", "by alias")]:
        [d] = check(pack, pipeline(**stores(key))).of("codepipeline-artifact-store-kms-cmk")
        assert d.severity == "high" and "'orders-artifacts'" in d.message and expected in d.message
    assert not check(pack, pipeline(**stores("0d3c1f5e-1111-2222-3333-444455556666"))).of(
        "codepipeline-artifact-store-kms-cmk")


def test_v1_pipeline_violates(pack):
    [d] = check(pack, pipeline(pipelineType="V1")).of("codepipeline-pipeline-type-v2")
    assert d.severity == "medium" and "'V1'" in d.message and '"V2"' in d.message
    [unset] = check(pack, {k: v for k, v in pipeline().items() if k != "pipelineType"}).of(
        "codepipeline-pipeline-type-v2")
    assert "defaults to" in unset.message


def trigger(**push):
    return {"providerType": "CodeStarSourceConnection",
            "gitConfiguration": {"sourceActionName": "Source", "pushes": [push]}}


def test_trigger_on_every_branch_violates(pack):
    for push, expected in [({"branches": {"includes": ["**"]}}, "includes branches ['**']"),
                           ({"filePaths": {"includes": ["src/**"]}}, "no branches.includes")]:
        [d] = check(pack, pipeline(triggers=[trigger(**push)])).of(BRANCH_FILTER)
        assert d.severity == "low" and "trigger 0" in d.message and expected in d.message


def test_trigger_filtered_by_branch_or_tag_passes(pack):
    for push in ({"branches": {"includes": ["main", "release/*"]}}, {"tags": {"includes": ["v*"]}}):
        assert not check(pack, pipeline(triggers=[trigger(**push)])).of(BRANCH_FILTER)


def test_no_triggers_relies_on_the_source_branch(pack):
    assert not check(pack, pipeline()).of(BRANCH_FILTER)
    unbranched = stage("Source", action("Source", "Source", "CodeStarSourceConnection",
                                        FullRepositoryId="acme/orders"))
    [d] = check(pack, pipeline(unbranched, BUILD)).of(BRANCH_FILTER)
    assert "no BranchName" in d.message and "no triggers" in d.message
    # A V1 pipeline has no trigger filters to set: the V2 rule reports it instead.
    assert not check(pack, pipeline(unbranched, BUILD, pipelineType="V1")).of(BRANCH_FILTER)


def test_cross_account_deploy_without_role_violates(pack):
    roleless = stage("DeployProd", action("Deploy", "Deploy", "CodeDeployToECS"))
    [d] = check(pack, pipeline(SOURCE, STAGING_DEPLOY, APPROVAL, roleless)).of(
        CROSS_ACCOUNT)
    assert d.severity == "medium" and f"targets account {PROD}" in d.message
    assert f"pipeline role of account {TOOLING}" in d.message


def test_cross_account_deploy_with_role_in_the_wrong_account_violates(pack):
    wrong = stage("DeployStaging", action("Deploy", "Deploy", "CodeDeployToECS", role=TOOLING))
    [d] = check(pack, pipeline(SOURCE, wrong)).of(CROSS_ACCOUNT)
    assert f"targets account {STAGING}" in d.message and f"is in account {TOOLING}" in d.message


def test_cross_account_target_from_action_configuration(pack):
    stack_role = f"arn:aws:iam::{STAGING}:role/cfn-exec"
    cfn = stage("Infra", action("DeployStack", "Deploy", "CloudFormation", RoleArn=stack_role, StackName="s"))
    [d] = check(pack, pipeline(SOURCE, cfn), config={}).of(CROSS_ACCOUNT)
    assert f"targets account {STAGING}" in d.message and "no roleArn" in d.message
    fixed = stage("Infra", action("DeployStack", "Deploy", "CloudFormation", role=STAGING,
                                  RoleArn=stack_role))
    assert not check(pack, pipeline(SOURCE, fixed), config={}).of(CROSS_ACCOUNT)


def notification_rule(name="orders-events", targets=None, deps=True, **props):
    body = {"name": name, "detailType": "FULL",
            "eventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed"],
            "resource": f"arn:aws:codepipeline:eu-west-1:{TOOLING}:orders",
            "targets": targets if targets is not None else [{"address": TOPIC, "type": "SNS"}], **props}
    return resource(NOTIFICATION_RULE, body, name=name,
                    property_dependencies={"resource": [urn(PIPELINE, "orders")]} if deps else None)


def test_pipeline_with_sns_notification_rule_passes(pack):
    orders = resource(PIPELINE, pipeline(), name="orders")
    for rule in (notification_rule(), notification_rule(deps=False)):  # joined by dependency, then by ARN
        assert not pack.analyze_stack([orders, rule]).of("codepipeline-notifications-configured")


def test_pipeline_without_sns_notification_violates(pack):
    orders = resource(PIPELINE, pipeline(), name="orders")
    chatbot = [{"address": "arn:aws:chatbot::1:chat-configuration/slack-channel/x",
                "type": "AWSChatbotSlack"}]
    for others in ([], [notification_rule(targets=chatbot)], [notification_rule(status="DISABLED")]):
        [d] = pack.analyze_stack([orders, *others]).of("codepipeline-notifications-configured")
        assert d.urn == urn(PIPELINE, "orders") and d.severity == "medium"
        assert '"orders"' in d.message and "SNS" in d.message


def test_notification_join_runs_in_a_first_preview(pack):
    from preflight.analyzer import UNKNOWN
    orders = resource(PIPELINE, {**pipeline(), "arn": UNKNOWN}, name="orders")
    rule = notification_rule(resource=UNKNOWN)
    result = pack.analyze_stack([orders, rule])
    assert not result.of("codepipeline-notifications-configured")
    [d] = pack.analyze_stack([orders]).of("codepipeline-notifications-configured")
    assert "can't be known" not in d.message and '"orders"' in d.message


def test_approval_topic_unknown_in_preview_still_notifies(pack):
    """A topic created with the pipeline has an unknown ARN in a first preview: the key decides."""
    from preflight.analyzer import UNKNOWN
    gate = stage("Approve", action("Approve", "Approval", "Manual", NotificationArn=UNKNOWN))
    r = check(pack, pipeline(SOURCE, STAGING_DEPLOY, gate, PROD_DEPLOY))
    assert not r.of("codepipeline-approval-notifies")
    assert not [d for d in r.diagnostics if "can't be known" in d.message and "approval-notifies" in d.policy]


def test_notification_target_topic_unknown_in_preview_is_sns(pack):
    from preflight.analyzer import UNKNOWN
    orders = resource(PIPELINE, pipeline(), name="orders")
    rule = notification_rule(targets=[{"address": UNKNOWN}])
    result = pack.analyze_stack([orders, rule])
    assert not result.of("codepipeline-notifications-configured")
    chatbot = notification_rule(targets=[{"address": UNKNOWN, "type": "AWSChatbotSlack"}])
    [d] = pack.analyze_stack([orders, chatbot]).of("codepipeline-notifications-configured")
    assert "can't be known" not in d.message
