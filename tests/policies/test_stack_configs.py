"""policies/config/dev.json and prod.json: valid for the pack's schemas, and they set the levels they promise."""
from __future__ import annotations

import pytest

from preflight import pack_config
from tests.policies.conftest import PACK_DIR, aws_provider, resource

CONFIGS = {stack: PACK_DIR / "config" / f"{stack}.json" for stack in ("dev", "prod")}
PROD_ACCOUNT, STAGING_ACCOUNT = "333333333333", "222222222222"
PROD_ONLY = ("ecr-repository-force-delete-disabled", "s3-bucket-force-destroy-disabled",
             "platform-stateful-resources-protected")


@pytest.fixture(scope="module")
def given() -> dict[str, dict]:
    return {stack: pack_config.load(path) for stack, path in CONFIGS.items()}


@pytest.fixture(scope="module")
def reconciled(pack, given) -> dict[str, dict]:
    return {stack: pack_config.reconcile(pack.infos, cfg) for stack, cfg in given.items()}


@pytest.mark.parametrize("stack", CONFIGS)
def test_config_names_only_registered_policies_and_their_schema_keys(pack, given, stack):
    schemas = {p["name"]: set((p.get("configSchema") or {}).get("properties") or {}) for p in pack.infos}
    unknown_policies = sorted(set(given[stack]) - set(schemas) - {"all"})
    assert unknown_policies == [], f"{stack}.json names policies the pack does not have"
    unknown_keys = {name: sorted(set(cfg) - schemas[name] - {"enforcementLevel"})
                    for name, cfg in given[stack].items() if name != "all"}
    assert {n: k for n, k in unknown_keys.items() if k} == {}, f"{stack}.json sets keys no schema declares"


@pytest.mark.parametrize("stack", CONFIGS)
def test_every_critical_rule_is_mandatory(pack, reconciled, stack):
    critical = [p["name"] for p in pack.infos if p["severity"] == "critical"]
    assert len(critical) >= 10
    assert {n: reconciled[stack][n]["enforcementLevel"] for n in critical} == {n: "mandatory" for n in critical}


def test_prod_makes_every_rule_mandatory_and_knows_the_prod_account(pack, reconciled):
    prod = reconciled["prod"]
    assert {cfg["enforcementLevel"] for cfg in prod.values()} == {"mandatory"}
    prod_aware = [p["name"] for p in pack.infos if "prodAccountIds" in (p.get("configSchema") or {}).get(
        "properties", {})]
    assert len(prod_aware) >= 6
    assert {n: prod[n]["prodAccountIds"] for n in prod_aware} == {n: [PROD_ACCOUNT] for n in prod_aware}
    assert prod["kms-key-deletion-window"]["minDeletionWindowDays"] == 30
    assert prod["platform-required-tags"]["requiredTags"] == ["owner", "service", "environment"]


def test_dev_relaxes_most_rules_and_switches_off_the_prod_only_ones(pack, reconciled):
    dev = reconciled["dev"]
    levels = [cfg["enforcementLevel"] for cfg in dev.values()]
    assert levels.count("advisory") > len(levels) / 2
    assert {n: dev[n]["enforcementLevel"] for n in PROD_ONLY} == {n: "disabled" for n in PROD_ONLY}
    mandatory = {n for n, cfg in dev.items() if cfg["enforcementLevel"] == "mandatory"}
    assert mandatory == {p["name"] for p in pack.infos if p["severity"] == "critical"}


def test_same_violation_is_advisory_in_dev_and_mandatory_in_prod(pack, given):
    repo = resource("aws:ecr/repository:Repository", {"name": "orders", "imageTagMutability": "MUTABLE"},
                    name="orders")
    [dev] = pack.analyze(repo, given["dev"]).of("ecr-repository-tags-immutable")
    [prod] = pack.analyze(repo, given["prod"]).of("ecr-repository-tags-immutable")
    assert dev.severity == prod.severity == "high"
    assert (dev.enforcement, prod.enforcement) == ("advisory", "mandatory")
    assert dev.message == prod.message and '"orders"' in prod.message and "MUTABLE" in prod.message


def test_same_critical_violation_is_mandatory_in_both(pack, given):
    role = resource("aws:iam/role:Role", {"name": "deploy", "assumeRolePolicy": (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},'
        '"Action":"sts:AssumeRole"}]}')}, name="deploy")
    for stack in CONFIGS:
        [d] = pack.analyze(role, given[stack]).of("iam-role-trust-no-wildcard-principal")
        assert (d.enforcement, d.severity) == ("mandatory", "critical"), stack
        assert '"deploy"' in d.message


def _pipeline(stage_name: str, deploy_account: str) -> dict:
    source = {"name": "Source", "category": "Source", "owner": "AWS", "provider": "CodeStarSourceConnection",
              "version": "1", "outputArtifacts": ["src"],
              "configuration": {"ConnectionArn": "arn:aws:codestar-connections:us-east-1:111111111111:connection/x",
                                "FullRepositoryId": "example-org/orders", "BranchName": "main"}}
    deploy = {"name": "Deploy", "category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1",
              "inputArtifacts": ["src"], "roleArn": f"arn:aws:iam::{deploy_account}:role/orders-deploy",
              "configuration": {"ClusterName": "orders", "ServiceName": "orders"}}
    return {"name": "orders", "pipelineType": "V2", "stages": [
        {"name": "Source", "actions": [source]}, {"name": stage_name, "actions": [deploy]}]}


def test_prod_account_id_marks_an_innocently_named_stage_as_prod(pack, given):
    """prod.json knows 333333333333: a 'Release' stage deploying there needs the approval gate."""
    pipeline = resource("aws:codepipeline/pipeline:Pipeline", _pipeline("Release", PROD_ACCOUNT), name="orders",
                        provider=aws_provider("111111111111", name="tooling"))
    [d] = pack.analyze_stack([pipeline], given["prod"]).of("codepipeline-prod-manual-approval-required")
    assert d.enforcement == "mandatory" and "Release" in d.message
    assert not pack.analyze_stack([pipeline]).of("codepipeline-prod-manual-approval-required"), \
        "without the config no account is prod, and 'Release' is not a prod name"


def test_prod_stack_name_in_the_urn_does_not_make_staging_prod(pack, given):
    """prod.json's name pattern ignores the `urn:pulumi:prod::` segment: staging stays staging."""
    rolling = {"name": "orders", "deploymentController": {"type": "ECS"},
               "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    staging = resource("aws:ecs/service:Service", rolling, name="cicd-staging-orders", stack="prod",
                       provider=aws_provider(STAGING_ACCOUNT, name="staging", stack="prod"))
    prod = resource("aws:ecs/service:Service", rolling, name="cicd-prod-orders", stack="prod",
                    provider=aws_provider(PROD_ACCOUNT, name="prod", stack="prod"))
    assert not pack.analyze(staging, given["prod"]).of("ecs-service-prod-progressive-deployment")
    [d] = pack.analyze(prod, given["prod"]).of("ecs-service-prod-progressive-deployment")
    assert d.enforcement == "mandatory" and '"cicd-prod-orders"' in d.message
