"""ECR repository settings as programs write them: tag mutability, encryption, force delete."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_KMS = 'key = aws.kms.Key("images-key", enable_key_rotation=True, opts=in_tooling)\n'
_GOOD = ('image_scanning_configuration={"scan_on_push": True}, image_tag_mutability="IMMUTABLE", '
         'encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}]')
_SCAN_IMMUTABLE = 'image_scanning_configuration={"scan_on_push": True}, image_tag_mutability="IMMUTABLE"'

_TAGS = "ecr-repository-tags-immutable"
_ENCRYPTED = "ecr-repository-kms-encrypted"
_FORCE_DELETE = "ecr-repository-force-delete-disabled"

VARIANTS = [
    Variant(_TAGS, VIOLATES, "default-mutability", resource="orders", program=_KMS +
            'aws.ecr.Repository("orders", image_scanning_configuration={"scan_on_push": True},\n'
            '    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], opts=in_tooling)\n'),
    Variant(_TAGS, VIOLATES, "loop-over-config", resource="svc-payments", program=_KMS +
            'for name, mutability in {"orders": "IMMUTABLE", "payments": "MUTABLE"}.items():\n'
            '    aws.ecr.Repository(f"svc-{name}", image_tag_mutability=mutability,\n'
            '        image_scanning_configuration={"scan_on_push": True},\n'
            '        encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], opts=in_tooling)\n'),
    Variant(_TAGS, VIOLATES, "args-class", resource="orders", program=_KMS +
            'aws.ecr.Repository("orders", aws.ecr.RepositoryArgs(image_tag_mutability="MUTABLE",\n'
            '    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),\n'
            '    encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(\n'
            '        encryption_type="KMS", kms_key=key.arn)]), opts=in_tooling)\n'),
    Variant(_TAGS, VIOLATES, "mutability-from-config", resource="orders", config={"tagMutability": "MUTABLE"},
            program=_KMS +
            'cfg = pulumi.Config()\n'
            'aws.ecr.Repository("orders", image_tag_mutability=cfg.get("tagMutability") or "IMMUTABLE",\n'
            '    image_scanning_configuration={"scan_on_push": True},\n'
            '    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], opts=in_tooling)\n'),
    Variant(_TAGS, NEAR_MISS, "immutable-kms-scanned", resource="orders",
            program=_KMS + 'aws.ecr.Repository("orders", ' + _GOOD + ', opts=in_tooling)\n'),
    Variant(_TAGS, NEAR_MISS, "config-default-immutable", program=_KMS +
            'cfg = pulumi.Config()\n'
            'aws.ecr.Repository("orders", image_tag_mutability=cfg.get("tagMutability") or "IMMUTABLE",\n'
            '    image_scanning_configuration={"scan_on_push": True},\n'
            '    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], opts=in_tooling)\n'),

    Variant(_ENCRYPTED, VIOLATES, "default-aes256", resource="orders",
            program='aws.ecr.Repository("orders", ' + _SCAN_IMMUTABLE + ', opts=in_tooling)\n'),
    Variant(_ENCRYPTED, VIOLATES, "explicit-aes256-args", resource="orders", program=
            'aws.ecr.Repository("orders", aws.ecr.RepositoryArgs(image_tag_mutability="IMMUTABLE",\n'
            '    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),\n'
            '    encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")]),\n'
            '    opts=in_tooling)\n'),
    Variant(_ENCRYPTED, VIOLATES, "loop-one-repo-aes", resource="payments", program=_KMS +
            'SERVICES = {"orders": {"encryption_type": "KMS", "kms_key": key.arn},\n'
            '            "payments": {"encryption_type": "AES256"}}\n'
            'for name, encryption in SERVICES.items():\n'
            '    aws.ecr.Repository(name, ' + _SCAN_IMMUTABLE + ',\n'
            '        encryption_configurations=[encryption], opts=in_tooling)\n'),
    Variant(_ENCRYPTED, VIOLATES, "empty-encryption-list", resource="orders",
            program='aws.ecr.Repository("orders", ' + _SCAN_IMMUTABLE + ', encryption_configurations=[],\n'
                    '    opts=in_tooling)\n'),
    # KMS without a key is the AWS-managed aws/ecr key: still KMS encryption.
    Variant(_ENCRYPTED, NEAR_MISS, "kms-aws-managed-key",
            program='aws.ecr.Repository("orders", ' + _SCAN_IMMUTABLE + ',\n'
                    '    encryption_configurations=[{"encryption_type": "KMS"}], opts=in_tooling)\n'),
    Variant(_ENCRYPTED, NEAR_MISS, "kms-dsse-customer-key", program=_KMS +
            'aws.ecr.Repository("orders", ' + _SCAN_IMMUTABLE + ',\n'
            '    encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(\n'
            '        encryption_type="KMS_DSSE", kms_key=key.arn)], opts=in_tooling)\n'),

    Variant(_FORCE_DELETE, VIOLATES, "force-delete-true", resource="orders", program=_KMS +
            'aws.ecr.Repository("orders", ' + _GOOD + ', force_delete=True, opts=in_tooling)\n'),
    Variant(_FORCE_DELETE, VIOLATES, "args-class", resource="orders", program=_KMS +
            'aws.ecr.Repository("orders", aws.ecr.RepositoryArgs(force_delete=True, image_tag_mutability="IMMUTABLE",\n'
            '    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),\n'
            '    encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(\n'
            '        encryption_type="KMS", kms_key=key.arn)]), opts=in_tooling)\n'),
    Variant(_FORCE_DELETE, VIOLATES, "from-config", resource="orders", config={"forceDelete": "true"},
            program=_KMS +
            'aws.ecr.Repository("orders", ' + _GOOD + ',\n'
            '    force_delete=pulumi.Config().get_bool("forceDelete") or False, opts=in_tooling)\n'),
    Variant(_FORCE_DELETE, VIOLATES, "per-environment-loop", resource="orders-dev", program=_KMS +
            'for env in ["dev", "prod"]:\n'
            '    aws.ecr.Repository(f"orders-{env}", ' + _GOOD + ', force_delete=env != "prod", opts=in_tooling)\n'),
    Variant(_FORCE_DELETE, NEAR_MISS, "config-unset-defaults-false", program=_KMS +
            'aws.ecr.Repository("orders", ' + _GOOD + ',\n'
            '    force_delete=pulumi.Config().get_bool("forceDelete") or False, opts=in_tooling)\n'),
    Variant(_FORCE_DELETE, NEAR_MISS, "explicit-false", program=_KMS +
            'aws.ecr.Repository("orders", ' + _GOOD + ', force_delete=False, opts=in_tooling)\n'),
]
