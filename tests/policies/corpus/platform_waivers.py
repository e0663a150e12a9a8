"""Waivers in the pack config: an expired one no longer applies and is reported (platform-waiver-expired)."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_UNSCANNED = 'aws.ecr.Repository("{name}", image_tag_mutability="IMMUTABLE", opts=in_tooling)\n'


def _waiver(policy: str, resource: str, expires: str) -> dict:
    return {policy: {"waivers": [{"resource": resource, "reason": "tracked in ORD-123", "expires": expires}]}}


VARIANTS = [
    Variant("platform-waiver-expired", VIOLATES, "expired-on-the-violating-resource",
            program=_UNSCANNED.format(name="orders"),
            pack_config=_waiver("ecr-repository-scan-on-push", "orders", "2020-01-31")),
    Variant("platform-waiver-expired", VIOLATES, "expired-glob-over-a-loop",
            program='for n in ("legacy-a", "legacy-b"):\n    ' + _UNSCANNED.format(name="{n}").replace('"{n}"', "n"),
            pack_config=_waiver("ecr-repository-scan-on-push", "legacy-*", "2024-06-30")),
    Variant("platform-waiver-expired", VIOLATES, "expired-though-the-resource-was-fixed",
            program='aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE",\n'
                    '    image_scanning_configuration={"scan_on_push": True}, opts=in_tooling)\n',
            pack_config=_waiver("ecr-repository-scan-on-push", "orders", "2025-12-31")),
    Variant("platform-waiver-expired", NEAR_MISS, "waiver-still-in-force",
            program=_UNSCANNED.format(name="orders"),
            pack_config=_waiver("ecr-repository-scan-on-push", "orders", "2099-12-31")),
]
