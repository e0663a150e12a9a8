"""Every IAM document the program emits (core's and workloads') passes parliament, except listed findings."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from parliament import analyze_policy_string

from tests.components.harness import PROD_LAYOUT, run_program
from tests.components.iam_documents import iam_documents

KEY_POLICIES = {"aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"}


@dataclass(frozen=True)
class Allowed:
    issue: str
    reason: str
    types: frozenset = frozenset()
    detail_contains: str = ""

    def covers(self, reg_type: str, issue: str, detail: object) -> bool:
        return (issue == self.issue and (not self.types or reg_type in self.types)
                and self.detail_contains in json.dumps(detail))


EXCEPTIONS = (
    Allowed("RESOURCE_STAR", "in a KMS key policy, Resource '*' means the key the policy is attached to",
            frozenset(KEY_POLICIES)),
    Allowed("RESOURCE_STAR", "an ECR repository policy only ever applies to its own repository",
            frozenset({"aws:ecr/repositoryPolicy:RepositoryPolicy"})),
    Allowed("RESOURCE_STAR", "ecs:RegisterTaskDefinition has no resource-level permissions in AWS",
            frozenset({"aws:iam/rolePolicy:RolePolicy"}), '["ecs:RegisterTaskDefinition"]'),
    Allowed("UNKNOWN_FEDERATION_SOURCE", "parliament knows Cognito/SAML only; this is the platform's own "
            "GitHub OIDC provider", frozenset({"aws:iam/role:Role"}), "oidc-provider/token.actions.githubusercontent.com"),
    Allowed("UNKNOWN_CONDITION_FOR_ACTION", "token.actions.githubusercontent.com:aud/:sub are the OIDC provider's "
            "own claim keys, which parliament's action table cannot know", frozenset({"aws:iam/role:Role"}),
            "Unknown condition token.actions.githubusercontent.com:"),
)


def _lintable(reg, field, doc):
    """Trust policies have no Resource: their implicit resource is the role itself."""
    if field != "assumeRolePolicy":
        return doc
    return {**doc, "Statement": [{**s, "Resource": reg.outputs["arn"]} for s in doc["Statement"]]}


def findings(stack: str):
    rec = run_program(stack)
    out, seen_types = [], set()
    for reg, field, doc in iam_documents(rec):
        seen_types.add(reg.type)
        for f in analyze_policy_string(json.dumps(_lintable(reg, field, doc))).findings:
            if not any(e.covers(reg.type, f.issue, f.detail) for e in EXCEPTIONS):
                out.append((reg.name, field, f.issue, f.detail))
    return out, seen_types


@pytest.fixture(scope="module")
def swept() -> dict:
    return {stack: findings(stack) for stack in ("dev", *PROD_LAYOUT)}


@pytest.mark.parametrize("stack", ["dev", *PROD_LAYOUT])
def test_every_iam_document_passes_parliament(stack, swept):
    unexplained, seen_types = swept[stack]
    assert unexplained == []
    # The sweep really covered identity, trust and resource policies of both helpers' components.
    assert {"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"} <= seen_types


def test_the_sweep_covers_every_kind_of_policy_in_each_layout(swept):
    kinds = {"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:kms/keyPolicy:KeyPolicy",
             "aws:s3/bucketPolicy:BucketPolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
             "aws:sns/topicPolicy:TopicPolicy"}
    assert kinds <= swept["dev"][1]
    assert kinds <= set().union(*(swept[stack][1] for stack in PROD_LAYOUT))


def test_exceptions_are_narrow():
    """An exception for key policies does not excuse a RESOURCE_STAR in an identity policy."""
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
    issues = [f for f in analyze_policy_string(json.dumps(bad)).findings]
    assert [f.issue for f in issues] == ["RESOURCE_STAR"]
    assert not any(e.covers("aws:iam/rolePolicy:RolePolicy", f.issue, f.detail) for e in EXCEPTIONS for f in issues)
    assert all(len(e.reason) > 20 for e in EXCEPTIONS)
