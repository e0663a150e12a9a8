"""KMS rules: key rotation, key policies that admit anyone, deletion window."""
from __future__ import annotations

from collections.abc import Sequence

from ._common import as_number, as_str, get, is_true
from ._registry import resource_rule
from ._resource_policy import SCOPING_HINT, public_grants

KEY = "aws:kms/key:Key"
REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
# AWS rotates only symmetric encryption keys outside custom key stores; asymmetric and HMAC keys,
# and keys in a CloudHSM/external key store, cannot enable rotation.
ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"
AWS_DEFAULT_DELETION_WINDOW = 30


@resource_rule(
    "kms-key-rotation-enabled",
    types=[KEY],
    description="Symmetric KMS keys must rotate their key material automatically.",
    severity="high",
    remediation="Set enable_key_rotation=True on the aws.kms.Key (optionally rotation_period_in_days).",
    topic="encryption",
    anchors=["SH KMS.4", "CKV_AWS_7"],
)
def kms_key_rotation_enabled(args, cfg):
    spec = as_str(get(args.props, "customerMasterKeySpec")) or ROTATABLE_SPEC
    if spec != ROTATABLE_SPEC or as_str(get(args.props, "customKeyStoreId")):
        return
    value = get(args.props, "enableKeyRotation")
    if not is_true(value):
        # A list or map arrives as an SDK proxy object: name its kind, never its repr (a memory address).
        setting = ("unset" if value is None else repr(value) if isinstance(value, (str, int, float, bool))
                   else f"a {'list' if isinstance(value, Sequence) else 'map'}")
        yield (f"KMS key \"{args.name}\" does not rotate (enableKeyRotation {setting}); "
               "set enable_key_rotation=True so AWS rotates the key material yearly")


@resource_rule(
    "kms-key-policy-no-wildcard-principal",
    types=[KEY, REPLICA_KEY, KEY_POLICY],
    description="A KMS key policy must not allow a `*` principal without a condition that scopes the caller.",
    severity="critical",
    remediation=("Grant the key to named principals (role ARNs) only, or add a condition pinning the caller "
                 f"({SCOPING_HINT})."),
    topic="access-control",
    anchors=["SH KMS.5"],
)
def kms_key_policy_no_wildcard_principal(args, cfg):
    for label in public_grants(get(args.props, "policy")):
        yield (f"key policy of \"{args.name}\" {label} allows Principal \"*\" with no condition that scopes "
               f"the caller; name the principals (role ARNs) or add a condition on {SCOPING_HINT}")


@resource_rule(
    "kms-key-deletion-window",
    types=[KEY, REPLICA_KEY],
    description="A KMS key must keep a deletion window of at least the configured number of days.",
    severity="medium",
    remediation=("Leave deletion_window_in_days unset (AWS default 30) or set it to at least "
                 "minDeletionWindowDays, so a key scheduled for deletion by mistake can still be recovered."),
    topic="resilience",
    config={"minDeletionWindowDays": {
        "type": "integer", "minimum": 7, "maximum": 30, "default": AWS_DEFAULT_DELETION_WINDOW,
        "description": "Shortest allowed deletionWindowInDays (AWS allows 7..30; dev stacks may lower it)."}},
)
def kms_key_deletion_window(args, cfg):
    days = as_number(get(args.props, "deletionWindowInDays"))
    if days is None:
        days = AWS_DEFAULT_DELETION_WINDOW
    minimum = as_number(cfg.get("minDeletionWindowDays"))
    minimum = AWS_DEFAULT_DELETION_WINDOW if minimum is None else minimum
    if days < minimum:
        yield (f"KMS key \"{args.name}\" has deletionWindowInDays {days:g}, under the minimum {minimum:g}; "
               f"set deletion_window_in_days to at least {minimum:g} (or leave it unset for AWS's 30)")
