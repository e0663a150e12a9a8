"""ECR repositories as programs write them."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_KMS = 'key = aws.kms.Key("images-key", enable_key_rotation=True, opts=in_tooling)\n'
_GOOD = ('image_scanning_configuration={"scan_on_push": True}, image_tag_mutability="IMMUTABLE", '
         'encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}]')

VARIANTS = [
    Variant("ecr-repository-tags-immutable", VIOLATES, "default-mutability", resource="orders", program=_KMS +
            'aws.ecr.Repository("orders", image_scanning_configuration={"scan_on_push": True},\n'
            '    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], opts=in_tooling)\n'),
    Variant("ecr-repository-tags-immutable", VIOLATES, "loop-over-config", resource="svc-payments", program=_KMS +
            'for name, mutability in {"orders": "IMMUTABLE", "payments": "MUTABLE"}.items():\n'
            '    aws.ecr.Repository(f"svc-{name}", image_tag_mutability=mutability,\n'
            '        image_scanning_configuration={"scan_on_push": True},\n'
            '        encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}], opts=in_tooling)\n'),
    Variant("ecr-repository-tags-immutable", VIOLATES, "args-class", resource="orders", program=_KMS +
            'aws.ecr.Repository("orders", aws.ecr.RepositoryArgs(image_tag_mutability="MUTABLE",\n'
            '    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),\n'
            '    encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(\n'
            '        encryption_type="KMS", kms_key=key.arn)]), opts=in_tooling)\n'),
    Variant("ecr-repository-tags-immutable", NEAR_MISS, "immutable-kms-scanned", resource="orders",
            program=_KMS + 'aws.ecr.Repository("orders", ' + _GOOD + ', opts=in_tooling)\n'),
]
