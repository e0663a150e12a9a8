"""Cross-cutting rules through the analyzer: protection, explicit providers, required tags, waivers."""
import json

import pytest

from preflight import pack_config
from preflight.analyzer import Options, PackError, PolicyPackClient, Provider
from tests.policies.conftest import Pack, aws_provider, resource, urn

BUCKET = "aws:s3/bucket:Bucket"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REPOSITORY = "aws:ecr/repository:Repository"
ALL_TAGS = {"owner": "platform-team", "service": "orders", "environment": "prod"}
REASON = "Legacy group, migrated in INC-4211"


def default_provider(name="default_7_51_1"):
    return Provider(type="pulumi:providers:aws", name=name, urn=urn("pulumi:providers:aws", name),
                    properties={"region": "eu-west-1"})


def tagged_provider(tags):
    p = aws_provider("111111111111", name="tooling-provider")
    p.properties = {**p.properties, "defaultTags": json.dumps({"tags": tags})}
    return p


def waiver_config(policy, *waivers):
    return {policy: {"waivers": [dict(zip(("resource", "reason", "expires"), w)) for w in waivers]}}


@pytest.fixture
def raw_config(pack):
    """For tests that send the pack a config the CLI would refuse: restore a valid one afterwards."""
    yield pack.client
    pack.configure()


@pytest.fixture
def own_pack(pack):
    """A pack process of its own: expired waivers are remembered per process, so keep them out of `pack`."""
    with PolicyPackClient(pack.client.pack_dir) as client:
        yield Pack(client)


# ---- platform-stateful-resources-protected -------------------------------------------------

def test_unprotected_stateful_resources_violate(pack):
    for type_, kind in ((REPOSITORY, "ECR repository"), (BUCKET, "bucket"), ("aws:kms/key:Key", "KMS key"),
                        (LOG_GROUP, "log group")):
        [d] = pack.check(type_, {}, name="orders").of("platform-stateful-resources-protected")
        assert (d.enforcement, d.severity) == ("mandatory", "high")
        assert f'{kind} "orders" is not protected' in d.message and "protect=True" in d.message


def test_protected_stateful_resource_passes(pack):
    r = pack.check(REPOSITORY, {}, name="orders", options=Options(protect=True))
    assert not r.of("platform-stateful-resources-protected")


# ---- platform-explicit-provider ------------------------------------------------------------

def test_resource_on_the_default_provider_violates(pack):
    on_default = resource(BUCKET, {}, name="artifacts", provider=default_provider())
    without = resource(LOG_GROUP, {}, name="build-logs")
    without.provider = None
    r = pack.analyze_stack([on_default, without])
    by_urn = {d.urn: d for d in r.of("platform-explicit-provider")}
    assert set(by_urn) == {urn(BUCKET, "artifacts"), urn(LOG_GROUP, "build-logs")}
    d = by_urn[urn(BUCKET, "artifacts")]
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert "the default provider 'default_7_51_1'" in d.message and '"artifacts"' in d.message
    assert "uses no provider" in by_urn[urn(LOG_GROUP, "build-logs")].message


def test_explicit_provider_or_non_aws_resource_passes(pack):
    r = pack.analyze_stack([
        resource(BUCKET, {}, name="artifacts", provider=aws_provider()),
        resource(BUCKET, {}, name="named-like-default", provider=aws_provider(name="default-tooling")),
        resource("random:index/randomId:RandomId", {}, name="suffix",
                 provider=default_provider("default_4_18_0")),
    ])
    assert not r.of("platform-explicit-provider")


# ---- platform-required-tags ----------------------------------------------------------------

def test_missing_required_tags_violate(pack):
    r = pack.analyze_stack([
        resource(BUCKET, {"tags": {"owner": "platform-team"}}, name="artifacts"),
        resource("aws:sqs/queue:Queue", {"tags": {}}, name="events"),        # not in the table, but sets tags
        resource("aws:s3/bucketPolicy:BucketPolicy", {"policy": "{}"}, name="artifacts-policy"),  # untaggable
    ])
    by_urn = {d.urn: d for d in r.of("platform-required-tags")}
    assert set(by_urn) == {urn(BUCKET, "artifacts"), urn("aws:sqs/queue:Queue", "events")}
    d = by_urn[urn(BUCKET, "artifacts")]
    assert (d.enforcement, d.severity) == ("mandatory", "medium")
    assert "missing required tags service, environment;" in d.message and "default_tags" in d.message


def test_tags_from_provider_default_tags_count(pack):
    provider = tagged_provider({"service": "orders", "environment": "prod"})
    r = pack.analyze_stack([
        resource(BUCKET, {"tags": {"owner": "platform-team"}}, name="artifacts", provider=provider),
        resource(REPOSITORY, {"tags": ALL_TAGS}, name="orders"),
    ])
    assert not r.of("platform-required-tags")


def test_required_tags_come_from_config(pack):
    config = {"platform-required-tags": {"requiredTags": ["cost-center"]}}
    [d] = pack.analyze_stack([resource(REPOSITORY, {"tags": ALL_TAGS}, name="orders")], config
                             ).of("platform-required-tags")
    assert "missing required tags cost-center;" in d.message


# ---- waivers and platform-waiver-expired ---------------------------------------------------

def test_active_waiver_suppresses_the_violation_and_is_counted(pack):
    config = waiver_config("logs-group-retention-set", ("orders-*", REASON, "2999-12-31"))
    waived = pack.check(LOG_GROUP, {}, config, name="orders-build-logs")
    assert not waived.of("logs-group-retention-set")
    [reason] = [why for policy, why in waived.not_applicable if policy == "logs-group-retention-set"]
    assert reason.startswith("waived (1): orders-* until 2999-12-31: ") and REASON in reason
    assert pack.check(LOG_GROUP, {}, config, name="payments-logs").of("logs-group-retention-set")


def test_active_waiver_applies_to_a_stack_rule_by_urn(pack):
    bucket_urn = urn(BUCKET, "artifacts")
    config = waiver_config("s3-bucket-versioning", (bucket_urn, "Scratch bucket for load tests",
                                                    "2999-12-31"))
    buckets = [resource(BUCKET, {}, name="artifacts"), resource(BUCKET, {}, name="other")]
    r = pack.analyze_stack(buckets, config)
    assert [d.urn for d in r.of("s3-bucket-versioning")] == [urn(BUCKET, "other")]
    assert any(p == "s3-bucket-versioning" and why.startswith("waived (1)") for p, why in r.not_applicable)


def test_expired_waiver_no_longer_applies_and_is_reported(own_pack):
    assert not own_pack.analyze_stack([]).of("platform-waiver-expired")
    config = waiver_config("logs-group-retention-set", ("orders-*", REASON, "2001-02-03"))
    r = own_pack.check(LOG_GROUP, {}, config, name="orders-build-logs")
    [violation] = r.of("logs-group-retention-set")
    assert violation.enforcement == "mandatory"
    [d] = own_pack.analyze_stack([], config).of("platform-waiver-expired")
    assert (d.enforcement, d.severity, d.urn) == ("mandatory", "medium", "")
    assert 'policy "logs-group-retention-set" on "orders-*" expired on 2001-02-03' in d.message
    assert REASON in d.message and "renew it with a new expiry date" in d.message


@pytest.mark.parametrize("waiver, error", [
    ({"resource": "orders-*", "reason": "short", "expires": "2999-12-31"}, ".reason: 'short' is too short"),
    ({"resource": "orders-*", "reason": REASON, "expires": "31/12/2999"},
     ".expires: '31/12/2999' is not a calendar date (YYYY-MM-DD)"),
    ({"resource": "orders-*", "reason": REASON, "expires": "2027-02-30"},
     ".expires: '2027-02-30' is not a calendar date (YYYY-MM-DD)"),
    ({"resource": "orders-*", "reason": REASON, "expires": "2999-12-31", "owner": "me"},
     ": Additional properties are not allowed ('owner' was unexpected)"),
])
def test_malformed_waiver_is_refused_by_preflight_and_by_the_pack_at_configure(pack, raw_config, waiver, error):
    config = {"logs-group-retention-set": {"waivers": [waiver]}}
    message = "policy pack config: logs-group-retention-set.waivers[0]" + error
    with pytest.raises(pack_config.PackConfigError) as reconciled:
        pack.configure(config)
    assert str(reconciled.value) == message
    # The pack validates on its own too: the CLI sends whatever the file says.
    with pytest.raises(PackError) as configured:
        raw_config.configure(config)
    assert str(configured.value).endswith(message)
