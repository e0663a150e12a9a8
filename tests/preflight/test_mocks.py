"""Preview leaves computed outputs unknown; up fabricates them in the owning account; invokes answer offline."""
import json
from pathlib import Path

from pulumi.output import Unknown
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from preflight import program, project
from preflight.fabricate import Place
from preflight.mocks import PreflightMocks, place_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROD_REF = "urn:pulumi:prod::p::pulumi:providers:aws::prod::abc"
PROVIDERS = {PROD_REF: {"region": "eu-central-1",
                        "assumeRoles": json.dumps([{"roleArn": "arn:aws:iam::333333333333:role/bootstrap",
                                                    "sessionName": "s"}])}}


def mocks(mode="up", config=None):
    return PreflightMocks(mode, config or {"region": "us-west-2"}, provider_inputs=PROVIDERS.get)


def resource(typ, name, inputs, provider=PROD_REF):
    args = MockResourceArgs(typ=typ, name=name, inputs=inputs, provider=provider, custom=True)
    args.urn = f"urn:pulumi:prod::p::{typ}::{name}"
    return args


def test_place_comes_from_the_assume_role_arn_then_allowed_accounts_then_fallback():
    fallback = Place("123456789012", "us-east-1")
    assert place_of(PROVIDERS[PROD_REF], fallback) == Place("333333333333", "eu-central-1")
    assert place_of({"allowedAccountIds": '["222222222222"]'}, fallback) == Place("222222222222", "us-east-1")
    assert place_of({"region": "cn-north-1"}, fallback) == Place("123456789012", "cn-north-1", "aws-cn")
    assert place_of({}, fallback) == fallback


def test_up_mode_fabricates_ids_and_arns_in_the_provider_account_and_region():
    m = mocks()
    rid, state = m.new_resource(resource("aws:ecr/repository:Repository", "orders", {"name": "orders"}))
    assert rid == "orders"
    assert state["arn"] == "arn:aws:ecr:eu-central-1:333333333333:repository/orders"
    assert state["repositoryUrl"] == "333333333333.dkr.ecr.eu-central-1.amazonaws.com/orders"
    rid, state = m.new_resource(resource("aws:iam/role:Role", "deploy", {}))
    assert state["name"].startswith("deploy-") and rid == state["name"]
    assert state["arn"] == f"arn:aws:iam::333333333333:role/{state['name']}"
    rid, state = m.new_resource(resource("aws:kms/key:Key", "artifacts", {}))
    assert state["arn"] == f"arn:aws:kms:eu-central-1:333333333333:key/{rid}" and state["keyId"] == rid


def test_default_provider_resources_use_the_config_account():
    m = mocks(config={"region": "ap-southeast-2", "allowedAccountIds": '["444444444444"]'})
    _, state = m.new_resource(resource("aws:sns/topic:Topic", "alerts", {"name": "alerts"}, provider=""))
    assert state["arn"] == "arn:aws:sns:ap-southeast-2:444444444444:alerts"


def test_preview_mode_returns_no_id_and_no_computed_outputs_but_auto_names():
    rid, state = mocks("preview").new_resource(resource("aws:s3/bucket:Bucket", "Artifacts", {"tags": {"a": "b"}}))
    assert rid == ""
    assert isinstance(state["arn"], Unknown) and "id" not in state
    assert state["bucket"].startswith("artifacts-")
    assert state["tagsAll"] == {"a": "b"}


def test_lookup_invokes_answer_from_the_invoking_provider_and_config():
    m = mocks()
    ident = m.call(MockCallArgs("aws:index/getCallerIdentity:getCallerIdentity", {}, PROD_REF))
    assert ident["accountId"] == "333333333333"
    assert ident["arn"] == "arn:aws:sts::333333333333:assumed-role/bootstrap/s"   # its sessionName
    assert m.call(MockCallArgs("aws:index/getRegion:getRegion", {}, ""))["name"] == "us-west-2"
    assert m.call(MockCallArgs("aws:index/getPartition:getPartition", {}, PROD_REF))["dnsSuffix"] == "amazonaws.com"
    zones = m.call(MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, PROD_REF))
    assert zones["names"] == ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    assert m.unanswered == []


def test_policy_document_is_computed_and_unknown_invokes_are_recorded_once():
    m = mocks()
    doc = m.call(MockCallArgs("aws:iam/getPolicyDocument:getPolicyDocument",
                              {"statements": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}, ""))
    assert json.loads(doc["json"])["Statement"][0]["Action"] == "s3:GetObject"
    assert m.call(MockCallArgs("aws:ec2/getVpc:getVpc", {"default": True}, "")) == {}
    m.call(MockCallArgs("aws:ec2/getVpc:getVpc", {}, ""))
    assert m.unanswered == ["aws:ec2/getVpc:getVpc"]


def test_program_in_up_mode_sees_fabricated_values_and_answers_caller_identity():
    run = program.run_program(project.load(FIXTURES / "violating", "dev"), "up")
    regs = run.monitor.registrations
    p = "urn:pulumi:dev::fixture-violating::"
    bucket = regs[p + "my:mod:Outer$my:mod:Inner$aws:s3/bucket:Bucket::b"]
    policy = regs[p + "my:mod:Outer$my:mod:Inner$aws:s3/bucketPolicy:BucketPolicy::bp"]
    assert bucket.outputs["arn"] == f"arn:aws:s3:::{bucket.inputs['bucket']}"
    assert policy.inputs["bucket"] == bucket.inputs["bucket"]
    statement = json.loads(policy.inputs["policy"])["Statement"][0]
    assert statement["Resource"] == [f"arn:aws:s3:::{bucket.inputs['bucket']}/*", f"arn:aws:s3:::{bucket.inputs['bucket']}"]
    assert statement["Principal"] == "*"
    assert run.mocks.unanswered == ["aws:ec2/getVpc:getVpc"]
