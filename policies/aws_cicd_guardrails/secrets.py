"""Secret stores: Secrets Manager secrets under a customer-managed key, secret SSM parameters encrypted."""
from __future__ import annotations

from ._common import as_str, extra_patterns, get
from ._registry import resource_rule
from .env_secrets import secret_reason

SECRET = "aws:secretsmanager/secret:Secret"
PARAMETER = "aws:ssm/parameter:Parameter"
AWS_MANAGED_KEY = "alias/aws/secretsmanager"
SECRET_NAME_PATTERNS = {
    "type": "array", "items": {"type": "string"}, "default": [],
    "description": "Extra regular expressions (case-insensitive) for names that hold secrets.",
}


@resource_rule(
    "secretsmanager-secret-cmk",
    types=[SECRET],
    description="Secrets Manager secrets must be encrypted with a customer-managed KMS key.",
    severity="low",
    remediation=("Set kms_key_id to a customer-managed KMS key ARN; its key policy then controls who can "
                 "decrypt, and cross-account readers (deploy roles) can be granted access."),
    topic="encryption",
    anchors=["CKV_AWS_149"],
)
def secretsmanager_secret_cmk(args, cfg):
    key = as_str(get(args.props, "kmsKeyId"))
    if not key or key == AWS_MANAGED_KEY or key.endswith(":" + AWS_MANAGED_KEY):
        shown = (f"the AWS-managed key {AWS_MANAGED_KEY!r}" if key
                 else f"no kmsKeyId (defaults to {AWS_MANAGED_KEY})")
        yield (f"secret \"{args.name}\" uses {shown}; set kms_key_id to a customer-managed KMS key ARN "
               "(an AWS-managed key cannot be shared with other accounts)")


@resource_rule(
    "ssm-parameter-secret-is-secure-string",
    types=[PARAMETER],
    description="An SSM parameter whose name or value looks secret must be a SecureString.",
    severity="high",
    remediation=("Create the parameter with type=\"SecureString\" (and a customer-managed key_id), "
                 "or keep the secret in Secrets Manager; pass the value as a Pulumi secret."),
    topic="secrets",
    anchors=["CKV2_AWS_34"],
    config={"secretNamePatterns": SECRET_NAME_PATTERNS},
)
def ssm_parameter_secret_is_secure_string(args, cfg):
    kind = as_str(get(args.props, "type")) or "String"  # the API's default type
    if kind == "SecureString":
        return
    name = as_str(get(args.props, "name")) or args.name
    value = next((v for v in (get(args.props, k) for k in ("value", "insecureValue", "valueWo")) if v), None)
    reason = secret_reason(name, value, extra_patterns(cfg))
    if reason:
        yield (f"SSM parameter \"{name}\" is stored as {kind} but {reason}; "
               "set type=\"SecureString\" so it is encrypted with KMS and only principals allowed to decrypt "
               "can read it")
