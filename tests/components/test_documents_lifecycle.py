"""ECR lifecycle: untagged expire, the SHA family keeps its last N, a final `any` rule catches the rest."""
import pytest

from components.documents.lifecycle import lifecycle_policy


def test_rules_in_ecr_priority_order():
    rules = lifecycle_policy(untagged_days=7, keep_last=30, max_age_days=365)["rules"]
    assert [r["rulePriority"] for r in rules] == [1, 2, 3]
    assert rules[0]["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 7}
    assert rules[1]["selection"] == {"tagStatus": "tagged", "tagPrefixList": ["sha-"],
                                     "countType": "imageCountMoreThan", "countNumber": 30}
    # `any` must be the highest priority number (ECR rejects it elsewhere) and expires by age.
    assert rules[2]["selection"] == {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                                     "countNumber": 365}
    assert {r["action"]["type"] for r in rules} == {"expire"}


@pytest.mark.parametrize("kwargs", [dict(untagged_days=0, keep_last=1, max_age_days=1),
                                    dict(untagged_days=1, keep_last=0, max_age_days=1),
                                    dict(untagged_days=1, keep_last=1, max_age_days=1, tag_prefix="*")])
def test_rejects_policies_that_keep_forever_or_match_nothing(kwargs):
    with pytest.raises(ValueError):
        lifecycle_policy(**kwargs)
