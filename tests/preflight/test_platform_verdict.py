"""End to end on this project: the platform program and aws-cicd-guardrails through `python -m preflight`.

prod is the foundation of a layout of five stacks: the prod assertions run on the whole layout in one run
(tests/prod_layout.py: the foundation and its four service stacks, each reading the foundation)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.prod_layout import LAYOUT_ARGS, PROD_LAYOUT, program_with

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = {"111111111111", "222222222222", "333333333333"}
FOUNDATION_READ = [{"name": "prod", "stack": "organization/aws-cicd-platform/prod", "source": "run"}]


def preflight(*args: str, program: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preflight", "--program", str(program),
                           "--policy-pack", str(ROOT / "policies"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_prod_stack_passes_every_prod_policy(mode):
    proc = preflight(*LAYOUT_ARGS, "--policy-pack-config", "policies/config/prod.json",
                     "--mode", mode, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["exit_code"] == 0
    assert report["summary"]["mandatory"] == 0 and report["summary"]["advisory"] == 0, \
        [v for s in report["stacks"] for v in s["violations"]]
    assert [s["stack"] for s in report["stacks"]] == list(PROD_LAYOUT)
    custom_aws = 0
    for stack in report["stacks"]:
        name = stack["stack"]
        assert stack["summary"]["mandatory"] == 0 and stack["summary"]["advisory"] == 0, stack["violations"]
        assert stack["violations"] == [], name
        assert stack["policy_pack"]["name"] == "aws-cicd-guardrails"
        # Each service stack reads the foundation of this run; nothing is left unanswered.
        assert stack["answered_stack_references"] == ([] if name == "prod" else FOUNDATION_READ), name
        assert stack["unanswered_stack_references"] == [], name
        aws = [r for r in stack["resources"] if r["type"].startswith("aws:")]
        assert {r["account"] for r in aws} == ACCOUNTS, name
        custom_aws += len(aws)
        unevaluated = [n for n in stack["not_applicable"] if n["reason"].startswith("unknown during preview")]
        assert (mode == "up") == (not unevaluated), name
    assert custom_aws > 250


def test_dev_stack_has_only_its_deliberate_advisory():
    proc = preflight("--stack", "dev", "--policy-pack-config", "policies/config/dev.json", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    violations = json.loads(proc.stdout)["violations"]
    # The dev sandbox's "events" service deploys all at once, to prod too: its CodeDeploy group and its
    # pipeline's prod Lambda deploy action are both named, advisory in dev.
    assert sorted((v["policy"], v["enforcement"], v["resource_name"]) for v in violations) == [
        ("codedeploy-lambda-no-all-at-once-in-prod", "advisory", "events-prod-deployment-group"),
        ("lambda-prod-deployed-through-alias", "advisory", "events-delivery-pipeline")]


def _layout_stopped_on(proc: subprocess.CompletedProcess, bad: str) -> str:
    """The prod layout ran with `bad`'s program stopped: exit 2, its one line, the other stacks checked."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    summary = json.loads(proc.stdout)["summary"]
    assert summary["exit_code"] == 2
    assert [(s["stack"], s["verdict"], s["resources"] is None) for s in summary["stacks"]] == \
        [(s, "error" if s == bad else "pass", s == bad) for s in PROD_LAYOUT]
    [error] = [s["error"] for s in summary["stacks"] if s["stack"] == bad]
    assert line == f"preflight: {error}"
    return line


def test_bad_config_stops_the_program_with_its_one_line_and_exit_2(tmp_path):
    def bad_port(config):
        config["aws-cicd-platform:services"][0]["port"] = 70000
    proc = preflight(*LAYOUT_ARGS, "--format", "json", program=program_with(tmp_path, "prod-payments", bad_port))
    assert _layout_stopped_on(proc, "prod-payments") == (
        "preflight: stack prod-payments: program error: aws-cicd-platform:services[0].port: must be 1..65535, "
        "got 70000")


def test_a_latest_image_tag_never_reaches_aws(tmp_path):
    def latest(config):
        config["aws-cicd-platform:services"][0]["imageTag"] = "latest"
    proc = preflight(*LAYOUT_ARGS, "--format", "json", program=program_with(tmp_path, "prod-orders", latest))
    line = _layout_stopped_on(proc, "prod-orders")
    assert "aws-cicd-platform:services[0].imageTag" in line and "latest" in line
