"""ECR lifecycle policy: nothing lives forever.

ECR evaluates rules from the lowest `rulePriority` up and an image is claimed by the FIRST rule whose
tag selection matches it: the SHA-tag rule's newest N images are kept (claimed, so no later rule expires
them) and its older ones expire; a `tagStatus: any` rule must carry the highest priority and catches every
image no earlier rule claimed (hand-pushed tags, other families), by age.
"""
from __future__ import annotations

import json
from typing import Any

IMAGE_TAG_PREFIX = "sha-"   # builds push "<repo>:sha-$CODEBUILD_RESOLVED_SOURCE_VERSION"


def lifecycle_policy(*, untagged_days: int, keep_last: int, max_age_days: int,
                     tag_prefix: str = IMAGE_TAG_PREFIX) -> dict[str, Any]:
    if untagged_days < 1 or keep_last < 1 or max_age_days < 1:
        raise ValueError(f"lifecycle counts must be >= 1, got untagged_days={untagged_days}, "
                         f"keep_last={keep_last}, max_age_days={max_age_days}")
    if not tag_prefix or "*" in tag_prefix:
        raise ValueError(f"tag prefix must be a literal prefix, got {tag_prefix!r}")
    return {"rules": [
        {"rulePriority": 1, "description": f"Expire untagged images after {untagged_days} days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": untagged_days},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"Keep the last {keep_last} commit images ({tag_prefix}<git sha>)",
         "selection": {"tagStatus": "tagged", "tagPrefixList": [tag_prefix], "countType": "imageCountMoreThan",
                       "countNumber": keep_last},
         "action": {"type": "expire"}},
        {"rulePriority": 3, "description": f"Expire every other image after {max_age_days} days",
         "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": max_age_days},
         "action": {"type": "expire"}},
    ]}


def to_json(policy: dict[str, Any]) -> str:
    return json.dumps(policy, indent=2)
