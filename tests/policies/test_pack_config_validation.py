"""The pack refuses a bad --policy-pack-config at Configure, word for word as preflight does.

Configure goes over the real gRPC protocol with the stub (the CLI sends the file's values as
they are); preflight's `reconcile` refuses the same config first, with the same one line.
"""
from __future__ import annotations

import grpc
import pytest
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk

from aws_cicd_guardrails import POLICIES, RULES, _configure
from preflight import pack_config
from preflight.analyzer import PackError
from preflight.protocol import configure_request
from tests.policies.conftest import PACK_DIR

REASON = "Legacy group, migrated in INC-4211"
LOGS = "logs-group-retention-set"
BAD_CONFIGS = {
    "unknown policy, near a real one": (
        {"ecs-task-definition-image-pined": {"enforcementLevel": "advisory"}},
        "policy pack config: unknown policy 'ecs-task-definition-image-pined'; "
        "did you mean 'ecs-task-definition-image-pinned'?"),
    "unknown policy": ({"no-such-thing-anywhere": {"enforcementLevel": "mandatory"}},
                       "policy pack config: unknown policy 'no-such-thing-anywhere'"),
    "invalid regex in a list": (
        {"ecs-task-definition-image-registry-allowed": {"allowedRegistries": ["^a/", "^b/", "(unclosed"]}},
        "policy pack config: ecs-task-definition-image-registry-allowed.allowedRegistries[2]: invalid regular "
        "expression '(unclosed': missing ), unterminated subpattern at position 0"),
    "invalid regex in a string": (
        {"codepipeline-staging-before-prod": {"prodNamePattern": "prod[uction"}},
        "policy pack config: codepipeline-staging-before-prod.prodNamePattern: invalid regular expression "
        "'prod[uction': unterminated character set at position 4"),
    "boolean for an integer": (
        {"kms-key-deletion-window": {"minDeletionWindowDays": True}},
        "policy pack config: kms-key-deletion-window.minDeletionWindowDays: True is not of type 'integer'"),
    "boolean for a number": (
        {"codedeploy-blue-termination-wait": {"minTerminationWaitMinutes": False}},
        "policy pack config: codedeploy-blue-termination-wait.minTerminationWaitMinutes: "
        "False is not of type 'number'"),
    "integer out of range": (
        {"kms-key-deletion-window": {"minDeletionWindowDays": 3}},
        "policy pack config: kms-key-deletion-window.minDeletionWindowDays: 3 is less than the minimum of 7"),
    "waiver of an unwaivable rule": (
        {"iam-policy-no-admin": {"waivers": [{"resource": "*", "reason": REASON, "expires": "2999-01-01"}]}},
        "policy pack config: iam-policy-no-admin: cannot be waived; remove its waivers"),
    "waiver reason too short": (
        {LOGS: {"waivers": [{"resource": "orders-*", "reason": "short", "expires": "2999-12-31"}]}},
        f"policy pack config: {LOGS}.waivers[0].reason: 'short' is too short"),
    "waiver expiry not a date": (
        {LOGS: {"waivers": [{"resource": "orders-*", "reason": REASON, "expires": "2027-02-30"}]}},
        f"policy pack config: {LOGS}.waivers[0].expires: '2027-02-30' is not a calendar date (YYYY-MM-DD)"),
    "waiver under another policy": (
        {LOGS: {"waivers": [{"policy": "s3-bucket-versioning", "resource": "orders-*", "reason": REASON,
                             "expires": "2999-12-31"}]}},
        f"policy pack config: {LOGS}.waivers[0].policy: must be '{LOGS}', got 's3-bucket-versioning'"),
    "waiver with a stray key": (
        {LOGS: {"waivers": [{"resource": "orders-*", "reason": REASON, "expires": "2999-12-31", "owner": "me"}]}},
        f"policy pack config: {LOGS}.waivers[0]: Additional properties are not allowed ('owner' was unexpected)"),
    "misspelt property": (
        {"kms-key-deletion-window": {"minDeletionWindowDay": 10}},
        "policy pack config: kms-key-deletion-window.minDeletionWindowDay: unknown property; "
        "did you mean 'minDeletionWindowDays'?"),
    "unknown property": (
        {"kms-key-deletion-window": {"colour": "blue"}},
        "policy pack config: kms-key-deletion-window.colour: unknown property; "
        "kms-key-deletion-window takes minDeletionWindowDays, waivers"),
    "property of a rule with none": (
        {"iam-policy-no-admin": {"strict": True}},
        "policy pack config: iam-policy-no-admin.strict: unknown property; iam-policy-no-admin takes no properties"),
    "first problem by policy name": (
        {"kms-key-deletion-window": {"minDeletionWindowDays": 3},
         "codedeploy-blue-termination-wait": {"minTerminationWaitMinutes": -1}},
        "policy pack config: codedeploy-blue-termination-wait.minTerminationWaitMinutes: "
        "-1 is less than the minimum of 0"),
}




@pytest.fixture
def stub(pack):
    """The pack's gRPC stub; the session pack gets a valid config back afterwards."""
    yield pack.client.stub
    pack.configure()


def refused(stub, config) -> str:
    with pytest.raises(grpc.RpcError) as e:
        stub.Configure(configure_request(config))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value
    return e.value.details()


@pytest.mark.parametrize("config, message", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_is_refused_by_the_pack_and_by_preflight_with_one_message(pack, stub, config, message):
    assert refused(stub, config) == message
    with pytest.raises(pack_config.PackConfigError) as e:
        pack_config.reconcile(pack.infos, pack_config.normalise(config))
    assert str(e.value) == message


def test_nan_and_infinities_are_refused_wherever_they_sit(pack, stub):
    nan = {"platform-required-tags": {"requiredTags": ["owner"], "waivers": [{"x": [1, float("nan")]}]}}
    expected = "policy pack config: platform-required-tags.waivers[0].x[1]: must be a finite number, got NaN"
    assert refused(stub, nan) == expected
    with pytest.raises(pack_config.PackConfigError) as e:
        pack_config.normalise(nan)
    assert str(e.value) == expected
    inf = {"kms-key-deletion-window": {"minDeletionWindowDays": float("-inf")}}
    assert refused(stub, inf) == ("policy pack config: kms-key-deletion-window.minDeletionWindowDays: "
                                  "must be a finite number, got -Infinity")


def test_no_unwaivable_rule_takes_a_waiver_even_one_that_matches_nothing(pack, stub):
    unwaivable = [p["name"] for p in pack.infos if "waivers" not in p["configSchema"].get("properties", {})]
    assert sorted(unwaivable) == ["codepipeline-prod-manual-approval-required", "iam-policy-no-admin",
                                  "iam-role-trust-no-wildcard-principal"]
    for name in unwaivable:
        config = {name: {"waivers": [{"resource": "nothing-matches-*", "reason": REASON, "expires": "2999-01-01"}]}}
        message = f"policy pack config: {name}: cannot be waived; remove its waivers"
        assert refused(stub, config) == message
        with pytest.raises(pack_config.PackConfigError) as e:
            pack_config.reconcile(pack.infos, config)
        assert str(e.value) == message


def test_all_takes_a_level_only(pack, stub):
    # The CLI passes `all` on to the pack like a policy of its own.
    stub.Configure(configure_request({"all": {"enforcementLevel": "advisory"}}))
    assert refused(stub, {"all": {"enforcementLevel": "advisory", "colour": "blue"}}) == \
        "policy pack config: all.colour: unknown property; all takes no properties"


def test_every_regex_property_refuses_an_invalid_regex(pack, stub):
    checked = []
    for p in pack.infos:
        for key, schema in ((p.get("configSchema") or {}).get("properties") or {}).items():
            if schema.get("format") == "regex":
                value, where = "a(", f"{p['name']}.{key}"
            elif (schema.get("items") or {}).get("format") == "regex":
                value, where = ["a("], f"{p['name']}.{key}[0]"
            else:
                continue
            message = (f"policy pack config: {where}: invalid regular expression 'a(': "
                       "missing ), unterminated subpattern at position 1")
            assert refused(stub, {p["name"]: {key: value}}) == message
            checked.append(key)
    assert set(checked) == {"prodNamePattern", "stagingNamePattern", "exemptFunctionPattern",
                            "secretNamePatterns", "allowedRegistries", "testCommandPatterns"}


def test_every_property_described_as_a_regex_is_checked_as_one():
    for rule in RULES:
        for key, schema in rule.schema_properties().items():
            if "regular expression" in schema.get("description", "").lower():
                marked = schema.get("format") or (schema.get("items") or {}).get("format")
                assert marked == "regex", f"{rule.name}.{key}: add {key!r} to _registry.REGEX_PROPERTIES"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_configs_pass_preflight_and_the_pack(pack, stub, stack):
    given = pack_config.load(PACK_DIR / "config" / f"{stack}.json")
    reconciled = pack_config.reconcile(pack.infos, given)
    stub.Configure(configure_request({**reconciled, **({"all": given["all"]} if "all" in given else {})}))


def test_a_refused_config_reaches_the_preflight_user_as_one_line(pack, stub):
    with pytest.raises(PackError) as e:
        pack.client.configure({"iam-policy-no-admin": {"waivers": []}})
    text = str(e.value)
    assert "\n" not in text
    assert text.endswith("policy pack config: iam-policy-no-admin: cannot be waived; remove its waivers")


# ---- the SDK internal the Configure hook wraps (policies/aws_cicd_guardrails/_configure.py) ---

class AbortingContext:
    def abort(self, code, details):
        raise RuntimeError(code, details)


def servicer():
    return sdk._PolicyAnalyzerServicer("aws-cicd-guardrails", "0.0.1", POLICIES, EnforcementLevel.MANDATORY)


def test_sdk_servicer_still_has_the_configure_this_pack_wraps(monkeypatch):
    assert _configure.configure_method().__qualname__ == f"{_configure.SDK_CLASS}.Configure", (
        "pulumi_policy changed: policies/aws_cicd_guardrails/_configure.py wraps a method that is no longer "
        "the SDK's")
    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "Configure", sdk._PolicyAnalyzerServicer.Configure)
    _configure.install()
    s = servicer()
    s.Configure(configure_request({"kms-key-deletion-window": {"enforcementLevel": "advisory", "minDeletionWindowDays": 10}}),
                AbortingContext())
    # The SDK still keeps what Configure got and hands it to the policy: the wrapper passed it on.
    assert s._get_policy_config("kms-key-deletion-window") == {"minDeletionWindowDays": 10.0}, (
        "pulumi_policy changed how Configure stores the policy config; review "
        "policies/aws_cicd_guardrails/_configure.py")
    with pytest.raises(RuntimeError) as e:
        s.Configure(configure_request({"kms-key-deletion-window": {"minDeletionWindowDays": 3}}), AbortingContext())
    assert e.value.args == (grpc.StatusCode.INVALID_ARGUMENT, "policy pack config: kms-key-deletion-window."
                            "minDeletionWindowDays: 3 is less than the minimum of 7")


def test_a_changed_sdk_stops_the_pack_with_the_reason(monkeypatch):
    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "Configure", lambda self, request: None)
    with pytest.raises(_configure.SdkChanged, match=r"pulumi_policy 1\.21\.0: pulumi_policy\.policy\."
                                                    r"_PolicyAnalyzerServicer\.Configure\(self, request\) is not "
                                                    r"Configure\(self, request, _context\); update "
                                                    r"policies/aws_cicd_guardrails/_configure\.py"):
        _configure.install()
    monkeypatch.delattr(sdk, "_PolicyAnalyzerServicer")
    with pytest.raises(_configure.SdkChanged, match="_PolicyAnalyzerServicer.Configure is not"):
        _configure.install()
