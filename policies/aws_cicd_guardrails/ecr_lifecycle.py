"""ECR lifecycle rules: every repository has a lifecycle policy, and that policy expires
untagged images and every family of tagged images.

ECR semantics that matter here: each image is evaluated against the rules in rulePriority order
and handled by the first rule whose selection matches it; a `tagged` selection only matches
images with a tag in `tagPrefixList` / `tagPatternList`; `any` matches every image. So
"keep the last 10 `v*` images" leaves every image tagged otherwise (git SHAs) alone forever.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ._common import as_str, get, parse_json, str_list
from ._registry import resource_rule, stack_rule
from .stack_joins import dependency_urns, known_str

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
CATCH_ALL_HINT = ("add a last rule (highest rulePriority) with tagStatus \"any\" and countType "
                  "imageCountMoreThan or sinceImagePushed")


@stack_rule(
    "ecr-repository-lifecycle-policy-required",
    description="Every ECR repository must have an aws.ecr.LifecyclePolicy attached.",
    severity="high",
    remediation=("Create an aws.ecr.LifecyclePolicy with repository=<repo>.name that expires untagged images "
                 "and caps every tag family."),
    topic="cost",
    anchors=["SH ECR.3", "CT.ECR.PR.1"],
)
def ecr_repository_lifecycle_policy_required(args, cfg):
    repositories = [r for r in args.resources if r.resource_type == REPOSITORY]
    if not repositories:
        return
    by_urn, by_name = _attached_repositories(args.resources)
    for repo in repositories:
        if repo.urn in by_urn:
            continue
        name = repository_name(repo)
        if name in by_name:
            continue
        yield repo.urn, (f"repository \"{name}\" has no aws.ecr.LifecyclePolicy: images accumulate forever; "
                         "attach one that expires untagged images and caps every tag family")


def _attached_repositories(resources) -> tuple[set[str], set[str]]:
    """(repository URNs, repository names) that some lifecycle policy is attached to."""
    by_urn: set[str] = set()
    by_name: set[str] = set()
    for r in resources:
        if r.resource_type != LIFECYCLE_POLICY:
            continue
        by_urn.update(dependency_urns(r, "repository"))
        by_name.add(known_str(r, "repository"))
    return by_urn, by_name - {""}


def repository_name(repo) -> str:
    return known_str(repo, "name") or repo.name


@resource_rule(
    "ecr-lifecycle-policy-expires-untagged",
    types=[LIFECYCLE_POLICY],
    description="An ECR lifecycle policy must expire untagged images.",
    severity="medium",
    remediation=("Add a rule with selection {tagStatus: \"untagged\", countType: \"sinceImagePushed\", "
                 "countUnit: \"days\", countNumber: N} and action {type: \"expire\"}."),
    topic="cost",
)
def ecr_lifecycle_policy_expires_untagged(args, cfg):
    rules = policy_rules(get(args.props, "policy"))
    if rules is None:
        yield _invalid_document(args.name)
        return
    if not expires_untagged(rules):
        yield (f"lifecycle policy \"{args.name}\" has no rule expiring untagged images (tagStatus "
               "\"untagged\" or \"any\"); every superseded build layer stays forever: add one expiring them "
               "after N days")


@resource_rule(
    "ecr-lifecycle-policy-covers-all-images",
    types=[LIFECYCLE_POLICY],
    description=("An ECR lifecycle policy must eventually expire every tagged image, not only some tag "
                 "families."),
    severity="medium",
    remediation=("End the policy with a catch-all rule: tagStatus \"any\" (or \"tagged\" with tagPatternList "
                 "[\"*\"]) that keeps the last N images or expires them after N days."),
    topic="cost",
)
def ecr_lifecycle_policy_covers_all_images(args, cfg):
    rules = policy_rules(get(args.props, "policy"))
    if rules is None:
        yield _invalid_document(args.name)
        return
    if covers_all_tagged(rules):
        return
    families = [f for r in rules if _expires(r) and _tag_status(r) == "tagged" for f in _tag_families(r)]
    if not families:
        yield (f"lifecycle policy \"{args.name}\" has no rule that expires tagged images: every tagged image "
               f"lives forever; {CATCH_ALL_HINT}")
        return
    yield (f"lifecycle policy \"{args.name}\" only expires tagged images {', '.join(families)}; images with "
           f"any other tag (e.g. git-SHA tags) are never expired; {CATCH_ALL_HINT}")


def _invalid_document(name: str) -> str:
    return (f"lifecycle policy \"{name}\" is not a lifecycle policy document with a \"rules\" list; "
            "fix its JSON")


def policy_rules(policy: Any) -> Optional[list[Mapping]]:
    """The rules of a lifecycle policy document (JSON text or structured), or None when it is not one."""
    rules = get(parse_json(policy), "rules")
    if isinstance(rules, (str, bytes, Mapping)) or not isinstance(rules, Sequence):
        return None
    return [r for r in rules if isinstance(r, Mapping)]


def expires_untagged(rules: list[Mapping]) -> bool:
    """Some rule expires untagged images: tagStatus "untagged", or an "any" rule (every image, tagged or
    not, is evaluated against it) that expires them directly or after moving them to archive."""
    if any(_expires(r) and _tag_status(r) == "untagged" for r in rules):
        return True
    return covers_all_tagged([r for r in rules if _tag_status(r) == "any"])


def covers_all_tagged(rules: list[Mapping]) -> bool:
    """Some expiring rule selects every image (directly, or after a catch-all move to archive)."""
    catch_all = [r for r in rules if _selects_all(r)]
    if any(_expires(r) and _storage_class(r) != "archive" for r in catch_all):
        return True
    archived_expire = any(_expires(r) and _storage_class(r) == "archive" for r in catch_all)
    return archived_expire and any(_action(r) == "transition" for r in catch_all)


def _selects_all(rule: Mapping) -> bool:
    status = _tag_status(rule)
    if status == "any":
        return True
    if status != "tagged":
        return False
    patterns = str_list(get(rule, "selection", "tagPatternList"))
    prefixes = str_list(get(rule, "selection", "tagPrefixList"))
    return any(p.strip("*") == "" for p in patterns) or any(p == "" for p in prefixes)


def _tag_families(rule: Mapping) -> list[str]:
    prefixes = [f"with prefix {p!r}" for p in str_list(get(rule, "selection", "tagPrefixList"))]
    patterns = [f"matching {p!r}" for p in str_list(get(rule, "selection", "tagPatternList"))]
    return prefixes + patterns


def _tag_status(rule: Mapping) -> str:
    return as_str(get(rule, "selection", "tagStatus")).lower()


def _storage_class(rule: Mapping) -> str:
    return as_str(get(rule, "selection", "storageClass")).lower() or "standard"


def _action(rule: Mapping) -> str:
    return as_str(get(rule, "action", "type")).lower() or "expire"


def _expires(rule: Mapping) -> bool:
    return _action(rule) == "expire"
