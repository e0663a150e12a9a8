"""The CI files: schema-valid, SHA-pinned, least privilege, no stored credentials, and the repository files
that govern changes to the gate (Dependabot, CODEOWNERS, LICENSE, CHANGELOG)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.workflows.runner import load_workflow as load

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)
PINNED = re.compile(r"[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"\s+# (v\d+\.\d+\.\d+)$")
# The release each action is pinned to, and its commit (git rev-parse <tag>^{commit} in the action's repository).
RELEASES = {
    "actions/checkout": ("v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"),
    "actions/setup-python": ("v7.0.0", "5fda3b95a4ea91299a34e894583c3862153e4b97"),
    "actions/upload-artifact": ("v7.0.0", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"),
    "actions/download-artifact": ("v8.0.1", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c"),
    "aws-actions/configure-aws-credentials": ("v6.2.3", "e6de054238d6b7531b4efff3b6587d9aade6a06c"),
    "github/codeql-action/upload-sarif": ("v4.36.2", "8aad20d150bbac5944a9f9d289da16a4b0d87c1e"),
    "pulumi/actions": ("v7.0.0", "8e5e406f4007fca908480587cb9893c07090f58d"),
    "pulumi/auth-actions": ("v2.1.0", "141415910c3beb54e03b48e9057c204c97b956f2"),
}


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def check_workflow(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_the_four_workflows_exist():
    assert [p.name for p in WORKFLOW_FILES] == ["deploy.yml", "org-policy.yml", "pull-request.yml", "release.yml"]


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_passes_the_github_workflows_schema(path):
    result = check_workflow(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: not-a-list\n")
    assert check_workflow(broken).returncode == 1


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_the_commit_of_the_release_its_comment_names(path):
    found = USES_LINE.findall(path.read_text())
    assert found
    for ref, rest in found:
        if ref.startswith("<org>/"):                # the usage example in a comment
            continue
        assert PINNED.fullmatch(ref), ref
        name, sha = ref.split("@")
        comment = VERSION_COMMENT.fullmatch(rest)
        assert comment, f"{ref}: no '# vX.Y.Z' comment"
        assert RELEASES[name] == (comment.group(1), sha), ref


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_default_permissions_and_each_job_names_what_it_uses(path):
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        granted = job["permissions"]
        assert granted.get("contents") in ("read", "write"), name
        assert set(granted.values()) <= {"read", "write"}
        uses = {step.get("uses", "").split("@")[0] for step in job["steps"]}
        if "github/codeql-action/upload-sarif" in uses:
            assert (granted["security-events"], granted["actions"]) == ("write", "read"), name
        else:
            assert "security-events" not in granted, name
        oidc = {"pulumi/auth-actions", "aws-actions/configure-aws-credentials"} & uses
        assert (granted.get("id-token") == "write") == bool(oidc), name
        if granted["contents"] == "write":             # only the job that creates the GitHub release
            assert (path.name, name) == ("release.yml", "github-release")


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials_and_pulumi_logs_in_by_oidc_with_the_pinned_cli(path):
    requirements = (ROOT / "requirements.txt").read_text()
    sdk = re.search(r"^pulumi==([\d.]+)$", requirements, re.MULTILINE).group(1)
    workflow = load(path)
    text = path.read_text()
    assert "PULUMI_ACCESS_TOKEN" not in text
    for name, job, step in steps(workflow):
        action = step.get("uses", "").split("@")[0]
        settings = step.get("with") or {}
        if action == "actions/checkout":
            assert settings.get("persist-credentials") is False, name
        if action == "pulumi/actions":
            version = settings["pulumi-version"]
            assert version == sdk or (version == "${{ env.PULUMI_VERSION }}" and workflow["env"]["PULUMI_VERSION"] == sdk)
            assert "pulumi/auth-actions" in {s.get("uses", "").split("@")[0] for s in job["steps"]}, name
        if action == "pulumi/auth-actions":
            assert settings == {"organization": "${{ vars.PULUMI_ORG }}",
                                "requested-token-type": "urn:pulumi:token-type:access_token:organization"}


def test_the_cli_version_pinned_in_the_workflows_exists():
    """pulumi/pulumi tags v3.272.0 (the CLI release of the SDK pinned in requirements.txt); seen in
    https://github.com/pulumi/pulumi-command/releases/tag/v1.3.0 (renovate: pkg/v3 v3.272.0 -> v3.273.0,
    compare v3.272.0...v3.273.0). The CLI and the Python SDK are released together from that repository."""
    texts = "".join(p.read_text() for p in WORKFLOW_FILES)
    assert set(re.findall(r"(?:pulumi-version|PULUMI_VERSION): ([\d.]+)", texts)) == {"3.272.0"}


def test_sarif_uploads_rely_on_the_reports_category():
    for path in WORKFLOW_FILES:
        for name, _, step in steps(load(path)):
            if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"):
                assert "category" not in step["with"], (path.name, name)
    sarif = (ROOT / "preflight" / "reports" / "sarif.py").read_text()
    assert '"automationDetails": {"id": f"preflight/{report.project}/{report.stack}/"}' in sarif


def test_dependabot_updates_actions_and_every_pip_requirements_directory():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    updates = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert updates == {("github-actions", "/"), ("pip", "/"), ("pip", "/policies")}
    for directory in ("/", "/policies"):
        assert (ROOT / directory.lstrip("/") / "requirements.txt").is_file()


def test_codeowners_guard_the_gate_and_its_config():
    lines = [line.split() for line in (ROOT / ".github" / "CODEOWNERS").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    owners = {line[0]: line[1:] for line in lines}
    for pattern in ("/policies/", "/policies/config/", "/.github/", "/preflight/", "/scripts/set_pack_version.py"):
        assert owners.get(pattern) and all(o.startswith("@") for o in owners[pattern]), pattern
    assert "@aws-cicd-platform/platform-security" in owners["/policies/config/"]
    # the last matching pattern wins: nothing after the pack's entries hands them to someone else
    patterns = [line[0] for line in lines]
    assert patterns.index("/policies/config/") > patterns.index("/policies/")


def test_license_is_the_apache_2_0_text_and_the_changelog_has_the_release_and_unreleased():
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.splitlines()[1].strip() == "Apache License"
    assert "Version 2.0, January 2004" in license_text and "END OF TERMS AND CONDITIONS" in license_text
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "keepachangelog.com" in changelog
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert sections[:2] == ["Unreleased", "0.1.0"]
    pack_version = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())["version"]
    assert pack_version in sections
