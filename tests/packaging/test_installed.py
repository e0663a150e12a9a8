"""`pip install .` into a fresh virtualenv, then the pre-commit hook's entry, run as pre-commit runs it,
on a fixture program that has no policy pack of its own: the bundled pack, the bundled configs."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "tests" / "fixtures" / "violating"
HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def top_level(site_packages: Path) -> set[str]:
    return {p.name.removesuffix(".py") for p in site_packages.iterdir()
            if not p.name.endswith((".dist-info", ".pth")) and p.name != "__pycache__"}


def test_the_distribution_installs_distinct_names_and_the_pack_files(installed):
    names = top_level(installed.site_packages)
    assert {"preflight", "aws_cicd_guardrails", "aws_cicd_guardrails_pack"} <= names
    assert not names & {"policies", "rules", "components", "tests"}
    pack = installed.site_packages / "aws_cicd_guardrails_pack"
    files = sorted(str(p.relative_to(pack)) for p in pack.rglob("*") if "__pycache__" not in p.parts)
    assert files == ["PulumiPolicy.yaml", "__main__.py", "config", "config/dev.json", "config/prod.json",
                     "requirements.txt"]
    script = HOOK["entry"].split()[0]
    assert (installed.bin / script).is_file() and script in PROJECT["scripts"]
    check = installed.run(str(installed.bin / "python"), "-m", "pip", "check", cwd=ROOT)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("config, scan_on_push", [("prod", "mandatory"), ("dev", "advisory")])
def test_the_hook_entry_checks_a_program_with_the_bundled_pack_and_config(installed, config, scan_on_push):
    proc = installed.run(*HOOK["entry"].split(), "--stack", "dev", "--policy-pack-config", f"bundled:{config}",
                         "--format", "json", "--no-known-parts", cwd=PROGRAM)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["policy_pack"] == {"name": "aws-cicd-guardrails", "version": "0.1.0"}
    found = {(v["policy"], v["enforcement"], v["resource_name"]) for v in report["violations"]}
    assert ("ecr-repository-scan-on-push", scan_on_push, "orders") in found
    assert ("s3-bucket-public-access-blocked", "mandatory", "b") in found
    # Run on the hook's own interpreter: nothing was built into site-packages.
    assert not (installed.site_packages / "aws_cicd_guardrails_pack" / "venv").exists()


def test_an_unknown_bundled_config_is_one_line_naming_the_bundled_ones(installed):
    proc = installed.run(*HOOK["entry"].split(), "--policy-pack-config", "bundled:nope", cwd=PROGRAM)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == ("preflight: argument --policy-pack-config: bundled:nope: no bundled config of "
                           "that name; bundled: bundled:dev, bundled:prod\n")
