"""scripts/run_examples.py on a tiny fake pulumi/examples checkout (the real one is not in the repo)."""
import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("run_examples", REPO / "scripts" / "run_examples.py")
run_examples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_examples)

PROJECT = "name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
BUCKET = "import pulumi_aws as aws\naws.s3.Bucket('site', tags={'Name': 'site'})\n"


@pytest.fixture
def checkout(tmp_path):
    root = tmp_path / "examples"
    files = {
        "aws-py-bucket/Pulumi.yaml": PROJECT.format(name="bucket"),
        "aws-py-bucket/__main__.py": BUCKET,
        "aws-py-bucket/Pulumi.prod.yaml": "config:\n  aws:region: eu-west-1\n  bucket:extra: x\n",
        "aws-py-pair/second/Pulumi.yaml": PROJECT.format(name="second"),
        "aws-py-pair/second/__main__.py": "import pulumi_notinstalled\n",
        "aws-py-pair/first/Pulumi.yaml": PROJECT.format(name="first"),
        "aws-py-pair/first/__main__.py": BUCKET,
        "aws-py-pair/first/venv/Pulumi.yaml": "name: vendored\nruntime: python\n",
        "aws-ts-bucket/Pulumi.yaml": "name: ts\nruntime: nodejs\n",
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_programs_are_every_project_under_aws_py_dirs_but_not_inside_a_venv(checkout):
    assert run_examples.find_programs(checkout) == ["aws-py-bucket", "aws-py-pair/first", "aws-py-pair/second"]


def test_the_copy_has_region_as_only_config_and_the_project_venv_and_leaves_the_checkout_alone(checkout, tmp_path):
    into = tmp_path / "run"
    into.mkdir()
    copy = run_examples.prepare(checkout / "aws-py-bucket", into, sys.executable)
    assert (copy / "Pulumi.dev.yaml").read_text() == "config:\n  aws:region: us-east-1\n"
    assert not (copy / "Pulumi.prod.yaml").exists()
    assert (copy / "venv").resolve() == Path(sys.executable).parent.parent.resolve()
    assert sorted(p.name for p in (checkout / "aws-py-bucket").iterdir()) == [
        "Pulumi.prod.yaml", "Pulumi.yaml", "__main__.py"]


def test_parse_run_groups_findings_per_policy_and_keeps_the_exit_2_line():
    report = {"resources": [{"urn": "a"}, {"urn": "b"}], "unanswered_invokes": ["aws:ec2/getAmi:getAmi"],
              "not_applicable": [{"policy": "s3-bucket-tls-only", "reason": "unknown"}],
              "violations": [{"policy": "platform-required-tags", "enforcement": "mandatory", "resource_name": "a",
                              "message": "missing tags"},
                             {"policy": "platform-required-tags", "enforcement": "mandatory", "resource_name": "b",
                              "message": "missing tags"}]}
    ran = run_examples.parse_run("aws-py-x", 1, json.dumps(report), "")
    assert ran["resources"] == 2 and ran["unanswered"] == ["aws:ec2/getAmi:getAmi"]
    assert ran["findings"] == {"platform-required-tags": {"enforcement": "mandatory", "resources": ["a", "b"],
                                                          "messages": ["missing tags", "missing tags"]}}
    assert ran["not_applicable"] == ["s3-bucket-tls-only"] and ran["traceback"] is False
    failed = run_examples.parse_run("aws-py-y", 2, "", "preflight: program error: ModuleNotFoundError: x\n")
    assert failed["line"] == "preflight: program error: ModuleNotFoundError: x" and failed["line_count"] == 1
    assert run_examples.parse_run("aws-py-z", 2, "", "Traceback (most recent call last):\n  boom\n")["traceback"]


def test_the_table_merges_the_reviews_per_program_and_policy_with_resource_overrides():
    results = [{"program": "aws-py-x", "exit": 1, "resources": 3, "unanswered": [], "stack_references": [],
                "traceback": False, "findings": {
                    "iam-policy-no-admin": {"enforcement": "mandatory", "resources": ["p1", "p2"], "messages": ["", ""]},
                    "platform-required-tags": {"enforcement": "advisory", "resources": ["p1"], "messages": [""]}}},
               {"program": "aws-py-y", "exit": 2, "line": "preflight: program error: missing config", "traceback": False}]
    reviews = {"aws-py-x": {"iam-policy-no-admin": {"verdict": "true positive", "reason": "Action * on *",
                                                    "resources": {"p2": {"verdict": "false positive",
                                                                         "reason": "a Deny statement"}}},
                            "platform-required-tags": {"verdict": "not applicable", "reason": "platform tags"}},
               "aws-py-y": {"_note": "needs config"}}
    text = run_examples.render(results, reviews, "abc123")
    assert "commit `abc123`" in text
    assert "Programs: 2; ran: 1; not runnable offline: 1; findings: 3 (TP 1, FP 1, NA 1)." in text
    assert ("| aws-py-x | 1 | 3 | iam-policy-no-admin ×2 (mandatory)<br>platform-required-tags ×1 (advisory) | "
            "iam-policy-no-admin: TP×1/FP×1 — Action * on *<br>platform-required-tags: NA — platform tags |") in text
    assert "| aws-py-y | 2 | - | - | not runnable offline: preflight: program error: missing config<br>needs config |" in text
    assert "| aws-py-x | iam-policy-no-admin | p2 | a Deny statement |" in text
    assert "Tracebacks: none." in text


def test_a_real_run_through_preflight_of_the_fake_checkout(checkout, tmp_path):
    out = tmp_path / "examples.md"
    reviews = tmp_path / "reviews.json"
    reviews.write_text(json.dumps({"aws-py-pair/first": {"platform-explicit-provider": {
        "verdict": "not applicable", "reason": "default provider in an example"}}}))
    results = tmp_path / "results.json"
    assert run_examples.main([str(checkout), "--out", str(out), "--reviews", str(reviews), "--python", sys.executable,
                              "--only", "aws-py-pair/first", "--only", "aws-py-pair/second",
                              "--results", str(results), "--timeout", "240"]) == 0
    first, second = json.loads(results.read_text())["results"]
    assert (first["exit"], first["resources"]) == (1, 2)  # the bucket and its default provider
    assert first["findings"]["platform-explicit-provider"]["resources"] == ["site"]
    assert second["exit"] == 2 and second["line_count"] == 1 and not second["traceback"]
    assert "No module named 'pulumi_notinstalled'" in second["line"]
    text = out.read_text()
    assert "platform-explicit-provider: NA — default provider in an example" in text
    assert "commit `unknown`" in text and "`pulumi==" in text
