"""The secret heuristic (aws_cicd_guardrails/env_secrets.py), measured over a labelled set of name / value
pairs (tests/policies/secret_names.py): precision and recall must stay above their floors."""
import json
import re

import pytest

from aws_cicd_guardrails.env_secrets import secret_reason
from tests.policies.conftest import PACK_DIR
from tests.policies.secret_names import LABELLED, NOT_SECRETS, SECRETS

PRECISION_FLOOR, RECALL_FLOOR = 0.95, 0.95
PROD_PATTERNS = json.loads((PACK_DIR / "config" / "prod.json").read_text())[
    "codebuild-project-no-plaintext-secrets"]["secretNamePatterns"]


def _measure(extra=()):
    flagged = {(n, v): secret_reason(n, v, extra) is not None for n, v, _ in LABELLED}
    tp = [(n, v) for n, v, secret in LABELLED if secret and flagged[(n, v)]]
    fp = [n for n, v, secret in LABELLED if not secret and flagged[(n, v)]]
    fn = [n for n, v, secret in LABELLED if secret and not flagged[(n, v)]]
    return len(tp) / ((len(tp) + len(fp)) or 1), len(tp) / ((len(tp) + len(fn)) or 1), fp, fn


def test_labelled_set_is_large_and_balanced():
    assert len(LABELLED) >= 150 and len(SECRETS) >= 60 and len(NOT_SECRETS) >= 60
    assert len({(n, v) for n, v, _ in LABELLED}) == len(LABELLED), "a pair is labelled once"


@pytest.mark.parametrize("patterns", [[], PROD_PATTERNS], ids=["defaults", "prod-secretNamePatterns"])
def test_precision_and_recall_over_the_labelled_set(patterns):
    precision, recall, fp, fn = _measure([re.compile(p, re.IGNORECASE) for p in patterns])
    figures = (f"precision {precision:.3f} (floor {PRECISION_FLOOR}), recall {recall:.3f} (floor {RECALL_FLOOR}) "
               f"over {len(SECRETS)} secrets and {len(NOT_SECRETS)} non-secrets; false positives {fp}, "
               f"false negatives {fn}")
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, figures
    print(figures)


def test_credentials_in_urls_are_secret_values_whatever_the_name():
    assert secret_reason("UPSTREAM", "postgres://app:s3cr3t@db:5432/x") == (
        "its value is a URL with a password (postgres://user:***@...)")
    assert secret_reason("REPO", "https://user:token@github.com/acme/x.git")
    assert secret_reason("X", "mongodb+srv://app:pw@cluster0.x.mongodb.net/db")
    for value in ("https://x-token-auth@github.com/acme/x.git", "postgres://app:${DB_PASSWORD}@db/x",
                  "postgres://app:{{resolve:secretsmanager:db:SecretString:password}}@db/x",
                  "postgres://app:#{Secrets.password}@db/x", "https://example.com/a:b@c"):
        assert secret_reason("UPSTREAM", value) is None, value


def test_reason_never_repeats_the_secret():
    for name, value in SECRETS:
        reason = secret_reason(name, value)
        secret_part = value.split("://", 1)[-1].split("@", 1)[0]
        assert reason is None or (secret_part not in reason and value not in reason), name
