"""End to end on this project: the platform program and aws-cicd-guardrails through `python -m preflight`."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = {"111111111111", "222222222222", "333333333333"}


def preflight(*args: str, program: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preflight", "--program", str(program),
                           "--policy-pack", str(ROOT / "policies"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_prod_stack_passes_every_prod_policy(mode):
    proc = preflight("--stack", "prod", "--policy-pack-config", "policies/config/prod.json",
                     "--mode", mode, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["mandatory"] == 0 and report["summary"]["advisory"] == 0, report["violations"]
    assert report["policy_pack"]["name"] == "aws-cicd-guardrails"
    custom_aws = [r for r in report["resources"] if r["type"].startswith("aws:")]
    assert len(custom_aws) > 250
    assert {r["account"] for r in custom_aws} == ACCOUNTS
    unevaluated = [n for n in report["not_applicable"] if n["reason"].startswith("unknown during preview")]
    assert (mode == "up") == (not unevaluated)


def test_dev_stack_has_only_its_deliberate_advisory():
    proc = preflight("--stack", "dev", "--policy-pack-config", "policies/config/dev.json", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    violations = json.loads(proc.stdout)["violations"]
    # The dev sandbox's "events" service deploys all at once, to prod too: its CodeDeploy group and its
    # pipeline's prod Lambda deploy action are both named, advisory in dev.
    assert sorted((v["policy"], v["enforcement"], v["resource_name"]) for v in violations) == [
        ("codedeploy-lambda-no-all-at-once-in-prod", "advisory", "events-prod-deployment-group"),
        ("lambda-prod-deployed-through-alias", "advisory", "events-delivery-pipeline")]


def _program_with(tmp_path: Path, edit) -> Path:
    """The platform's files linked into tmp_path, with an edited copy of the prod stack file."""
    dest = tmp_path / "program"
    dest.mkdir()
    for entry in ROOT.iterdir():
        if entry.name != "Pulumi.prod.yaml":
            (dest / entry.name).symlink_to(entry)
    stack = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    edit(stack["config"])
    (dest / "Pulumi.prod.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))
    return dest


def test_bad_config_stops_the_program_with_its_one_line_and_exit_2(tmp_path):
    def bad_port(config):
        config["aws-cicd-platform:services"][1]["port"] = 70000
    proc = preflight("--stack", "prod", program=_program_with(tmp_path, bad_port))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().endswith("aws-cicd-platform:services[1].port: must be 1..65535, got 70000")
    assert "Traceback" not in proc.stderr


def test_a_latest_image_tag_never_reaches_aws(tmp_path):
    def latest(config):
        config["aws-cicd-platform:services"][0]["imageTag"] = "latest"
    proc = preflight("--stack", "prod", program=_program_with(tmp_path, latest))
    assert proc.returncode == 2
    assert "aws-cicd-platform:services[0].imageTag" in proc.stderr and "latest" in proc.stderr
