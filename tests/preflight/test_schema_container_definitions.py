"""containerDefinitions against botocore's ECS model (shape ContainerDefinition), with the provider's own
decoding (terraform-provider-aws internal/service/ecs/container_definitions.go: encoding/json into
aws-sdk-go-v2 types.ContainerDefinition, at preview) and the API's refusals (RegisterTaskDefinition, at up).
"""
import json

import pytest
from hypothesis import given, settings, strategies as st

from components.documents.container_definitions import (ContainerSpec, container_definition,
                                                        container_definitions_json)
from components.documents.taskdef import TaskTemplate, taskdef_template
from preflight.protocol import UNKNOWN, secret
from preflight.schema.container_definitions import check_container_definitions, check_task_definition_template

PREVIEW_DECODE = "the provider cannot decode it, so pulumi preview refuses it"
UP = "RegisterTaskDefinition refuses it at pulumi up"
DROPPED = "the provider drops it silently, so ECS never sees it"
IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/cicd/orders:sha-9c1d2e3f4a5b6c7d8e9f"
SPEC = ContainerSpec(name="orders", image=IMAGE, port=8080, log_group="/ecs/cicd-prod-orders",
                     region="us-east-1", environment={"LOG_LEVEL": "info", "FEATURE_FLAGS": "a,b"},
                     secrets={"DB_PASSWORD": "arn:aws:ssm:us-east-1:333333333333:parameter/orders/db",
                              "API_TOKEN": "arn:aws:secretsmanager:us-east-1:333333333333:secret:api-AbCdEf"})


def with_change(change):
    container = container_definition(SPEC)
    change(container)
    return json.dumps([container])


def test_the_project_container_definitions_have_no_findings():
    """components/documents/container_definitions.py as EcsBlueGreenService renders it, secrets (valueFrom
    SSM and Secrets Manager ARNs), environment, port mapping, mount point and awslogs included."""
    assert check_container_definitions(container_definitions_json(SPEC)) == []
    assert check_container_definitions(container_definitions_json(ContainerSpec(
        name="catalog", image=IMAGE, port=9000, log_group="/ecs/cicd-staging-catalog",
        region="eu-west-1"))) == []


def test_the_codedeploy_task_definition_template_has_no_findings():
    """components/documents/taskdef.py: the whole template against RegisterTaskDefinitionRequest and its
    containerDefinitions (image <IMAGE1_NAME>) against ContainerDefinition."""
    doc = taskdef_template(TaskTemplate(
        family="cicd-prod-orders", container_name="orders", port=8080, cpu=512, memory=1024,
        execution_role_arn="arn:aws:iam::333333333333:role/cicd-prod-orders-exec",
        task_role_arn="arn:aws:iam::333333333333:role/cicd-prod-orders-task",
        log_group="/ecs/cicd-prod-orders", region="us-east-1"))
    assert check_task_definition_template(doc) == []
    assert check_container_definitions(json.dumps(doc["containerDefinitions"])) == []
    doc["cpu"], doc["Family"] = 512, doc.pop("family")
    assert [p for p, _ in check_task_definition_template(doc)] == ["cpu", "Family", "family"]


def test_a_nested_key_typo_is_dropped_by_the_provider_and_found_with_a_did_you_mean():
    """encoding/json ignores fields the struct lacks: containerPot never reaches ECS."""
    def typo(c):
        c["portMappings"][0]["containerPot"] = c["portMappings"][0].pop("containerPort")
    doc = with_change(typo)
    assert check_container_definitions(doc) == [(
        "[0].portMappings[0].containerPot",
        f"'containerPot' is not a PortMapping member (did you mean 'containerPort'?); {DROPPED}")]


def test_key_case_is_folded_as_encoding_json_does():
    """Go's encoding/json matches field names case-insensitively, so `CPU` is read as cpu."""
    assert check_container_definitions(with_change(lambda c: c.update(CPU=256, Essential=True))) == []


@pytest.mark.parametrize("key, value, message", [
    ("cpu", "256", f'the string "256" where an integer belongs; {PREVIEW_DECODE}'),
    ("cpu", 256.0, f"the number 256.0 where an integer belongs; {PREVIEW_DECODE}"),
    ("memory", 2 ** 31, f"2147483648 is out of the integer range; {PREVIEW_DECODE}"),
    ("essential", "true", f'the string "true" where true|false belongs; {PREVIEW_DECODE}'),
    ("command", "npm start", f'the string "npm start" where an array belongs; {PREVIEW_DECODE}'),
    ("dockerLabels", {"team": 7}, f"the number 7 where a string belongs; {PREVIEW_DECODE}"),
])
def test_a_wrong_json_kind_is_refused_at_preview(key, value, message):
    """The SDK's ContainerDefinition has int32 cpu/memory, *bool essential, []string command and
    map[string]string dockerLabels: a string "256" for cpu fails to decode ("cannot unmarshal string into
    Go struct field ... of type int32"), and the container_definitions ValidateFunc reports it."""
    path = f"[0].{key}.team" if key == "dockerLabels" else f"[0].{key}"
    assert check_container_definitions(with_change(lambda c: c.update({key: value}))) == [(path, message)]


def test_enum_values_are_refused_by_the_api_except_the_one_the_provider_checks():
    """TransportProtocol tcp|udp and LogDriver are enums of the model; the provider passes them through;
    versionConsistency it validates itself (isValidVersionConsistency)."""
    def change(c):
        c["portMappings"][0]["protocol"] = "icmp"
        c["logConfiguration"]["logDriver"] = "syslogg"
        c["versionConsistency"] = "always"
    assert check_container_definitions(with_change(change)) == [
        ("[0].portMappings[0].protocol", f"'icmp' is not one of tcp|udp; {UP}"),
        ("[0].logConfiguration.logDriver",
         f"'syslogg' is not one of json-file|syslog|journald|gelf|fluentd|awslogs|splunk|awsfirelens; {UP}"),
        ("[0].versionConsistency",
         "'always' is not one of enabled|disabled; pulumi preview refuses it (the provider checks it)")]


def test_required_members_of_the_model_and_the_documented_name_and_image():
    """The model requires Secret.name/valueFrom and LogConfiguration.logDriver; ContainerDefinition itself
    has no `required` in the model, but the ECS task definition parameters reference requires name and
    image."""
    def change(c):
        del c["image"]
        del c["logConfiguration"]["logDriver"]
        c["secrets"][0] = {"name": "DB_PASSWORD"}
    assert check_container_definitions(with_change(change)) == [
        ("[0].secrets[0].valueFrom", f"Secret needs valueFrom; {UP}"),
        ("[0].logConfiguration.logDriver", f"LogConfiguration needs logDriver; {UP}"),
        ("[0].image", f"ContainerDefinition needs image; {UP}")]


def test_the_document_itself_not_json_not_an_array_empty_or_an_empty_container():
    assert check_container_definitions('[{"name": "a",}]') == [
        ("", f"not valid JSON (Expecting property name enclosed in double quotes at line 1 column 15); "
             f"{PREVIEW_DECODE}")]
    assert check_container_definitions('[{"name": "a", "cpu": NaN}]')[0][1].startswith("not valid JSON (NaN")
    assert check_container_definitions('{"name": "a"}') == [
        ("", f"an object where a JSON array of container definitions belongs; {PREVIEW_DECODE}")]
    assert check_container_definitions("[]") == [("", f"no container definitions; {UP}")]
    assert check_container_definitions('[{"cpu": 0, "nmae": "a"}]') == [
        ("[0]", "an empty container definition; pulumi preview refuses it (the provider checks it)"),
        ("[0].nmae", f"'nmae' is not a ContainerDefinition member (did you mean 'name'?); {DROPPED}"),
        ("[0].name", f"ContainerDefinition needs name; {UP}"),
        ("[0].image", f"ContainerDefinition needs image; {UP}")]


def test_unknowns_and_non_strings_are_not_checked_and_secrets_are_checked_without_echo():
    assert check_container_definitions(UNKNOWN) == []
    assert check_container_definitions(None) == []
    assert check_container_definitions([{"name": "a"}]) == []
    doc = with_change(lambda c: c["portMappings"][0].update(protocol="icmp", hostPort="8080"))
    assert check_container_definitions(secret(doc)) == [
        ("[0].portMappings[0].hostPort", f"a string where an integer belongs; {PREVIEW_DECODE}"),
        ("[0].portMappings[0].protocol", f"the secret value is not one of tcp|udp; {UP}")]


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4)
JSON = st.recursive(SCALARS,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                        ["name", "image", "cpu", "portMappings", "containerPort", "protocol", "secrets",
                         "valueFrom", "logConfiguration", "options", "healthCheck", "linuxParameters", "x"]),
                        inner, max_size=4), max_leaves=15)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_odd_documents_never_crash(doc):
    for value in (json.dumps(doc), json.dumps([doc]), secret(json.dumps([doc]))):
        assert all(isinstance(p, str) and isinstance(m, str) for p, m in check_container_definitions(value))
    assert all(isinstance(p, str) for p, _ in check_task_definition_template(doc))
