"""examples/custom-pack, a team's own pack built from the library in a few lines, run over gRPC by
preflight on a fixture program. Its virtualenv is the one `pulumi install` would build from its
requirements.txt (this distribution and its dependencies): the installed test environment."""
from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "custom-pack"
PROGRAM = ROOT / "tests" / "fixtures" / "violating"


def test_its_requirements_name_this_distribution():
    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    text = (EXAMPLE / "requirements.txt").read_text()
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 1 and re.match(rf"{re.escape(name)} @ git\+https://\S+@v\d+\.\d+\.\d+$", lines[0])


def test_the_custom_pack_selects_relevels_and_adds_rules(installed, tmp_path):
    pack = tmp_path / "custom-pack"
    shutil.copytree(EXAMPLE, pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    (pack / "venv").symlink_to(installed.venv, target_is_directory=True)
    proc = installed.run("preflight", "--stack", "dev", "--policy-pack", str(pack), "--format", "json",
                         "--no-known-parts", cwd=PROGRAM)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["policy_pack"] == {"name": "acme-guardrails", "version": "0.1.0"}
    assert sorted((v["policy"], v["enforcement"], v["resource_name"]) for v in report["violations"]) == [
        ("acme-owner-tag-required", "mandatory", "orders"),
        ("ecr-repository-kms-encrypted", "mandatory", "orders"),
        ("ecr-repository-lifecycle-policy-required", "mandatory", "orders"),
        ("ecr-repository-scan-on-push", "advisory", "orders"),
        ("s3-bucket-public-access-blocked", "mandatory", "b"),
    ]
    owner = next(v for v in report["violations"] if v["policy"] == "acme-owner-tag-required")
    assert owner["message"] == "orders has no owner tag" and owner["severity"] == "medium"
