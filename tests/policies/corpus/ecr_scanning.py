"""ECR image scanning: per repository, or by the registry's scanning configuration of the same account."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_RULE = "ecr-repository-scan-on-push"
_SETTINGS = 'image_tag_mutability="IMMUTABLE", encryption_configurations=[{"encryption_type": "KMS"}]'


def _registry_scanning(opts: str, repository_filter: str, frequency: str = "CONTINUOUS_SCAN") -> str:
    return ('aws.ecr.RegistryScanningConfiguration("registry-scanning", scan_type="ENHANCED", rules=[\n'
            f'    {{"scan_frequency": "{frequency}",\n'
            f'     "repository_filters": [{{"filter": "{repository_filter}", "filter_type": "WILDCARD"}}]}}],\n'
            f'    opts={opts})\n')


VARIANTS = [
    Variant(_RULE, VIOLATES, "scanning-unset", resource="orders",
            program=f'aws.ecr.Repository("orders", {_SETTINGS}, opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "args-scan-on-push-false", resource="orders", program=
            'aws.ecr.Repository("orders", aws.ecr.RepositoryArgs(image_tag_mutability="IMMUTABLE",\n'
            '    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=False),\n'
            '    encryption_configurations=[{"encryption_type": "KMS"}]), opts=in_tooling)\n'),
    # The registry that scans is the staging account's; the repository lives in tooling.
    Variant(_RULE, VIOLATES, "registry-scanning-other-account", resource="orders", program=
            _registry_scanning("in_staging", "*") +
            f'aws.ecr.Repository("orders", {_SETTINGS}, opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "registry-filter-misses-repository", resource="billing", program=
            _registry_scanning("in_tooling", "team-a-*", "SCAN_ON_PUSH") +
            'for name in ["team-a-orders", "billing"]:\n'
            f'    aws.ecr.Repository(name, name=name, {_SETTINGS}, opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "loop-scan-flag-from-dict", resource="payments", program=
            'for name, scan in {"orders": True, "payments": False}.items():\n'
            f'    aws.ecr.Repository(name, {_SETTINGS},\n'
            '        image_scanning_configuration={"scan_on_push": scan}, opts=in_tooling)\n'),
    Variant(_RULE, NEAR_MISS, "registry-enhanced-star-same-account", program=
            _registry_scanning("in_tooling", "*") +
            f'aws.ecr.Repository("orders", {_SETTINGS}, opts=in_tooling)\n'),
    # The repository's auto-name ("orders-<suffix>") is known in preview and matches the prefix filter.
    Variant(_RULE, NEAR_MISS, "registry-prefix-filter-auto-name", program=
            _registry_scanning("in_tooling", "orders*", "SCAN_ON_PUSH") +
            f'aws.ecr.Repository("orders", {_SETTINGS}, opts=in_tooling)\n'),
    Variant(_RULE, NEAR_MISS, "scan-on-push-args", program=
            'aws.ecr.Repository("orders", aws.ecr.RepositoryArgs(image_tag_mutability="IMMUTABLE",\n'
            '    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),\n'
            '    encryption_configurations=[{"encryption_type": "KMS"}]), opts=in_tooling)\n'),
]
