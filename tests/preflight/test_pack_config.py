"""preflight/pack_config.py: a config file loaded, reconciled and refused as the CLI and the pack do.

The policies are what GetAnalyzerInfo gives preflight: schemas crossed gRPC, so their whole
numbers arrive as doubles.
"""
from __future__ import annotations

import pytest

from preflight import pack_config
from preflight.pack_config import PackConfigError

WAIVERS = {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                      "required": ["resource", "reason", "expires"],
                                      "properties": {"resource": {"type": "string"},
                                                     "reason": {"type": "string", "minLength": 10.0},
                                                     "expires": {"type": "string", "format": "date"}}}}
POLICIES = [
    {"name": "ecs-image-registry-allowed", "enforcementLevel": "mandatory", "configSchema": {"properties": {
        "allowedRegistries": {"type": "array", "items": {"type": "string", "format": "regex"},
                              "default": ["^public\\.ecr\\.aws/"]},
        "waivers": WAIVERS}}},
    {"name": "pipeline-prod-approval", "enforcementLevel": "mandatory", "configSchema": {"properties": {
        "prodNamePattern": {"type": "string", "format": "regex", "default": "prod"}}}},
    {"name": "kms-deletion-window", "enforcementLevel": "advisory", "configSchema": {"properties": {
        "minDays": {"type": "integer", "minimum": 7.0, "default": 30.0},
        "ratio": {"type": "number", "default": 0.5},
        "waivers": WAIVERS}}},
    {"name": "iam-no-admin", "enforcementLevel": "mandatory", "configSchema": {}},
]
REASON = "reviewed in INC-4211"


def reconcile(config):
    return pack_config.reconcile(POLICIES, pack_config.normalise(config))


def refusal(config) -> str:
    with pytest.raises(PackConfigError) as e:
        reconcile(config)
    return str(e.value)


def test_a_good_config_gets_defaults_all_and_its_own_values():
    got = reconcile({"all": "advisory", "kms-deletion-window": {"enforcementLevel": "mandatory", "minDays": 10},
                     "ecs-image-registry-allowed": {"waivers": [
                         {"resource": "legacy-*", "reason": REASON, "expires": "2999-12-31"}]}})
    assert got["kms-deletion-window"] == {"enforcementLevel": "mandatory", "minDays": 10, "ratio": 0.5}
    assert got["pipeline-prod-approval"] == {"enforcementLevel": "advisory", "prodNamePattern": "prod"}
    assert got["ecs-image-registry-allowed"]["waivers"][0]["resource"] == "legacy-*"
    assert "all" not in got


def test_whole_doubles_count_as_integers():
    assert reconcile({"kms-deletion-window": {"minDays": 8.0}})["kms-deletion-window"]["minDays"] == 8.0


@pytest.mark.parametrize("config, message", [
    ({"kms-deletion-widow": "mandatory"},
     "unknown policy 'kms-deletion-widow'; did you mean 'kms-deletion-window'?"),
    ({"al": "advisory"}, "unknown policy 'al'; did you mean 'all'?"),
    ({"something-else-entirely": "advisory"}, "unknown policy 'something-else-entirely'"),
    ({"ecs-image-registry-allowed": {"allowedRegistries": ["^a/", "[b"]}},
     "ecs-image-registry-allowed.allowedRegistries[1]: invalid regular expression '[b': "
     "unterminated character set at position 0"),
    ({"pipeline-prod-approval": {"prodNamePattern": "*prod"}},
     "pipeline-prod-approval.prodNamePattern: invalid regular expression '*prod': nothing to repeat at position 0"),
    ({"kms-deletion-window": {"minDays": True}}, "kms-deletion-window.minDays: True is not of type 'integer'"),
    ({"kms-deletion-window": {"ratio": False}}, "kms-deletion-window.ratio: False is not of type 'number'"),
    ({"kms-deletion-window": {"minDays": 7.5}}, "kms-deletion-window.minDays: 7.5 is not of type 'integer'"),
    ({"kms-deletion-window": {"minDays": 3}}, "kms-deletion-window.minDays: 3 is less than the minimum of 7"),
    ({"kms-deletion-window": {"minDay": 8}},
     "kms-deletion-window.minDay: unknown property; did you mean 'minDays'?"),
    ({"kms-deletion-window": {"colour": "blue"}},
     "kms-deletion-window.colour: unknown property; kms-deletion-window takes minDays, ratio, waivers"),
    ({"iam-no-admin": {"enforcementLevel": "mandatory", "strict": True}},
     "iam-no-admin.strict: unknown property; iam-no-admin takes no properties"),
    ({"iam-no-admin": {"enforcementLeve": "mandatory"}},
     "iam-no-admin.enforcementLeve: unknown property; did you mean 'enforcementLevel'?"),
    ({"all": {"enforcementLevel": "advisory", "minDays": 8}},
     "all.minDays: unknown property; all takes no properties"),
    ({"iam-no-admin": {"waivers": [{"resource": "*", "reason": REASON, "expires": "2999-01-01"}]}},
     "iam-no-admin: cannot be waived; remove its waivers"),
    ({"iam-no-admin": {"waivers": []}}, "iam-no-admin: cannot be waived; remove its waivers"),
    ({"kms-deletion-window": {"waivers": [{"resource": "*", "reason": "soon", "expires": "2999-01-01"}]}},
     "kms-deletion-window.waivers[0].reason: 'soon' is too short"),
    ({"kms-deletion-window": {"waivers": [{"resource": "*", "reason": REASON, "expires": "2027-02-30"}]}},
     "kms-deletion-window.waivers[0].expires: '2027-02-30' is not a calendar date (YYYY-MM-DD)"),
    ({"kms-deletion-window": {"waivers": [{"resource": "*", "reason": REASON}]}},
     "kms-deletion-window.waivers[0]: 'expires' is a required property"),
])
def test_bad_config_is_refused_with_one_line(config, message):
    assert refusal(config) == "policy pack config: " + message


def test_the_first_problem_is_the_first_policy_by_name_after_unknown_names():
    config = {"pipeline-prod-approval": {"prodNamePattern": "("}, "kms-deletion-window": {"minDays": 3}}
    assert refusal(config) == "policy pack config: kms-deletion-window.minDays: 3 is less than the minimum of 7"
    assert refusal({**config, "zzz-unknown": "advisory"}) == "policy pack config: unknown policy 'zzz-unknown'"
    errors = pack_config.validate(POLICIES, {**config, "zzz-unknown": {}})
    assert errors == ["unknown policy 'zzz-unknown'",
                      "kms-deletion-window.minDays: 3 is less than the minimum of 7",
                      "pipeline-prod-approval.prodNamePattern: invalid regular expression '(': "
                      "missing ), unterminated subpattern at position 0"]


def test_required_properties_of_a_schema_are_required():
    policies = [{"name": "needs-owner", "configSchema": {"properties": {"owner": {"type": "string"}},
                                                         "required": ["owner"]}}]
    with pytest.raises(PackConfigError) as e:
        pack_config.reconcile(policies, {})
    assert str(e.value) == "policy pack config: needs-owner: 'owner' is a required property"


@pytest.mark.parametrize("text, literal, where", [
    ('{"kms-deletion-window": {"minDays": NaN}}', "NaN", "kms-deletion-window.minDays"),
    ('{"kms-deletion-window": {"minDays": Infinity}}', "Infinity", "kms-deletion-window.minDays"),
    ('{"ecs-image-registry-allowed": {"waivers": [{"x": [1, -Infinity]}]}}', "-Infinity",
     "ecs-image-registry-allowed.waivers[0].x[1]"),
    ('{"kms-deletion-window": {"ratio": 1e999}}', "1e999", "kms-deletion-window.ratio"),
    ('{"all": NaN}', "NaN", "all"),
])
def test_a_file_with_nan_or_infinity_is_refused_while_loading(tmp_path, text, literal, where):
    path = tmp_path / "pack.json"
    path.write_text(text)
    with pytest.raises(PackConfigError) as e:
        pack_config.load(path)
    assert str(e.value) == f"policy pack config {path}: {where}: must be a finite number, got {literal}"


def test_nan_given_as_a_value_is_refused_like_the_pack_refuses_it():
    assert refusal({"kms-deletion-window": {"ratio": float("nan")}}) == \
        "policy pack config: kms-deletion-window.ratio: must be a finite number, got NaN"
    assert pack_config.validate(POLICIES, {"kms-deletion-window": {"ratio": float("inf")}}) == \
        ["kms-deletion-window.ratio: must be a finite number, got Infinity"]


def test_a_file_with_finite_numbers_loads(tmp_path):
    path = tmp_path / "pack.json"
    path.write_text('{"kms-deletion-window": {"minDays": 1e1, "ratio": 0.25}}')
    assert pack_config.load(path) == {"kms-deletion-window": {"minDays": 10.0, "ratio": 0.25}}
    assert reconcile(pack_config.load(path))["kms-deletion-window"]["minDays"] == 10.0


def test_file_level_errors_name_the_file(tmp_path):
    path = tmp_path / "pack.json"
    path.write_text('{"kms-deletion-window": "sometimes"}')
    with pytest.raises(PackConfigError) as e:
        pack_config.load(path)
    assert str(e.value) == (f"policy pack config {path}: parsing enforcement level for 'kms-deletion-window': "
                            '"sometimes" is not a valid enforcement level')
    path.write_text('{"kms-deletion-window": ')
    with pytest.raises(PackConfigError) as e:
        pack_config.load(path)
    assert str(e.value) == f"policy pack config {path}:1:25: Expecting value"
