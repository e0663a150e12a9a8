"""Offline answers of the provider's pure and configuration-only invokes.

Lifecycle documents follow terraform-provider-aws `internal/service/ecr/lifecycle_policy_document_data_source.go`
(Read: default action `expire`, `json.MarshalIndent(policy, "", "  ")`) over the `lifecyclePolicy` struct of
`internal/service/ecr/lifecycle_policy.go` (field order and `omitempty`). The rule sets are the provider's
acceptance test (`lifecycle_policy_document_data_source_test.go`, testAccLifecyclePolicyDocumentDataSourceConfig_basic)
and the examples of its docs (`website/docs/r/ecr_lifecycle_policy.html.markdown`).
"""
import json
import os
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks

from preflight import offline_invokes
from preflight.identity_invokes import PARTITIONS, RegionLookupError, known_place, partition_of
from preflight.lifecycle_document import LifecycleDocumentError

LIFECYCLE = "aws:ecr/getLifecyclePolicyDocument:getLifecyclePolicyDocument"
IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
REGION = "aws:index/getRegion:getRegion"
PARTITION = "aws:index/getPartition:getPartition"


def lifecycle_json(rules):
    return offline_invokes.answer(LIFECYCLE, {"rules": rules}, {})["json"]


# The acceptance test's three rules, as the typed Args classes put them on the wire (numbers as floats).
ACCEPTANCE_RULES = [
    {"priority": 1.0, "description": "This is a test.",
     "selection": {"tagStatus": "tagged", "tagPrefixLists": ["prod"], "countType": "imageCountMoreThan",
                   "countNumber": 100.0}},
    {"priority": 2.0, "description": "Another one",
     "selection": {"tagStatus": "any", "tagPrefixLists": ["ay", "bee"], "countType": "sinceImagePushed",
                   "countNumber": 40.0}},
    {"priority": 3.0, "description": "This is tag pattern list test.",
     "selection": {"tagStatus": "tagged", "tagPatternLists": ["*test*1*2*3", "test*1*2*3*"],
                   "countType": "imageCountMoreThan", "countNumber": 100.0}},
]
ACCEPTANCE_JSON = """{
  "rules": [
    {
      "rulePriority": 1,
      "description": "This is a test.",
      "selection": {
        "tagStatus": "tagged",
        "tagPrefixList": [
          "prod"
        ],
        "countType": "imageCountMoreThan",
        "countNumber": 100
      },
      "action": {
        "type": "expire"
      }
    },
    {
      "rulePriority": 2,
      "description": "Another one",
      "selection": {
        "tagStatus": "any",
        "tagPrefixList": [
          "ay",
          "bee"
        ],
        "countType": "sinceImagePushed",
        "countNumber": 40
      },
      "action": {
        "type": "expire"
      }
    },
    {
      "rulePriority": 3,
      "description": "This is tag pattern list test.",
      "selection": {
        "tagStatus": "tagged",
        "tagPatternList": [
          "*test*1*2*3",
          "test*1*2*3*"
        ],
        "countType": "imageCountMoreThan",
        "countNumber": 100
      },
      "action": {
        "type": "expire"
      }
    }
  ]
}"""


def test_the_acceptance_test_rule_set_marshals_byte_for_byte():
    out = offline_invokes.answer(LIFECYCLE, {"rules": ACCEPTANCE_RULES}, {})
    assert out["json"] == ACCEPTANCE_JSON
    assert out["rules"][1] == {"priority": 2, "description": "Another one", "selection": {
        "tagStatus": "any", "tagPrefixLists": ["ay", "bee"], "countType": "sinceImagePushed", "countNumber": 40}}


def test_untagged_expiry_with_days_keeps_count_unit_and_omits_empty_lists_and_description():
    # The docs' "Policy on untagged image": expire untagged images older than 14 days.
    rules = [{"priority": 1, "selection": {"tag_status": "untagged", "tag_prefix_lists": [],
                                           "count_type": "sinceImagePushed", "count_unit": "days",
                                           "count_number": 14}, "action": {"type": "expire"}}]
    assert lifecycle_json(rules) == (
        '{\n  "rules": [\n    {\n      "rulePriority": 1,\n      "selection": {\n'
        '        "tagStatus": "untagged",\n        "countType": "sinceImagePushed",\n'
        '        "countUnit": "days",\n        "countNumber": 14\n      },\n'
        '      "action": {\n        "type": "expire"\n      }\n    }\n  ]\n}')


def test_rules_keep_their_order_and_transition_names_the_storage_class_before_the_type():
    rules = [{"priority": 5, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1}},
             {"priority": 2, "description": "archive <old> & unused",
              "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                            "countNumber": 90, "storageClass": "standard"},
              "action": {"type": "transition", "targetStorageClass": "archive"}}]
    doc = lifecycle_json(rules)
    assert [r["rulePriority"] for r in json.loads(doc)["rules"]] == [5, 2]
    assert list(json.loads(doc)["rules"][1]["action"]) == ["targetStorageClass", "type"]
    assert list(json.loads(doc)["rules"][1]["selection"]) == [
        "tagStatus", "storageClass", "countType", "countUnit", "countNumber"]
    # Go's encoder escapes HTML characters.
    assert '"description": "archive \\u003cold\\u003e \\u0026 unused"' in doc


@pytest.mark.parametrize("rules, message", [
    ([{"priority": 0, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1}}],
     "Attribute rule[0].priority value must be at least 1, got: 0"),
    ([{"priority": 1, "selection": {"tagStatus": "some", "countType": "imageCountMoreThan", "countNumber": 1}}],
     'Attribute rule[0].selection[0].tag_status value must be one of'),
    ([{"priority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 0}}],
     "Attribute rule[0].selection[0].count_number value must be at least 1, got: 0"),
    ([{"priority": 1}], "Block rule[0].selection must have a configuration value"),
    ([], "Block rule must have a configuration value"),
])
def test_arguments_the_data_source_rejects_fail_the_invoke(rules, message):
    with pytest.raises(LifecycleDocumentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        offline_invokes.answer(LIFECYCLE, {"rules": rules}, {})


class _OfflineMocks(pulumi_mocks.Mocks):
    def __init__(self):
        self.answers = {}

    def new_resource(self, args):
        return args.name, args.inputs

    def call(self, args):
        self.answers[args.token] = offline_invokes.answer(args.token, args.args, {"region": "eu-west-1"})
        return self.answers[args.token] or {}


@pulumi.runtime.test
def _program_invokes():
    import pulumi_aws as aws
    aws.ecr.get_lifecycle_policy_document(rules=[aws.ecr.GetLifecyclePolicyDocumentRuleArgs(
        priority=1, description="This is a test.",
        selection=aws.ecr.GetLifecyclePolicyDocumentRuleSelectionArgs(
            tag_status="tagged", tag_prefix_lists=["prod"], count_type="imageCountMoreThan", count_number=100))])
    region = aws.get_region()
    assert (region.region, region.description) == ("eu-west-1", "Europe (Ireland)")


def test_a_program_calling_the_sdk_gets_the_same_answers():
    mocks = _OfflineMocks()
    pulumi_mocks.set_mocks(mocks, preview=True)
    _program_invokes()
    assert json.loads(mocks.answers[LIFECYCLE]["json"]) == {"rules": [json.loads(ACCEPTANCE_JSON)["rules"][0]]}


ROLE = json.dumps([{"roleArn": "arn:aws:iam::333333333333:role/ci/deployer", "sessionName": "pipeline"}])


def test_caller_identity_from_the_assumed_role_with_its_session_name():
    out = offline_invokes.answer(IDENTITY, {}, {"region": "eu-central-1", "assumeRoles": ROLE})
    assert out == {"accountId": "333333333333", "id": "333333333333",
                   "arn": "arn:aws:sts::333333333333:assumed-role/deployer/pipeline"}


def test_caller_identity_follows_a_role_chain_to_its_last_role():
    chain = [{"roleArn": "arn:aws:iam::111111111111:role/hop"}, {"roleArn": "arn:aws:iam::222222222222:role/target"}]
    out = offline_invokes.answer(IDENTITY, {}, {"assumeRoles": chain})
    assert out == {"accountId": "222222222222", "id": "222222222222"}


def test_caller_identity_from_a_single_allowed_account_but_not_from_several():
    assert offline_invokes.answer(IDENTITY, {}, {"allowedAccountIds": '["444444444444"]'}) == {
        "accountId": "444444444444", "id": "444444444444"}
    assert offline_invokes.answer(IDENTITY, {}, {"allowedAccountIds": '["444444444444", "555555555555"]'}) is None


def test_region_and_partition_from_the_provider_config():
    assert offline_invokes.answer(REGION, {}, {"region": "cn-northwest-1"}) == {
        "description": "China (Ningxia)", "endpoint": "ec2.cn-northwest-1.amazonaws.com.cn",
        "id": "cn-northwest-1", "name": "cn-northwest-1", "region": "cn-northwest-1"}
    assert offline_invokes.answer(PARTITION, {}, {"region": "us-gov-west-1"}) == {
        "dnsSuffix": "amazonaws.com", "id": "aws-us-gov", "partition": "aws-us-gov",
        "reverseDnsPrefix": "com.amazonaws"}
    assert offline_invokes.answer(PARTITION, {}, {"region": "us-isob-east-1"})["reverseDnsPrefix"] == "gov.sgov.sc2s"


def test_region_argument_and_endpoint_select_a_region_whatever_the_provider():
    assert offline_invokes.answer(REGION, {"region": "ap-southeast-2"}, {})["description"] == "Asia Pacific (Sydney)"
    assert offline_invokes.answer(REGION, {"endpoint": "ec2.us-west-2.amazonaws.com"}, {})["region"] == "us-west-2"
    with pytest.raises(RegionLookupError, match=r"finding Region by name \(mars-east-1\)"):
        offline_invokes.answer(REGION, {"name": "mars-east-1"}, {})


def test_region_falls_back_to_the_environment_as_the_provider_does(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    assert offline_invokes.answer(REGION, {}, {})["region"] == "eu-north-1"
    monkeypatch.setenv("AWS_REGION", "eu-south-2")
    assert offline_invokes.answer(PARTITION, {}, {})["partition"] == "aws"
    assert known_place({}, os.environ).region == "eu-south-2"


def test_unknown_account_region_or_invoke_stays_unanswered(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert offline_invokes.answer(IDENTITY, {}, {"region": "us-east-1"}) is None
    assert offline_invokes.answer(REGION, {}, {}) is None
    assert offline_invokes.answer(PARTITION, {}, {"region": "xx-nowhere"}) is None
    assert offline_invokes.answer("aws:ec2/getVpc:getVpc", {"default": True}, {"region": "us-east-1"}) is None


def test_policy_documents_are_still_answered():
    out = offline_invokes.answer("aws:iam/getPolicyDocument:getPolicyDocument",
                                 {"statements": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}, None)
    assert json.loads(out["json"])["Statement"][0]["Action"] == "s3:GetObject"


def test_the_partition_table_is_the_endpoints_data_botocore_ships():
    botocore = pytest.importorskip("botocore")
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    shipped = {p["partition"]: (p["dnsSuffix"], p["regionRegex"],
                                {r: v["description"] for r, v in p["regions"].items()}) for p in data["partitions"]}
    assert PARTITIONS == shipped
    assert partition_of("ap-southeast-9") == "aws" and partition_of("us-isof-north-1") == "aws-iso-f"
