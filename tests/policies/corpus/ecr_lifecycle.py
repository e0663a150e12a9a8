"""ECR lifecycle policies as programs write them: attached or not, expiring untagged images, covering
every tag family. Documents come as json.dumps text, Output.json_dumps, or the provider's
get_lifecycle_policy_document invoke."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_REQUIRED = "ecr-repository-lifecycle-policy-required"
_UNTAGGED = "ecr-lifecycle-policy-expires-untagged"
_COVERS = "ecr-lifecycle-policy-covers-all-images"

_SETTINGS = ('image_tag_mutability="IMMUTABLE", image_scanning_configuration={"scan_on_push": True},\n'
             '    encryption_configurations=[{"encryption_type": "KMS"}]')
_REPO = f'repo = aws.ecr.Repository("orders", {_SETTINGS}, opts=in_tooling)\n'
_EXPIRE_UNTAGGED = ('{"rulePriority": 1, "description": "untagged after 7 days", "action": {"type": "expire"},\n'
                    '     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",\n'
                    '                   "countUnit": "days", "countNumber": 7}}')
_KEEP_RELEASES = ('{"rulePriority": 2, "description": "last 10 releases", "action": {"type": "expire"},\n'
                  '     "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"],\n'
                  '                   "countType": "imageCountMoreThan", "countNumber": 10}}')
_CATCH_ALL = ('{"rulePriority": 3, "description": "everything else", "action": {"type": "expire"},\n'
              '     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100}}')
_GOOD_POLICY = f'json.dumps({{"rules": [{_EXPIRE_UNTAGGED},\n    {_KEEP_RELEASES},\n    {_CATCH_ALL}]}})'


def _policy(document: str, name: str = "orders-lifecycle") -> str:
    return _REPO + f'aws.ecr.LifecyclePolicy("{name}", repository=repo.name, policy={document}, opts=in_tooling)\n'


# pulumi/examples aws-py-langserve: one rule keeping the last 10 images, tagged or not.
_LANGSERVE = ('json.dumps({"rules": [{"rulePriority": 1, "description": "Keep last 10 images",\n'
              '    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},\n'
              '    "action": {"type": "expire"}}]})')
_INVOKE_KEEP_TEN = ('aws.ecr.get_lifecycle_policy_document(rules=[aws.ecr.GetLifecyclePolicyDocumentRuleArgs(\n'
                    '    priority=1, description="Keep last 10 images",\n'
                    '    selection=aws.ecr.GetLifecyclePolicyDocumentRuleSelectionArgs(\n'
                    '        tag_status="any", count_type="imageCountMoreThan", count_number=10))]).json')
_INVOKE_RELEASES_ONLY = ('aws.ecr.get_lifecycle_policy_document(rules=[{"priority": 1, "selection": {\n'
                         '    "tag_status": "tagged", "tag_prefix_lists": ["release-"],\n'
                         '    "count_type": "imageCountMoreThan", "count_number": 20}}]).json')
_INVOKE_UNTAGGED_ONLY = ('aws.ecr.get_lifecycle_policy_document(rules=[{"priority": 1, "description": "untagged",\n'
                         '    "selection": {"tag_status": "untagged", "count_type": "sinceImagePushed",\n'
                         '                  "count_unit": "days", "count_number": 14},\n'
                         '    "action": {"type": "expire"}}]).json')

VARIANTS = [
    # ---- a lifecycle policy attached to every repository ----
    Variant(_REQUIRED, VIOLATES, "no-policy", resource="orders", program=_REPO),
    Variant(_REQUIRED, VIOLATES, "loop-forgets-one", resource="payments", program=
            'repos = {n: aws.ecr.Repository(n, ' + _SETTINGS + ', opts=in_tooling) for n in ["orders", "payments"]}\n'
            'aws.ecr.LifecyclePolicy("orders-lifecycle", repository=repos["orders"].name,\n'
            f'    policy={_GOOD_POLICY}, opts=in_tooling)\n'),
    Variant(_REQUIRED, VIOLATES, "literal-name-typo", resource="orders", program=
            'aws.ecr.Repository("orders", name="orders-api", ' + _SETTINGS + ', opts=in_tooling)\n'
            f'aws.ecr.LifecyclePolicy("orders-lifecycle", repository="orders-app", policy={_GOOD_POLICY},\n'
            '    opts=in_tooling)\n'),
    Variant(_REQUIRED, VIOLATES, "policy-on-other-repo", resource="web", program=
            'api = aws.ecr.Repository("api", ' + _SETTINGS + ', opts=in_tooling)\n'
            'web = aws.ecr.Repository("web", ' + _SETTINGS + ', opts=in_tooling)\n'
            'for n in ["api-lifecycle", "web-lifecycle"]:\n'
            f'    aws.ecr.LifecyclePolicy(n, repository=api.name, policy={_GOOD_POLICY}, opts=in_tooling)\n'),
    Variant(_REQUIRED, NEAR_MISS, "joined-by-repository-id", program=_REPO +
            f'aws.ecr.LifecyclePolicy("orders-lifecycle", repository=repo.id, policy={_GOOD_POLICY}, opts=in_tooling)\n'),
    Variant(_REQUIRED, NEAR_MISS, "joined-by-literal-name", program=
            'aws.ecr.Repository("orders", name="orders-api", ' + _SETTINGS + ', opts=in_tooling)\n'
            f'aws.ecr.LifecyclePolicy("orders-lifecycle", repository="orders-api", policy={_GOOD_POLICY},\n'
            '    opts=in_tooling)\n'),

    # ---- untagged images expire ----
    Variant(_UNTAGGED, VIOLATES, "only-release-prefix", resource="orders-lifecycle",
            program=_policy(f'json.dumps({{"rules": [{_KEEP_RELEASES}]}})')),
    Variant(_UNTAGGED, VIOLATES, "invoke-release-prefix", resource="orders-lifecycle",
            program=_policy(_INVOKE_RELEASES_ONLY)),
    Variant(_UNTAGGED, VIOLATES, "output-json-dumps-tagged-patterns", resource="orders-lifecycle",
            program=_policy('pulumi.Output.json_dumps({"rules": [{"rulePriority": i + 1, "action": {"type": "expire"},\n'
                            '    "selection": {"tagStatus": "tagged", "tagPatternList": [p],\n'
                            '                  "countType": "imageCountMoreThan", "countNumber": 5}}\n'
                            '    for i, p in enumerate(["main-*", "release-*"])]})')),
    Variant(_UNTAGGED, VIOLATES, "any-only-archived", resource="orders-lifecycle",
            program=_policy('json.dumps({"rules": [{"rulePriority": 1,\n'
                            '    "action": {"type": "transition", "targetStorageClass": "archive"},\n'
                            '    "selection": {"tagStatus": "any", "countType": "sinceImagePulled",\n'
                            '                  "countUnit": "days", "countNumber": 90}}]})')),
    Variant(_UNTAGGED, NEAR_MISS, "langserve-any-keep-last-ten", program=_policy(_LANGSERVE)),
    Variant(_UNTAGGED, NEAR_MISS, "invoke-any-keep-last-ten", program=_policy(_INVOKE_KEEP_TEN)),
    Variant(_UNTAGGED, NEAR_MISS, "invoke-untagged-rule", program=_policy(_INVOKE_UNTAGGED_ONLY)),
    Variant(_UNTAGGED, NEAR_MISS, "untagged-then-releases-then-any", program=_policy(_GOOD_POLICY)),

    # ---- every tagged image eventually expires ----
    Variant(_COVERS, VIOLATES, "untagged-and-release-prefix", resource="orders-lifecycle",
            program=_policy(f'json.dumps({{"rules": [{_EXPIRE_UNTAGGED},\n    {_KEEP_RELEASES}]}})')),
    Variant(_COVERS, VIOLATES, "invoke-untagged-only", resource="orders-lifecycle",
            program=_policy(_INVOKE_UNTAGGED_ONLY)),
    Variant(_COVERS, VIOLATES, "loop-over-tag-families", resource="orders-lifecycle", program=
            'families = {"v": 10, "release-": 20}\n' + _policy(
                'pulumi.Output.json_dumps({"rules": [' + _EXPIRE_UNTAGGED + '] + [\n'
                '    {"rulePriority": i + 2, "action": {"type": "expire"},\n'
                '     "selection": {"tagStatus": "tagged", "tagPrefixList": [prefix],\n'
                '                   "countType": "imageCountMoreThan", "countNumber": keep}}\n'
                '    for i, (prefix, keep) in enumerate(families.items())]})')),
    Variant(_COVERS, VIOLATES, "invoke-release-prefix", resource="orders-lifecycle",
            program=_policy(_INVOKE_RELEASES_ONLY)),
    Variant(_COVERS, NEAR_MISS, "tag-pattern-star", program=_policy(
            f'json.dumps({{"rules": [{_EXPIRE_UNTAGGED},\n'
            '    {"rulePriority": 2, "action": {"type": "expire"}, "selection": {"tagStatus": "tagged",\n'
            '     "tagPatternList": ["*"], "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 180}}]})')),
    Variant(_COVERS, NEAR_MISS, "langserve-any-keep-last-ten", program=_policy(_LANGSERVE)),
    Variant(_COVERS, NEAR_MISS, "invoke-any-keep-last-ten", program=_policy(_INVOKE_KEEP_TEN)),
]
