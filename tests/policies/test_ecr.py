"""ECR rules through the analyzer: repository settings, policies, lifecycle and scanning."""
from __future__ import annotations

import json

from preflight.analyzer import UNKNOWN
from tests.policies.conftest import aws_provider, resource, urn

REPO = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
REPO_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"

EXPIRE = {"type": "expire"}
EXPIRE_UNTAGGED = {"rulePriority": 1, "action": EXPIRE, "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7}}
KEEP_RELEASES = {"rulePriority": 2, "action": EXPIRE, "selection": {
    "tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 10}}
CATCH_ALL = {"rulePriority": 3, "action": EXPIRE, "selection": {
    "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}}


def lifecycle(*rules) -> str:
    return json.dumps({"rules": list(rules)})


def scanning_config(frequency: str, repository_filter: str) -> dict:
    return {"scanType": "ENHANCED", "rules": [{"scanFrequency": frequency, "repositoryFilters": [
        {"filter": repository_filter, "filterType": "WILDCARD"}]}]}


def the(result, policy):
    [d] = result.of(policy)
    return d


# ---- repository settings ------------------------------------------------------------------

def test_mutable_tags_violate(pack):
    r = pack.check(REPO, {"imageTagMutability": "MUTABLE"}, name="orders")
    d = the(r, "ecr-repository-tags-immutable")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert '"orders"' in d.message and "'MUTABLE'" in d.message and "IMMUTABLE" in d.message


def test_unset_mutability_violates_and_immutable_passes(pack):
    assert "AWS default MUTABLE" in the(pack.check(REPO, {}), "ecr-repository-tags-immutable").message
    assert not pack.check(REPO, {"imageTagMutability": "IMMUTABLE"}).of("ecr-repository-tags-immutable")


def test_aes_encryption_violates_kms_passes(pack):
    d = the(pack.check(REPO, {"encryptionConfigurations": [{"encryptionType": "AES256"}]}, name="orders"),
            "ecr-repository-kms-encrypted")
    assert d.severity == "medium" and "'AES256'" in d.message and "KMS" in d.message
    assert pack.check(REPO, {}).of("ecr-repository-kms-encrypted")
    key = "arn:aws:kms:eu-west-1:111111111111:key/k"
    kms = {"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": key}]}
    assert not pack.check(REPO, kms).of("ecr-repository-kms-encrypted")


def test_force_delete_violates(pack):
    d = the(pack.check(REPO, {"forceDelete": True}, name="orders"), "ecr-repository-force-delete-disabled")
    assert d.severity == "high" and '"orders"' in d.message and "force_delete" in d.message
    assert not pack.check(REPO, {"forceDelete": False}).of("ecr-repository-force-delete-disabled")


def test_public_repository_policy_violates(pack):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]}
    r = pack.check(REPO_POLICY, {"policy": json.dumps(policy), "repository": "orders"}, name="orders-policy")
    d = the(r, "ecr-repository-policy-not-public")
    assert (d.enforcement, d.severity) == ("mandatory", "critical")
    assert "'Pull'" in d.message and '"orders-policy"' in d.message


def test_repository_policy_for_named_roles_passes(pack):
    policy = {"Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage",
                             "Principal": {"AWS": "arn:aws:iam::222222222222:role/orders-exec"}},
                            {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Principal": "*",
                             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]}
    assert not pack.check(REPO_POLICY, {"policy": json.dumps(policy)}).of("ecr-repository-policy-not-public")


# ---- lifecycle policy documents -----------------------------------------------------------

def test_policy_without_untagged_rule_violates(pack):
    r = pack.check(LIFECYCLE, {"policy": lifecycle(KEEP_RELEASES)}, name="orders-lifecycle")
    d = the(r, "ecr-lifecycle-policy-expires-untagged")
    assert d.severity == "medium" and '"orders-lifecycle"' in d.message
    assert 'tagStatus "untagged" or "any"' in d.message and "stays forever" in d.message


def test_catch_all_any_expiry_expires_untagged_images(pack):
    # pulumi/examples aws-py-langserve: its only rule keeps the last 10 images, tagged or untagged.
    keep_ten = {"rulePriority": 1, "action": EXPIRE, "selection": {
        "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10}}
    untagged = "ecr-lifecycle-policy-expires-untagged"
    assert not pack.check(LIFECYCLE, {"policy": lifecycle(keep_ten)}).of(untagged)
    assert not pack.check(LIFECYCLE, {"policy": lifecycle(KEEP_RELEASES, CATCH_ALL)}).of(untagged)


def test_catch_all_any_that_only_archives_does_not_expire_untagged_images(pack):
    archive_all = {"rulePriority": 1, "action": {"type": "transition", "targetStorageClass": "archive"},
                   "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                                 "countNumber": 90}}
    r = pack.check(LIFECYCLE, {"policy": lifecycle(archive_all)}, name="orders-lifecycle")
    assert 'lifecycle policy "orders-lifecycle" has no rule expiring untagged images' in the(
        r, "ecr-lifecycle-policy-expires-untagged").message


def test_policy_with_untagged_rule_passes(pack):
    r = pack.check(LIFECYCLE, {"policy": lifecycle(EXPIRE_UNTAGGED, KEEP_RELEASES, CATCH_ALL)})
    assert not r.of("ecr-lifecycle-policy-expires-untagged")
    assert not r.of("ecr-lifecycle-policy-covers-all-images")


def test_keep_last_releases_only_leaves_sha_images_forever(pack):
    r = pack.check(LIFECYCLE, {"policy": lifecycle(EXPIRE_UNTAGGED, KEEP_RELEASES)}, name="orders-lifecycle")
    d = the(r, "ecr-lifecycle-policy-covers-all-images")
    assert d.severity == "medium"
    assert "with prefix 'v'" in d.message and "git-SHA" in d.message and 'tagStatus "any"' in d.message


def test_policy_without_tagged_rules_violates(pack):
    r = pack.check(LIFECYCLE, {"policy": lifecycle(EXPIRE_UNTAGGED)})
    d = the(r, "ecr-lifecycle-policy-covers-all-images")
    assert "no rule that expires tagged images" in d.message


def test_catch_all_tag_pattern_covers_all_images(pack):
    tagged_star = {"rulePriority": 2, "action": EXPIRE, "selection": {
        "tagStatus": "tagged", "tagPatternList": ["*"], "countType": "sinceImagePushed", "countUnit": "days",
        "countNumber": 90}}
    r = pack.check(LIFECYCLE, {"policy": lifecycle(EXPIRE_UNTAGGED, tagged_star)})
    assert not r.of("ecr-lifecycle-policy-covers-all-images")


def test_archive_without_expiry_does_not_cover(pack):
    archive = {"rulePriority": 2, "action": {"type": "transition", "targetStorageClass": "archive"},
               "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                             "countNumber": 90}}
    expire_archived = {"rulePriority": 3, "action": EXPIRE, "selection": {
        "tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned",
        "countUnit": "days", "countNumber": 365}}
    assert pack.check(LIFECYCLE, {"policy": lifecycle(EXPIRE_UNTAGGED, archive)}).of(
        "ecr-lifecycle-policy-covers-all-images")
    assert not pack.check(LIFECYCLE, {"policy": lifecycle(EXPIRE_UNTAGGED, archive, expire_archived)}).of(
        "ecr-lifecycle-policy-covers-all-images")


def test_malformed_policy_is_reported_not_crashed(pack):
    r = pack.check(LIFECYCLE, {"policy": "{not json"}, name="broken")
    assert "not a lifecycle policy document" in the(r, "ecr-lifecycle-policy-expires-untagged").message
    assert "not a lifecycle policy document" in the(r, "ecr-lifecycle-policy-covers-all-images").message


# ---- stack rules: lifecycle attached, scan on push ----------------------------------------

def test_repository_without_lifecycle_policy_violates(pack):
    repo = resource(REPO, {"name": "orders"}, name="orders")
    other = resource(REPO, {"name": "billing"}, name="billing")
    policy = resource(LIFECYCLE, {"repository": "billing", "policy": lifecycle(EXPIRE_UNTAGGED)},
                      name="billing-lc")
    r = pack.analyze_stack([repo, other, policy])
    d = the(r, "ecr-repository-lifecycle-policy-required")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert d.urn == urn(REPO, "orders") and '"orders"' in d.message


def test_lifecycle_policy_joined_by_property_dependency(pack):
    repo = resource(REPO, {}, name="orders")
    # The repository name is unknown during preview: the join must use the property dependency only.
    policy = resource(LIFECYCLE, {"repository": UNKNOWN, "policy": lifecycle(EXPIRE_UNTAGGED)},
                      name="orders-lc", property_dependencies={"repository": [repo.urn]})
    assert not pack.analyze_stack([repo, policy]).of("ecr-repository-lifecycle-policy-required")


def test_repository_without_scan_on_push_violates(pack):
    repo = resource(REPO, {"name": "orders", "imageScanningConfiguration": {"scanOnPush": False}},
                    name="orders")
    d = the(pack.analyze_stack([repo]), "ecr-repository-scan-on-push")
    assert d.severity == "high" and d.urn == repo.urn and "scan_on_push" in d.message


def test_scan_on_push_passes(pack):
    repo = resource(REPO, {"imageScanningConfiguration": {"scanOnPush": True}}, name="orders")
    assert not pack.analyze_stack([repo]).of("ecr-repository-scan-on-push")


def test_registry_enhanced_scanning_covers_repositories_of_its_account_only(pack):
    tooling = aws_provider("111111111111", name="tooling")
    scanning = resource(SCANNING, scanning_config("CONTINUOUS_SCAN", "*"), name="registry-scanning",
                        provider=tooling)
    covered = resource(REPO, {"name": "orders"}, name="orders", provider=tooling)
    elsewhere = resource(REPO, {"name": "billing"}, name="billing", provider=aws_provider("222222222222"))
    r = pack.analyze_stack([scanning, covered, elsewhere])
    assert [d.urn for d in r.of("ecr-repository-scan-on-push")] == [elsewhere.urn]


def test_registry_scanning_filter_must_match_repository(pack):
    scanning = resource(SCANNING, scanning_config("SCAN_ON_PUSH", "team-a-*"))
    a = resource(REPO, {"name": "team-a-orders"}, name="team-a-orders")
    b = resource(REPO, {"name": "team-b-orders"}, name="team-b-orders")
    assert [d.urn for d in pack.analyze_stack([scanning, a, b]).of("ecr-repository-scan-on-push")] == [b.urn]


def test_unknown_policy_gives_the_sdk_advisory(pack):
    r = pack.check(LIFECYCLE, {"policy": UNKNOWN, "repository": "orders"})
    d = the(r, "ecr-lifecycle-policy-expires-untagged")
    assert d.enforcement == "advisory" and "can't be known during preview" in d.message
