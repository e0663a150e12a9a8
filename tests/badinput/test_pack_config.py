"""Bad `--policy-pack-config` files against the real pack (ROOT/policies) and a tiny program: exit 2, one line."""
from __future__ import annotations

import pytest

from tests.badinput.badinput_helpers import REAL_PACK, assert_report, run_case
from tests.badinput.harness import assert_contract


@pytest.fixture(scope="session", autouse=True)
def real_pack_venv():
    """The real pack runs in policies/venv, built on first use (~30 s): once, before the timed cases."""
    from preflight import pack_env
    pack_env.resolve(REAL_PACK)

WAIVER = '{"resource": "orders", "reason": "migration in flight", "expires": "2099-01-31"}'

# (id, file content (str/bytes, None: a directory), phrase the one stderr line must hold)
CASES = [
    ("unknown-policy", '{"no-such-policy": "mandatory"}', "unknown policy 'no-such-policy'"),
    ("misspelt-policy-did-you-mean", '{"ecr-repository-tags-imutable": "mandatory"}',
     "did you mean 'ecr-repository-tags-immutable'?"),
    ("invalid-regex", '{"ecs-task-definition-image-registry-allowed": {"allowedRegistries": ["^(unclosed"]}}',
     "invalid regular expression '^(unclosed'"),
    ("registries-not-a-list", '{"ecs-task-definition-image-registry-allowed": {"allowedRegistries": "^x"}}',
     "is not of type 'array'"),
    ("nan", '{"kms-key-deletion-window": {"minDeletionWindowDays": NaN}}', "must be a finite number, got NaN"),
    ("infinity", '{"kms-key-deletion-window": {"minDeletionWindowDays": Infinity}}', "got Infinity"),
    ("minus-infinity", '{"kms-key-deletion-window": {"minDeletionWindowDays": -Infinity}}', "got -Infinity"),
    ("overflowing-number", '{"kms-key-deletion-window": {"minDeletionWindowDays": 1e999}}', "got 1e999"),
    ("bool-for-int", '{"kms-key-deletion-window": {"minDeletionWindowDays": true}}', "is not of type 'integer'"),
    ("fraction-for-int", '{"kms-key-deletion-window": {"minDeletionWindowDays": 7.5}}', "is not of type 'integer'"),
    ("int-below-minimum", '{"kms-key-deletion-window": {"minDeletionWindowDays": 3}}', "less than the minimum"),
    ("unknown-property", '{"kms-key-deletion-window": {"minDeletionWindowDay": 7}}',
     "unknown property; did you mean 'minDeletionWindowDays'?"),
    ("waiver-on-unwaivable-rule", '{"iam-policy-no-admin": {"waivers": [%s]}}' % WAIVER,
     "iam-policy-no-admin: cannot be waived"),
    ("waiver-missing-reason",
     '{"ecr-repository-tags-immutable": {"waivers": [{"resource": "orders", "expires": "2099-01-31"}]}}',
     "'reason' is a required property"),
    ("waiver-reason-too-short",
     '{"ecr-repository-tags-immutable": {"waivers": [{"resource": "o", "reason": "x", "expires": "2099-01-31"}]}}',
     "reason"),
    ("waiver-date-slashes",
     '{"ecr-repository-tags-immutable": {"waivers": [{"resource": "o", "reason": "migration in flight", '
     '"expires": "2099/01/31"}]}}', "expires"),
    ("waiver-date-not-in-calendar",
     '{"ecr-repository-tags-immutable": {"waivers": [{"resource": "o", "reason": "migration in flight", '
     '"expires": "2099-02-30"}]}}', "not a calendar date"),
    ("waiver-unknown-key",
     '{"ecr-repository-tags-immutable": {"waivers": [{"resource": "o", "reason": "migration in flight", '
     '"expires": "2099-01-31", "until": "x"}]}}', "until"),
    ("waiver-not-a-list", '{"ecr-repository-tags-immutable": {"waivers": %s}}' % WAIVER, "is not of type 'array'"),
    ("all-bad-level", '{"all": "strict"}', '"strict" is not a valid enforcement level'),
    ("policy-bad-level", '{"iam-policy-no-admin": "warn"}', '"warn" is not a valid enforcement level'),
    ("object-bad-level", '{"iam-policy-no-admin": {"enforcementLevel": 1}}', "1 is not a valid enforcement level"),
    ("all-with-property", '{"all": {"enforcementLevel": "advisory", "waivers": []}}', "all.waivers: unknown property"),
    ("value-is-number", '{"iam-policy-no-admin": 5}', "must be a string or object"),
    ("value-is-null", '{"iam-policy-no-admin": null}', "null is not a valid value"),
    ("top-level-list", '["iam-policy-no-admin"]', "must be a JSON object, got list"),
    ("top-level-string", '"mandatory"', "must be a JSON object, got str"),
    ("trailing-garbage", '{"all": "advisory"} trailing', "Extra data"),
    ("truncated", '{"all": "advisory"', ":1:"),
    ("utf8-bom", b'\xef\xbb\xbf{"all": "advisory"}', "BOM"),
    ("non-utf8", b'{"all": "advis\xffory"}', "not UTF-8"),
    ("deeply-nested", '{"x": ' + "[" * 100000 + "]" * 100000 + "}", "nested"),
    ("nested-within-json-limit", '{"kms-key-deletion-window": {"x": ' + "[" * 900 + "]" * 900 + "}}",
     "nested deeper than 64 levels"),
    ("directory-as-config", None, "Is a directory"),
]


@pytest.mark.parametrize("content,phrase", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_pack_config(tmp_path, content, phrase):
    config = tmp_path / "config.json"
    if content is None:
        config.mkdir()
    elif isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content)
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(REAL_PACK), "--policy-pack-config", str(config)])
    assert_contract(outcome, code=2, contains=phrase, before=before, program=prog)


def test_missing_config_file(tmp_path):
    outcome, prog, before = run_case(
        tmp_path, ["--policy-pack", str(REAL_PACK), "--policy-pack-config", str(tmp_path / "nope.json")])
    assert_contract(outcome, code=2, contains="No such file or directory", before=before, program=prog)


@pytest.mark.parametrize("content", ["", "  \n\t\n"], ids=["empty", "whitespace-only"])
def test_empty_config_is_no_config(tmp_path, content):
    """The CLI's parsePolicyPackConfig: "Gracefully allow empty content" — the pack's defaults apply."""
    config = tmp_path / "config.json"
    config.write_text(content)
    outcome, prog, before = run_case(tmp_path, ["--policy-pack", str(REAL_PACK), "--policy-pack-config", str(config)])
    assert_report(outcome, code=1, before=before, program=prog)
