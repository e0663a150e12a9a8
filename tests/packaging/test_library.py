"""The rules library's public API, as another team's pack uses it (examples/custom-pack runs it over gRPC)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

import aws_cicd_guardrails as guardrails

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_carries_its_metadata():
    rules = {r.name: r for r in guardrails.RULES}
    assert len(rules) == len(guardrails.RULES) == 80
    scan = rules["ecr-repository-scan-on-push"]
    assert (scan.severity, scan.anchor, scan.enforcement_level) == ("high", "SH ECR.1", None)
    assert scan.kind == "stack"
    kms = rules["ecr-repository-kms-encrypted"]
    assert kms.resource_types == ("aws:ecr/repository:Repository",) and kms.anchor == "CKV_AWS_136"
    assert kms.description.startswith("ECR repositories") and kms.waivable
    assert rules["iam-policy-no-admin"].waivable is False


def test_select_takes_names_and_globs_in_registry_order():
    picked = guardrails.select("s3-bucket-versioning", "ecr-repository-*")
    assert [r.name for r in picked] == [
        "ecr-repository-lifecycle-policy-required", "ecr-repository-scan-on-push",
        "ecr-repository-tags-immutable", "ecr-repository-kms-encrypted", "ecr-repository-policy-not-public",
        "ecr-repository-force-delete-disabled", "s3-bucket-versioning"]
    with pytest.raises(ValueError, match=r"no rule matches 's3-bucket-versionning' "
                                         r"\(did you mean s3-bucket-versioning\?\)"):
        guardrails.select("s3-bucket-versionning")


def test_relevel_changes_copies_and_leaves_the_registry_alone():
    picked = guardrails.select("ecr-repository-*")
    relevelled = guardrails.relevel(picked, "advisory", "ecr-repository-scan-on-push")
    levels = {r.name: r.enforcement_level for r in relevelled}
    assert levels["ecr-repository-scan-on-push"] == "advisory"
    assert {n for n, level in levels.items() if level is not None} == {"ecr-repository-scan-on-push"}
    assert all(r.enforcement_level is None for r in guardrails.RULES)
    with pytest.raises(ValueError, match="enforcement level 'optional' not in"):
        guardrails.relevel(picked, "optional", "ecr-repository-scan-on-push")
    with pytest.raises(ValueError, match="no rule matches 's3-\\*'"):
        guardrails.relevel(picked, "advisory", "s3-*")


def test_policies_carry_a_rules_own_level_else_leave_it_to_the_pack():
    picked = guardrails.select("ecr-repository-scan-on-push", "ecr-repository-kms-encrypted")
    rules = guardrails.relevel(picked, "disabled", "ecr-repository-kms-encrypted")
    scan, kms = guardrails.policies(rules)
    assert isinstance(scan, StackValidationPolicy) and isinstance(kms, ResourceValidationPolicy)
    assert (scan.name, scan.enforcement_level) == ("ecr-repository-scan-on-push", None)
    assert (kms.name, kms.enforcement_level) == ("ecr-repository-kms-encrypted", EnforcementLevel.DISABLED)


def test_a_pack_refuses_a_rule_given_twice_before_it_serves():
    twice = guardrails.select("kms-*") + guardrails.select("kms-key-rotation-enabled")
    with pytest.raises(ValueError, match="rules given more than once: kms-key-rotation-enabled"):
        guardrails.policy_pack("twice", twice)


def test_the_library_is_imported_under_one_name_only():
    """Two module names for it (policies.rules and rules once) would register every rule twice."""
    stale = re.compile(r"^\s*(from|import)\s+(policies\.rules|rules|policies\.aws_cicd_guardrails)\b", re.M)
    dirs = ("tests", "scripts", "bench", "preflight", "policies", "examples")
    offenders = [str(p.relative_to(ROOT)) for d in dirs for p in (ROOT / d).rglob("*.py")
                 if "venv" not in p.parts and stale.search(p.read_text())]
    assert offenders == []
