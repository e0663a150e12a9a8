"""scripts/set_pack_version.py: a release tag's version into PulumiPolicy.yaml, everything else kept.

What Pulumi Cloud accepts as a pack version: pulumi/pulumi pkg/backend/httpstate/client/client.go,
validatePolicyPackVersion (`^[a-zA-Z0-9-_.]{1,100}$`, checked by PublishPolicyPack before anything is
sent); the version published is PulumiPolicy.yaml's (pkg/resource/plugin/analyzer_plugin.go reads
proj.Version; pulumi_policy/policy.py: "Python policy packs should specify a version in
PulumiPolicy.yaml; the CLI will use the version specified there").
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "set_pack_version.py"
PACK_FILE = ROOT / "policies" / "PulumiPolicy.yaml"
PULUMI_CLOUD_VERSION = re.compile(r"^[a-zA-Z0-9-_.]{1,100}$")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def pack_file(tmp_path):
    copy = tmp_path / "PulumiPolicy.yaml"
    copy.write_bytes(PACK_FILE.read_bytes())
    return copy


@pytest.mark.parametrize("tag, version", [
    ("v1.4.0", "1.4.0"), ("refs/tags/v2.0.0-rc.1", "2.0.0-rc.1"), ("0.2.10", "0.2.10"),
    ("v1.0.0-alpha-2.x", "1.0.0-alpha-2.x"),
])
def test_the_tag_version_replaces_the_version_line_and_nothing_else(pack_file, tag, version):
    before = pack_file.read_text()
    result = run(tag, "--file", str(pack_file))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{version}\n", "")
    after = pack_file.read_text()
    assert yaml.safe_load(after)["version"] == version
    assert PULUMI_CLOUD_VERSION.match(version)
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [("version: 0.1.0", f"version: {version}")]
    assert len(before.splitlines()) == len(after.splitlines())


@pytest.mark.parametrize("tag", [
    "main", "v1.2", "v1.2.3.4", "v01.2.3", "v1.2.3+build.5", "release-1.2.3", "v1.2.3-", "v1.2.3-rc..1",
    "v1.2.3-" + "x" * 100,
])
def test_a_tag_that_is_not_a_publishable_semver_is_refused_with_one_line_and_exit_2(pack_file, tag):
    before = pack_file.read_bytes()
    result = run(tag, "--file", str(pack_file))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("set_pack_version: ")
    assert pack_file.read_bytes() == before


def test_build_metadata_is_refused_because_pulumi_cloud_refuses_plus():
    assert not PULUMI_CLOUD_VERSION.match("1.2.3+build.5")
    assert "build metadata" in run("v1.2.3+build.5", "--file", "/nonexistent").stderr


def test_comments_and_a_missing_version_line(tmp_path):
    path = tmp_path / "PulumiPolicy.yaml"
    path.write_text("# the pack\nruntime: python  # kept\ndescription: x\n")
    assert run("v3.1.4", "--file", str(path)).returncode == 0
    assert path.read_text() == "# the pack\nruntime: python  # kept\ndescription: x\nversion: 3.1.4\n"


def test_nested_version_keys_are_not_the_pack_version(tmp_path):
    path = tmp_path / "PulumiPolicy.yaml"
    path.write_text("runtime:\n  name: python\n  options:\n    version: keep\nversion: 0.0.1\n")
    assert run("v9.9.9", "--file", str(path)).returncode == 0
    assert yaml.safe_load(path.read_text()) == {
        "runtime": {"name": "python", "options": {"version": "keep"}}, "version": "9.9.9"}


def test_two_top_level_version_lines_or_a_missing_file_stop_with_exit_2(tmp_path):
    path = tmp_path / "PulumiPolicy.yaml"
    path.write_text("version: 1.0.0\nruntime: python\nversion: 1.0.1\n")
    result = run("v2.0.0", "--file", str(path))
    assert result.returncode == 2 and "2 top-level 'version:' lines" in result.stderr
    missing = run("v2.0.0", "--file", str(tmp_path / "absent.yaml"))
    assert missing.returncode == 2 and "No such file" in missing.stderr


def test_check_changes_nothing_and_says_whether_the_file_carries_the_tags_version(tmp_path):
    pack = tmp_path / "PulumiPolicy.yaml"
    pack.write_text("runtime: python\nversion: 0.1.0  # released\n")
    script = [sys.executable, str(SCRIPT)]
    same = subprocess.run([*script, "--check", "v0.1.0", "--file", str(pack)], capture_output=True, text=True)
    assert (same.returncode, same.stdout, same.stderr) == (0, "0.1.0\n", "")
    other = subprocess.run([*script, "--check", "v0.2.0", "--file", str(pack)], capture_output=True, text=True)
    assert other.returncode == 1 and other.stdout == "" and other.stderr.count("\n") == 1
    assert "does not say version 0.2.0" in other.stderr
    assert pack.read_text() == "runtime: python\nversion: 0.1.0  # released\n"
