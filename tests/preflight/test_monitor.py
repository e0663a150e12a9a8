"""The recording monitor: engine-exact URNs, options, dependencies and source locations."""
from pathlib import Path

import pytest

from preflight import program, project
from preflight.project import SECRET_PLACEHOLDER
from preflight.monitor import analyzer_wire, build_urn, parse_duration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
P = "urn:pulumi:dev::fixture-violating::"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@pytest.fixture(scope="module")
def recorded():
    run = program.run_program(project.load(FIXTURES / "violating", "dev"), "preview")
    return run.monitor.registrations


def test_nested_component_urns_carry_the_full_parent_type_chain(recorded):
    assert sorted(recorded) == sorted([
        P + "pulumi:pulumi:Stack::fixture-violating-dev",
        P + "pulumi:providers:aws::tooling",
        P + "my:mod:Outer::outer",
        P + "aws:ecr/repository:Repository::orders",
        P + "aws:ssm/parameter:Parameter::db-password",
        P + "my:mod:Outer$my:mod:Inner::inner",
        P + "my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b",
        P + "my:mod:Outer$my:mod:Inner$aws:s3/bucketPolicy:BucketPolicy::bp",
    ])
    bucket = recorded[P + "my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b"]
    assert bucket.parent == P + "my:mod:Outer$my:mod:Inner::inner"
    assert recorded[P + "my:mod:Outer$my:mod:Inner::inner"].parent == P + "my:mod:Outer::outer"
    assert recorded[P + "my:mod:Outer::outer"].parent == P + "pulumi:pulumi:Stack::fixture-violating-dev"


def test_provider_reference_options_and_aliases(recorded):
    bucket = recorded[P + "my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b"]
    assert bucket.provider == P + "pulumi:providers:aws::tooling::" + UNKNOWN
    assert bucket.custom is True
    assert bucket.options["protect"] is True
    assert bucket.options["retainOnDelete"] is True
    assert bucket.options["ignoreChanges"] == ["tags"]
    # pulumi-aws aliases Bucket to its former type; the engine resolves the spec against the parent.
    assert bucket.options["aliases"] == [P + "my:mod:Outer$my:mod:Inner$aws:s3/bucketV2:BucketV2::b"]
    provider = recorded[P + "pulumi:providers:aws::tooling"]
    assert provider.inputs["assumeRoles"] == '[{"roleArn": "arn:aws:iam::111111111111:role/deployer"}]'
    assert provider.options["additionalSecretOutputs"] == ["accessKey", "secretKey", "token"]


def test_inputs_are_wire_form_with_unknowns_secrets_and_auto_names(recorded):
    policy = recorded[P + "my:mod:Outer$my:mod:Inner$aws:s3/bucketPolicy:BucketPolicy::bp"]
    assert policy.inputs == {"policy": UNKNOWN, "bucket": UNKNOWN}
    bucket_urn = P + "my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b"
    assert policy.property_dependencies["bucket"] == [bucket_urn]
    assert policy.dependencies == [bucket_urn]
    param = recorded[P + "aws:ssm/parameter:Parameter::db-password"]
    assert param.inputs["value"] == {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                     "value": SECRET_PLACEHOLDER}
    repo = recorded[P + "aws:ecr/repository:Repository::orders"]
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["name"].startswith("orders-") and len(repo.inputs["name"]) == len("orders-") + 7


def test_source_location_is_the_program_line_that_registered_the_resource(recorded):
    assert recorded[P + "my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b"].source == ("stack_parts.py", 9)
    assert recorded[P + "pulumi:providers:aws::tooling"].source == ("__main__.py", 13)
    assert recorded[P + "aws:ecr/repository:Repository::orders"].source == ("__main__.py", 17)


def test_build_urn_leaves_the_root_stack_out_and_keeps_the_whole_chain():
    stack = "urn:pulumi:prod::proj::pulumi:pulumi:Stack::proj-prod"
    outer = build_urn("prod", "proj", stack, "my:mod:Outer", "o")
    inner = build_urn("prod", "proj", outer, "my:mod:Inner", "i")
    assert outer == "urn:pulumi:prod::proj::my:mod:Outer::o"
    assert build_urn("prod", "proj", inner, "aws:s3/bucket:Bucket", "b") == \
        "urn:pulumi:prod::proj::my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b"


def test_custom_timeouts_are_seconds_like_the_engine():
    assert parse_duration("5m") == 300.0
    assert parse_duration("1h30m") == 5400.0
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("") == 0.0


def test_resource_references_reach_analyzers_as_ids():
    ref = {"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e",
           "urn": P + "aws:kms/key:Key::k", "id": "1234abcd"}
    component = {**ref, "id": ""}
    assert analyzer_wire({"a": [ref], "b": component}) == {"a": ["1234abcd"], "b": P + "aws:kms/key:Key::k"}


REFERENCING_PROGRAM = '''import json
import pulumi
import pulumi_aws as aws
role = aws.iam.Role("r", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
fn = aws.lambda_.Function("f", role=role.arn, runtime="python3.12", handler="a.h", code=pulumi.AssetArchive({}))
aws.lambda_.Permission("p", action="lambda:InvokeFunction", function=fn, principal="apigateway.amazonaws.com")
aws.iam.RolePolicyAttachment("a", role=role, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
'''


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_resources_passed_as_inputs_never_cross_event_loops(tmp_path, mode):
    """A resource given as an input (pulumi/examples aws-py-apigatewayv2-http-api-quickcreate does) once made
    the monitor rebuild it on its own loop: runs failed at random with 'attached to a different loop'."""
    (tmp_path / "Pulumi.yaml").write_text("name: refs\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(REFERENCING_PROGRAM)
    spec = project.load(tmp_path, "dev")
    for _ in range(8):
        regs = {r.name: r for r in program.run_program(spec, mode).monitor.registrations.values()}
    assert regs["p"].inputs["function"] == (regs["f"].id or "04da6b54-80e4-46f7-96ec-b56ff0331ba9")
    assert regs["a"].inputs["role"] == (regs["r"].id or "04da6b54-80e4-46f7-96ec-b56ff0331ba9")


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_a_policy_document_given_as_an_object_is_json_text_as_the_provider_checks_it(tmp_path, mode):
    """pulumi_aws types Role.assume_role_policy as `Input[Union[str, PolicyDocumentArgs]]` in and `Output[str]`
    out: a dict once came back as a dict and the SDK failed ('Unexpected type'); the pack sees the JSON text."""
    (tmp_path / "Pulumi.yaml").write_text("name: docs\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi, pulumi_aws as aws\n"
        "doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'sts:AssumeRole',\n"
        "       'Principal': {'Service': 'lambda.amazonaws.com'}}]}\n"
        "role = aws.iam.Role('r', assume_role_policy=doc, tags={'team': 'a'})\n"
        "pulumi.export('doc', role.assume_role_policy)\n")
    regs = {r.name: r for r in program.run_program(project.load(tmp_path, "dev"), mode).monitor.registrations.values()}
    import json
    assert json.loads(regs["r"].inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"}
    assert regs["r"].inputs["tags"] == {"team": "a"}      # objects typed as objects stay objects
