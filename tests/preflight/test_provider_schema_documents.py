"""provider-input-schema's checks in preflight's own process: closed value sets and embedded documents.

Closed sets: hashicorp/terraform-provider-aws declares `ValidateDiagFunc: enum.Validate[awstypes.X]()`
(= `validation.StringInSlice(X.Values(), false)`, case-sensitive) on ecs/service.go `launch_type`,
`deployment_controller.type`, `deployment_configuration.strategy`, ecr/repository.go
`image_tag_mutability`, codebuild/project.go `environment.compute_type`/`type`, `cache.modes`,
lambda/function.go `runtime`, codepipeline/codepipeline.go `pipeline_type`; the values are the AWS API
model's enums, read from botocore.
"""
import sys
import types
from types import SimpleNamespace

import pytest

from preflight.schema import documents as documents_mod
from preflight.schema.documents import DocumentChecks
from preflight.schema.provider_enums import CLOSED_SETS, EnumSource

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG, SECRET = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


def resource(type_: str, inputs: dict, name: str = "r"):
    return SimpleNamespace(type=type_, urn=f"urn:pulumi:dev::p::{type_}::{name}", name=name, custom=True,
                           inputs=inputs)


def found(type_: str, inputs: dict) -> list[tuple[str, str]]:
    checks = DocumentChecks().run([resource(type_, inputs)])
    return [(f["path"], f["message"]) for f in checks.findings]


def test_every_closed_set_names_a_botocore_enum():
    source = EnumSource()
    for (_, path), (service, shape) in CLOSED_SETS.items():
        assert source.values(service, shape), (path, service, shape)


def test_a_value_outside_the_providers_closed_set_is_refused_with_a_suggestion():
    assert found("aws:ecr/repository:Repository", {"imageTagMutability": "IMUTABLE"}) == [
        ("imageTagMutability", "'IMUTABLE' is not one the provider accepts (MUTABLE, IMMUTABLE, "
                               "IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION); did you mean 'IMMUTABLE'?")]
    assert found("aws:ecs/service:Service", {"launchType": "fargate", "deploymentController": {"type": "ECS"},
                                             "deploymentConfiguration": {"strategy": "BLUE-GREEN"}}) == [
        ("launchType", "'fargate' is not one the provider accepts (EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES); "
                       "did you mean 'FARGATE'?"),
        ("deploymentConfiguration.strategy", "'BLUE-GREEN' is not one the provider accepts (ROLLING, BLUE_GREEN, "
                                             "LINEAR, CANARY); did you mean 'BLUE_GREEN'?")]
    project = {"environment": {"computeType": "BUILD_GENERAL1_SMALL", "type": "LINUX_CONTAINER"},
               "cache": {"type": "LOCAL", "modes": ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHEE"]}}
    assert [p for p, _ in found("aws:codebuild/project:Project", project)] == ["cache.modes[1]"]
    assert [p for p, _ in found("aws:lambda/function:Function", {"runtime": "python3.99"})] == ["runtime"]


def test_unknowns_secrets_and_absent_keys_in_closed_sets():
    assert found("aws:ecs/service:Service", {"launchType": UNKNOWN, "deploymentController": UNKNOWN}) == []
    assert found("aws:codepipeline/pipeline:Pipeline", {"pipelineType": {SIG: SECRET, "value": "V3"}}) == [
        ("pipelineType", "'V3' is not one the provider accepts (V1, V2)")]
    assert found("aws:lambda/function:Function", {"role": "r"}) == []


def test_without_botocore_the_closed_sets_are_listed_unchecked(monkeypatch):
    monkeypatch.setitem(sys.modules, "botocore.session", None)
    checks = DocumentChecks().run([resource("aws:ecr/repository:Repository", {"imageTagMutability": "X"})])
    assert checks.findings == []
    assert list(checks.unchecked) == ["aws:ecr/repository:Repository (closed value sets)"]
    assert checks.unchecked["aws:ecr/repository:Repository (closed value sets)"].startswith(
        "botocore is not installed (")


@pytest.fixture
def stand_ins(monkeypatch):
    """The document checks' agreed interfaces, as stand-ins: (path relative to the input, message)."""
    seen = {}

    def stages_check(stages):
        seen["stages"] = stages
        return [("[4].actions[0].configuration.DeployStrategy", "not a CodeDeploy strategy")]

    def containers_check(value):
        seen["containerDefinitions"] = value
        return [("[0].portMappings[0].protocl", "unknown key; did you mean 'protocol'?")]

    pipelines = types.ModuleType("preflight.schema.pipeline_actions")
    pipelines.check_pipeline_stages = stages_check
    pipelines.unknown_action_types = lambda stages: ["Custom/Build/Jenkins"]
    containers = types.ModuleType("preflight.schema.container_definitions")
    containers.check_container_definitions = containers_check
    monkeypatch.setitem(sys.modules, "preflight.schema.pipeline_actions", pipelines)
    monkeypatch.setitem(sys.modules, "preflight.schema.container_definitions", containers)
    return seen


def test_document_findings_are_prefixed_with_their_input_key(stand_ins):
    stages = [{"name": "Source"}]
    pipeline = resource("aws:codepipeline/pipeline:Pipeline", {"stages": stages, "pipelineType": "V2"})
    task = resource("aws:ecs/taskDefinition:TaskDefinition", {"containerDefinitions": {SIG: SECRET, "value": "[]"}})
    checks = DocumentChecks().run([pipeline, task, resource("aws:ecs/taskDefinition:TaskDefinition", {})])
    assert [(f["urn"].rsplit("::", 2)[1], f["path"], f["message"]) for f in checks.findings] == [
        ("aws:codepipeline/pipeline:Pipeline", "stages[4].actions[0].configuration.DeployStrategy",
         "not a CodeDeploy strategy"),
        ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions[0].portMappings[0].protocl",
         "unknown key; did you mean 'protocol'?")]
    assert stand_ins == {"stages": stages, "containerDefinitions": "[]"}
    assert checks.unchecked == {"aws:codepipeline/pipeline:Pipeline stages action Custom/Build/Jenkins":
                                "no table entry for this action type"}


def test_an_unknown_document_reaches_its_check_as_the_unknown_sentinel(stand_ins):
    DocumentChecks().run([resource("aws:ecs/taskDefinition:TaskDefinition", {"containerDefinitions": UNKNOWN})])
    assert stand_ins["containerDefinitions"] == UNKNOWN


def test_a_document_check_that_needs_a_missing_package_is_unchecked_not_a_crash(monkeypatch):
    def import_module(name):
        raise ModuleNotFoundError("No module named 'botocore'", name="botocore")

    monkeypatch.setattr(documents_mod.importlib, "import_module", import_module)
    checks = DocumentChecks().run([resource("aws:ecs/taskDefinition:TaskDefinition",
                                            {"containerDefinitions": "[]"})])
    assert checks.findings == []
    assert checks.unchecked == {"aws:ecs/taskDefinition:TaskDefinition containerDefinitions":
                                "preflight.schema.container_definitions cannot be imported: No module named "
                                "'botocore'"}


def test_a_document_module_not_written_yet_is_skipped(monkeypatch):
    monkeypatch.setitem(sys.modules, "preflight.schema.container_definitions", None)
    checks = DocumentChecks().run([resource("aws:ecs/taskDefinition:TaskDefinition",
                                            {"containerDefinitions": "[]"})])
    assert (checks.findings, checks.unchecked) == ([], {})


def test_a_document_check_that_raises_is_unchecked_for_that_input(stand_ins, monkeypatch):
    def broken(value):
        raise ValueError("bad table")

    monkeypatch.setattr(sys.modules["preflight.schema.container_definitions"], "check_container_definitions",
                        broken)
    checks = DocumentChecks().run([resource("aws:ecs/taskDefinition:TaskDefinition",
                                            {"containerDefinitions": "[]"}, name="api")])
    assert checks.unchecked == {"aws:ecs/taskDefinition:TaskDefinition containerDefinitions":
                                "the check failed on api: ValueError: bad table"}


def test_a_v2_only_action_in_a_pipeline_without_pipeline_type_is_refused():
    """aws.codepipeline.Pipeline defaults pipeline_type to V1 (terraform-provider-aws codepipeline.go
    `Default: types.PipelineTypeV1`); the Lambda deploy action runs only in V2 pipelines
    (docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html)."""
    deploy = {"name": "DeployProd", "category": "Deploy", "owner": "AWS", "provider": "Lambda", "version": "1",
              "inputArtifacts": ["build"], "configuration": {"FunctionName": "fn", "FunctionAlias": "live",
                                                             "DeployStrategy": "Canary10Percent5Minutes"}}
    stages = [{"name": "Source", "actions": [{"name": "Source", "category": "Source", "owner": "AWS",
                                              "provider": "S3", "version": "1", "outputArtifacts": ["build"],
                                              "configuration": {"S3Bucket": "b", "S3ObjectKey": "k.zip"}}]},
              {"name": "DeployProd", "actions": [deploy]}]
    v1 = found("aws:codepipeline/pipeline:Pipeline", {"stages": stages})
    assert [p for p, _ in v1] == ["stages[1].actions[0]"] and "V2" in v1[0][1]
    assert found("aws:codepipeline/pipeline:Pipeline", {"stages": stages, "pipelineType": "V2"}) == []
