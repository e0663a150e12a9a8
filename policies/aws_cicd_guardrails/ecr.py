"""ECR rules: repository settings and policies. Lifecycle and scanning rules need the whole
stack and live in ecr_lifecycle.py / ecr_scanning.py (imported here so they register)."""
from __future__ import annotations

from collections.abc import Mapping

from ._common import as_list, as_str, get, is_true
from ._registry import resource_rule
from ._resource_policy import SCOPING_HINT, public_grants
from . import ecr_lifecycle, ecr_scanning  # noqa: F401  (registrations)

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
REGISTRY_POLICY = "aws:ecr/registryPolicy:RegistryPolicy"
KMS_ENCRYPTION = ("KMS", "KMS_DSSE")


@resource_rule(
    "ecr-repository-tags-immutable",
    types=[REPOSITORY],
    description="ECR repositories must make image tags immutable.",
    severity="high",
    remediation="Set image_tag_mutability=\"IMMUTABLE\" and push a new tag per build (the git SHA).",
    topic="supply-chain",
    anchors=["SH ECR.2", "CKV_AWS_51"],
)
def ecr_repository_tags_immutable(args, cfg):
    value = get(args.props, "imageTagMutability")
    if value != "IMMUTABLE":
        shown = "unset (AWS default MUTABLE)" if value is None else repr(value)
        yield (f"repository \"{args.name}\" has imageTagMutability {shown}; set it to \"IMMUTABLE\" "
               "so a pushed tag can never be moved to another image")


@resource_rule(
    "ecr-repository-kms-encrypted",
    types=[REPOSITORY],
    description="ECR repositories must encrypt images with KMS rather than the default AES-256.",
    severity="medium",
    remediation=("Set encryption_configurations=[{\"encryption_type\": \"KMS\", \"kms_key\": <key ARN>}] "
                 "(a customer-managed key lets you control and audit access)."),
    topic="encryption",
    anchors=["CKV_AWS_136"],
)
def ecr_repository_kms_encrypted(args, cfg):
    configs = [c for c in as_list(get(args.props, "encryptionConfigurations")) if isinstance(c, Mapping)]
    kinds = [as_str(get(c, "encryptionType")) or "AES256" for c in configs] or ["AES256"]
    if not any(kind in KMS_ENCRYPTION for kind in kinds):
        yield (f"repository \"{args.name}\" is encrypted with {kinds[0]!r}; set encryption_configurations "
               "encryption_type \"KMS\" with a customer-managed kms_key")


@resource_rule(
    "ecr-repository-policy-not-public",
    types=[REPOSITORY_POLICY, REGISTRY_POLICY],
    description=("An ECR repository or registry policy must not allow a `*` principal without a condition "
                 "that scopes the caller."),
    severity="critical",
    remediation=("Grant pull to named principals (the staging/prod execution role ARNs) or add a condition "
                 f"pinning the caller ({SCOPING_HINT})."),
    topic="access-control",
    anchors=["CKV_AWS_32", "nag ECR1"],
)
def ecr_repository_policy_not_public(args, cfg):
    for label in public_grants(get(args.props, "policy")):
        yield (f"ECR policy \"{args.name}\" {label} allows Principal \"*\" with no condition that scopes the "
               f"caller; grant the named role ARNs instead or add a condition on {SCOPING_HINT}")


@resource_rule(
    "ecr-repository-force-delete-disabled",
    types=[REPOSITORY],
    description="ECR repositories must not be deletable while they still hold images.",
    severity="high",
    remediation="Remove force_delete=True (deleting a repository then requires emptying it on purpose).",
    topic="resilience",
)
def ecr_repository_force_delete_disabled(args, cfg):
    if is_true(get(args.props, "forceDelete")):
        yield (f"repository \"{args.name}\" has forceDelete true: `pulumi destroy` or a replacement deletes "
               "every image in it; remove force_delete")
