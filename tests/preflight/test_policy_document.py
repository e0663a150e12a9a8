"""getPolicyDocument evaluated offline must equal what the AWS provider returns."""
import json
import zlib

import pytest

from preflight.policy_document import PolicyDocumentError, evaluate


def doc(**args):
    return json.loads(evaluate(args)["json"])


def test_single_values_collapse_and_lists_are_deduplicated_and_reverse_sorted():
    out = doc(statements=[{"actions": ["s3:GetObject", "s3:PutObject", "s3:GetObject", "kms:Decrypt"],
                           "resources": ["arn:aws:s3:::b"]}])
    assert out == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "kms:Decrypt"],
         "Resource": "arn:aws:s3:::b"}]}


def test_principals_merge_per_type_sorted_by_type_and_identifiers_reverse_sorted():
    out = doc(statements=[{"sid": "Trust", "actions": ["sts:AssumeRole"], "principals": [
        {"type": "AWS", "identifiers": ["arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b"]},
        {"type": "Service", "identifiers": ["codebuild.amazonaws.com"]},
    ]}])
    assert out["Statement"][0] == {
        "Sid": "Trust", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": ["arn:aws:iam::111111111111:role/b", "arn:aws:iam::111111111111:role/a"],
                      "Service": "codebuild.amazonaws.com"}}


def test_star_principal_becomes_bare_star_but_aws_star_stays_a_map():
    bare = doc(statements=[{"effect": "Deny", "actions": ["s3:*"], "principals": [{"type": "*", "identifiers": ["*"]}]}])
    aws = doc(statements=[{"actions": ["s3:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]}])
    assert bare["Statement"][0]["Principal"] == "*"
    assert bare["Statement"][0]["Effect"] == "Deny"
    assert aws["Statement"][0]["Principal"] == {"AWS": "*"}


def test_conditions_not_forms_and_policy_id():
    out = doc(policy_id="pid", statements=[{
        "not_actions": ["iam:*"], "not_resources": ["arn:aws:s3:::x", "arn:aws:s3:::y"],
        "not_principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111111111111:role/r"]}],
        "conditions": [{"test": "StringEquals", "variable": "iam:PassedToService", "values": ["ecs-tasks.amazonaws.com"]},
                       {"test": "StringEquals", "variable": "aws:RequestedRegion", "values": ["eu-west-1", "us-east-1"]},
                       {"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}]}])
    assert out["Id"] == "pid"
    assert out["Statement"][0] == {
        "Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::y", "arn:aws:s3:::x"],
        "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:role/r"},
        "Condition": {"Bool": {"aws:SecureTransport": "true"},
                      "StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"],
                                       "iam:PassedToService": "ecs-tasks.amazonaws.com"}}}


def test_camel_case_args_from_typed_args_classes_are_read_too():
    out = doc(statements=[{"notActions": ["iam:*"], "notResources": ["*"]}], policyId="x")
    assert out == {"Version": "2012-10-17", "Id": "x",
                   "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "*"}]}


def test_source_documents_first_then_statements_replace_by_sid_then_overrides():
    source = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Keep", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "Replace", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]})
    override = json.dumps({"Statement": [{"Sid": "Keep", "Effect": "Deny", "Action": "s3:GetObject",
                                          "Resource": "*"},
                                         {"Sid": "Extra", "Effect": "Allow", "Action": "sns:Publish",
                                          "Resource": "*"}]})
    out = doc(source_policy_documents=[source], override_policy_documents=[override],
              statements=[{"sid": "Replace", "actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::b/*"]}])
    assert [(s.get("Sid"), s["Effect"], s["Action"]) for s in out["Statement"]] == [
        ("Keep", "Deny", "s3:GetObject"), ("Replace", "Allow", "s3:PutObject"),
        (None, "Allow", "logs:PutLogEvents"), ("Extra", "Allow", "sns:Publish")]


def test_source_document_principals_are_reverse_sorted_on_output():
    source = json.dumps({"Statement": [{"Sid": "T", "Effect": "Allow", "Action": "sts:AssumeRole",
                                        "Principal": {"AWS": ["arn:a", "arn:b"]}}]})
    assert doc(source_policy_documents=[source])["Statement"][0]["Principal"] == {"AWS": ["arn:b", "arn:a"]}


def test_duplicate_sids_are_rejected_like_the_provider():
    with pytest.raises(PolicyDocumentError, match=r"duplicate Sid \(A\)"):
        evaluate({"statements": [{"sid": "A", "actions": ["s3:*"]}, {"sid": "A", "actions": ["sns:*"]}]})
    one = json.dumps({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:*"}]})
    with pytest.raises(PolicyDocumentError, match="source_policy_documents"):
        evaluate({"source_policy_documents": [one, one]})


def test_ampersand_variables_become_dollar_and_go_escapes_html_characters():
    result = evaluate({"statements": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/&{aws:username}/*"],
                                       "conditions": [{"test": "StringLike", "variable": "s3:prefix",
                                                       "values": ["a<b>&c"]}]}]})
    assert "arn:aws:s3:::b/${aws:username}/*" in result["json"]
    assert "a\\u003cb\\u003e\\u0026c" in result["json"]
    assert json.loads(result["json"])["Statement"][0]["Condition"]["StringLike"]["s3:prefix"] == "a<b>&c"
    with pytest.raises(PolicyDocumentError, match="2008-10-17"):
        evaluate({"version": "2008-10-17", "statements": [{"resources": ["&{aws:username}"], "actions": ["s3:*"]}]})


def test_outputs_pretty_minified_and_id_like_the_provider():
    result = evaluate({"statements": [{"actions": ["s3:GetObject"], "resources": ["*"]}]})
    assert result["json"] == ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
                              '      "Action": "s3:GetObject",\n      "Resource": "*"\n    }\n  ]\n}')
    assert result["minifiedJson"] == ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                      '"Action":"s3:GetObject","Resource":"*"}]}')
    assert result["id"] == str(zlib.crc32(result["json"].encode()))


def test_unsupported_version_is_an_error():
    with pytest.raises(PolicyDocumentError, match="version"):
        evaluate({"version": "2020-01-01"})
