"""Action configuration against the CodePipeline action reference (preflight/schema/pipeline_actions.json).

Pages: https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-<Type>.html for
CodestarConnectionSource, CodeBuild, ECS, ECSbluegreen, CodeDeploy, LambdaDeploy, Lambda, Commands,
CloudFormation, S3, S3Deploy, ECR; manual approval: .../approvals-action-add.html.
"""
import copy
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from preflight import program, project
from preflight.protocol import UNKNOWN, secret
from preflight.schema.pipeline_actions import check_pipeline_stages, check_pipeline_type, unknown_action_types
from tests.prod_layout import run_layout

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = "aws:codepipeline/pipeline:Pipeline"


def act(category, provider, configuration=None, owner="AWS", **extra):
    return {"name": "A", "category": category, "owner": owner, "provider": provider, "version": "1",
            "configuration": configuration, **extra}


def stages(*actions):
    return [{"name": f"S{i}", "actions": [a]} for i, a in enumerate(actions)]


def lambda_deploy(**config):
    """The V2 Lambda deploy action as action-reference-LambdaDeploy.html declares it."""
    return act("Deploy", "Lambda", {"FunctionName": "cicd-prod-notifier", "FunctionAlias": "live",
                                    "DeployStrategy": "Canary10Percent5Minutes",
                                    "Alarms": "cicd-prod-notifier-errors,cicd-prod-notifier-throttles",
                                    **config}, inputArtifacts=["build"])


def short(found):
    """Findings without the doc URL each message ends with."""
    return [(path, message.split(" (http")[0]) for path, message in found]


@pytest.fixture(scope="module")
def platform_pipelines():
    """The pipelines of the dev monolith and of the prod layout (each in a service stack reading its foundation)."""
    found = {}
    runs = [program.run_program(project.load(ROOT, "dev"), "preview")]
    runs += [run for _, run in run_layout("preview")]
    for run in runs:
        found.update({r.urn: r.inputs for r in run.monitor.registrations.values() if r.type == PIPELINE})
    return found


def test_the_platform_pipelines_have_no_findings_and_every_action_type_is_known(platform_pipelines):
    """Source/CodeStarSourceConnection, Build+Test/CodeBuild, Deploy/ECS|CodeDeployToECS, the Lambda deploy
    (Deploy/Lambda, formerly Compute/Commands), Approval/Manual as components/delivery_pipeline.py declares
    them, recorded by a preview of the dev stack and of the prod layout."""
    assert len(platform_pipelines) == 6
    for inputs in platform_pipelines.values():
        assert check_pipeline_stages(inputs["stages"]) == []
        assert unknown_action_types(inputs["stages"]) == []
        assert check_pipeline_type(inputs["pipelineType"], inputs["stages"]) == []
    providers = {a["provider"] for i in platform_pipelines.values() for s in i["stages"]
                 for a in s["actions"]}
    lambda_deploys = providers & {"Lambda", "Commands"}
    assert providers - lambda_deploys == {"CodeStarSourceConnection", "CodeBuild", "ECS", "CodeDeployToECS",
                                          "Manual"}
    assert len(lambda_deploys) == 1


def test_a_key_typo_is_found_at_its_path_with_a_did_you_mean(platform_pipelines):
    """action-reference-CodeBuild.html: ProjectName (required), case-sensitive."""
    doc = copy.deepcopy(next(iter(platform_pipelines.values()))["stages"])
    doc[1]["actions"][0]["configuration"] = {"ProjectNam": "cicd-tooling-orders-image"}
    assert check_pipeline_stages(doc) == [
        ("[1].actions[0].configuration.ProjectNam",
         "'ProjectNam' is not a configuration key of the Build action CodeBuild; did you mean 'ProjectName'? "
         "(https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html)"),
        ("[1].actions[0].configuration.ProjectName",
         "the Build action CodeBuild needs ProjectName "
         "(https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html)")]
    doc[1]["actions"][0]["configuration"] = {"projectName": "x"}
    assert "did you mean 'ProjectName'?" in check_pipeline_stages(doc)[0][1]


def test_a_correct_lambda_deploy_action_passes_and_its_function_name_is_required():
    """action-reference-LambdaDeploy.html: FunctionName required; FunctionAlias, PublishedTargetVersion,
    DeployStrategy (default AllAtOnce), Alarms optional."""
    assert check_pipeline_stages(stages(lambda_deploy())) == []
    assert check_pipeline_stages(stages(lambda_deploy(DeployStrategy="Linear10PercentEvery1Minute"))) == []
    assert check_pipeline_stages(stages(lambda_deploy(DeployStrategy="AllAtOnce"))) == []
    missing = lambda_deploy()
    del missing["configuration"]["FunctionName"]
    assert check_pipeline_stages(stages(act("Source", "ECR", {"RepositoryName": "r"}), missing)) == [
        ("[1].actions[0].configuration.FunctionName",
         "the Deploy action Lambda needs FunctionName "
         "(https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html)")]


@pytest.mark.parametrize("strategy, problem", [
    ("Canary10Percent", "is not AllAtOnce, Canary<N>Percent<M>Minutes or Linear<N>PercentEvery<M>Minutes"),
    ("canary10percent5minutes", "is not AllAtOnce, Canary<N>Percent<M>Minutes"),
    ("Canary0Percent5Minutes", "needs a percentage of 1-100 and at least one minute"),
    ("Canary10Percent2881Minutes", "waits 2881 minutes in all; the maximum is 2 days"),
    ("Linear1PercentEvery60Minutes", "waits 5940 minutes in all; the maximum is 2 days"),
])
def test_deploy_strategy_follows_the_documented_formats_and_two_day_limit(strategy, problem):
    """action-reference-LambdaDeploy.html, DeployStrategy: AllAtOnce, Canary10Percent5Minutes,
    Linear10PercentEvery1Minute (percent and minutes may change); maximum total wait time is 2 days."""
    [(path, message)] = check_pipeline_stages(stages(lambda_deploy(DeployStrategy=strategy)))
    assert path == "[0].actions[0].configuration.DeployStrategy"
    assert message.startswith(f"DeployStrategy {strategy!r} {problem}")


def test_deploy_strategy_and_target_version_need_an_alias_and_a_version_needs_an_input():
    """action-reference-LambdaDeploy.html: without FunctionAlias 'the deploy strategy and target version
    options are not available'; PublishedTargetVersion is 'required if no input artifact is provided'."""
    no_alias = lambda_deploy(PublishedTargetVersion="#{variables.version}")
    del no_alias["configuration"]["FunctionAlias"]
    assert short(check_pipeline_stages(stages(no_alias))) == [
        ("[0].actions[0].configuration.PublishedTargetVersion",
         "PublishedTargetVersion is only available with FunctionAlias"),
        ("[0].actions[0].configuration.DeployStrategy",
         "DeployStrategy is only available with FunctionAlias")]
    no_input = lambda_deploy()
    no_input["inputArtifacts"] = []
    assert [p for p, _ in check_pipeline_stages(stages(no_input))] == [
        "[0].actions[0].configuration.PublishedTargetVersion"]


def test_enum_values_are_exact_and_variables_are_not_violations():
    """action-reference-CodestarConnectionSource.html: OutputArtifactFormat CODEBUILD_CLONE_REF | CODE_ZIP;
    DetectChanges true | false."""
    source = {"ConnectionArn": "arn", "FullRepositoryId": "o/r", "BranchName": "main"}
    found = check_pipeline_stages(stages(act("Source", "CodeStarSourceConnection", {
        **source, "OutputArtifactFormat": "ZIP", "DetectChanges": "yes"})))
    assert short(found) == [
        ("[0].actions[0].configuration.OutputArtifactFormat",
         "OutputArtifactFormat 'ZIP' is not one of CODE_ZIP|CODEBUILD_CLONE_REF"),
        ("[0].actions[0].configuration.DetectChanges", "DetectChanges 'yes' is not true|false")]
    assert check_pipeline_stages(stages(act("Source", "CodeStarSourceConnection", {
        **source, "BranchName": "#{SourceVariables.BranchName}",
        "OutputArtifactFormat": "#{variables.format}", "DetectChanges": "False"}))) == []


def test_unknown_values_skip_value_checks_but_keys_still_count_and_secrets_are_unwrapped():
    """Preview leaves values unknown; a secret value is checked without being echoed."""
    config = {"ClusterName": UNKNOWN, "ServiceName": secret("svc"), "DeploymentTimeout": UNKNOWN,
              "Filename": UNKNOWN}
    assert short(check_pipeline_stages(stages(act("Deploy", "ECS", config)))) == [
        ("[0].actions[0].configuration.Filename",
         "'Filename' is not a configuration key of the Deploy action ECS; did you mean 'FileName'?")]
    wrapped = secret({"ClusterName": "c", "ServiceName": "s", "DeploymentTimeout": secret("sixty")})
    assert short(check_pipeline_stages(stages(act("Deploy", "ECS", wrapped)))) == [
        ("[0].actions[0].configuration.DeploymentTimeout",
         "DeploymentTimeout the secret value is not a whole number of minutes")]
    assert check_pipeline_stages(stages(act("Deploy", "ECS", UNKNOWN))) == []
    assert check_pipeline_stages(secret(stages(act("Deploy", "ECS", {"ClusterName": "c"}))))[0][0] == \
        "[0].actions[0].configuration.ServiceName"


def test_conditional_requirements_and_formats_of_cloudformation_s3_and_codebuild():
    """action-reference-CloudFormation.html (ActionMode, ChangeSetName/RoleArn/TemplatePath by mode,
    Capabilities comma without spaces), action-reference-S3Deploy.html (ObjectKey when Extract is false),
    action-reference-CodeBuild.html (CombineArtifacts needs BatchEnabled; EnvironmentVariables JSON)."""
    cfn = act("Deploy", "CloudFormation", {"ActionMode": "CHANGE_SET_REPLACE", "StackName": "s",
                                           "Capabilities": "CAPABILITY_IAM, CAPABILITY_AUTO_EXPAND",
                                           "ParameterOverrides": "[1]"})
    s3 = act("Deploy", "S3", {"BucketName": "b", "Extract": "false"})
    variables = '[{"name": "A", "value": "1", "type": "SECRET"}]'
    build = act("Build", "CodeBuild", {"ProjectName": "p", "CombineArtifacts": "true",
                                       "EnvironmentVariables": variables})
    assert short(check_pipeline_stages(stages(cfn, s3, build))) == [
        ("[0].actions[0].configuration.Capabilities",
         "Capabilities 'CAPABILITY_IAM, CAPABILITY_AUTO_EXPAND' is not a comma-separated (no spaces) list of "
         "CAPABILITY_IAM|CAPABILITY_NAMED_IAM|CAPABILITY_AUTO_EXPAND"),
        ("[0].actions[0].configuration.ChangeSetName",
         "the Deploy action CloudFormation needs ChangeSetName when ActionMode is CHANGE_SET_REPLACE"),
        ("[0].actions[0].configuration.RoleArn",
         "the Deploy action CloudFormation needs RoleArn when ActionMode is CHANGE_SET_REPLACE"),
        ("[0].actions[0].configuration.TemplatePath",
         "the Deploy action CloudFormation needs TemplatePath when ActionMode is CHANGE_SET_REPLACE"),
        ("[0].actions[0].configuration.ParameterOverrides", "ParameterOverrides '[1]' is not a JSON object"),
        ("[1].actions[0].configuration.ObjectKey",
         "the Deploy action S3 needs ObjectKey when Extract is false"),
        ("[2].actions[0].configuration.CombineArtifacts", "CombineArtifacts is only available with "
                                                          "BatchEnabled = true"),
        ("[2].actions[0].configuration.EnvironmentVariables",
         f"EnvironmentVariables {variables!r} has an entry that "
         "is not {name, value, type: PLAINTEXT|PARAMETER_STORE|SECRETS_MANAGER}")]


def test_commands_action_needs_single_line_commands_and_runs_only_in_v2():
    """action-reference-Commands.html: Compute/Commands, V2 only, commands required, single-line;
    EnvironmentType/ComputeType in configuration. API ActionDeclaration: 1-50 commands of 1-1000 chars."""
    ok = act("Compute", "Commands", {"ComputeType": "BUILD_GENERAL1_MEDIUM"}, commands=["make test"])
    assert check_pipeline_stages(stages(ok)) == []
    bad = act("Compute", "Commands", {"ComputeTyp": "BUILD_GENERAL1_SMALL"}, commands=["echo a\necho b", ""])
    assert short(check_pipeline_stages(stages(act("Compute", "Commands"), bad))) == [
        ("[0].actions[0].commands",
         "the Compute action Commands needs commands (1-50 single-line shell commands)"),
        ("[1].actions[0].configuration.ComputeTyp", "'ComputeTyp' is not a configuration key of the Compute "
                                                     "action Commands; did you mean 'ComputeType'?"),
        ("[1].actions[0].commands[0]", "multi-line commands are not supported; use one line each"),
        ("[1].actions[0].commands[1]", "a command is 1-1000 characters, not 0")]
    assert [p for p, _ in check_pipeline_type("V1", stages(ok, lambda_deploy()))] == ["[0].actions[0]",
                                                                                      "[1].actions[0]"]
    assert check_pipeline_type(None, stages(ok))[0][1].startswith(
        "the Compute action Commands runs only in V2 pipelines; pipelineType is V1")
    assert check_pipeline_type("V2", stages(ok, lambda_deploy())) == []
    assert check_pipeline_type(UNKNOWN, stages(ok)) == []


def test_impossible_types_are_findings_and_untabled_types_are_listed_not_judged():
    """Categories and owners are the API's ActionTypeId enums; a tabled provider exists only in its
    documented categories (CodeBuild: Build or Test; S3: Source or Deploy; Lambda: Deploy or Invoke)."""
    found = check_pipeline_stages(stages(act("Build", "ECS", {}), act("Deploy", "CodeBuild", {}),
                                         act("Package", "CodeBuild"), act("Build", "X", owner="Amazon")))
    assert found == [
        ("[0].actions[0].category", "there is no Build action with provider ECS (AWS has it as Deploy)"),
        ("[1].actions[0].category",
         "there is no Deploy action with provider CodeBuild (AWS has it as Build|Test)"),
        ("[2].actions[0].category", "category 'Package' is not one of "
                                    "Source|Build|Deploy|Test|Invoke|Approval|Compute"),
        ("[3].actions[0].owner", "owner 'Amazon' is not one of AWS|ThirdParty|Custom")]
    others = stages(act("Build", "Jenkins", {"Anything": "x"}, owner="Custom"),
                    act("Invoke", "StepFunctions", {"StateMachineArn": "arn"}),
                    act("Invoke", "StepFunctions"), act("Deploy", UNKNOWN, {"Typo": "x"}),
                    act("Build", "CodeBuild", {"ProjectName": "p"}, version="2"))
    assert unknown_action_types(others) == ["Custom/Build/Jenkins", "AWS/Invoke/StepFunctions",
                                            "AWS/Deploy/?"]
    assert check_pipeline_stages(others) == [
        ("[4].actions[0].version", "the Build action CodeBuild has version 1 only, not '2' (https://docs.aws."
                                   "amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html)")]


def test_a_configuration_value_over_1000_characters_is_refused():
    """API ActionConfigurationValue: 1-1000 characters."""
    [(path, message)] = check_pipeline_stages(stages(act("Approval", "Manual", {"CustomData": "x" * 1001})))
    assert path == "[0].actions[0].configuration.CustomData"
    assert "is 1001 characters; CodePipeline takes at most 1000" in message


ODD = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.sampled_from(
    [UNKNOWN, "AWS", "Deploy", "Lambda", "CodeBuild", "Compute", "Commands", "ProjectName", "FunctionName"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["name", "actions", "category", "owner", "provider", "version", "configuration", "commands",
         "inputArtifacts", "value", "ProjectName", "DeployStrategy", "FunctionAlias", "Extract"]), inner,
        max_size=5) | inner.map(secret), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(ODD)
def test_odd_shapes_never_crash(value):
    """None, non-dict actions, non-string values, secrets and unknowns anywhere: findings, never an error."""
    for found in (check_pipeline_stages(value), check_pipeline_type("V1", value)):
        assert all(isinstance(p, str) and isinstance(m, str) for p, m in found)
    assert all(isinstance(n, str) for n in unknown_action_types(value))
    found = check_pipeline_stages(stages(lambda_deploy(FunctionName=value)))
    assert {p for p, _ in found} <= {"[0].actions[0].configuration.FunctionName"}
