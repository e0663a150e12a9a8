"""deploy.yml (dev, then the prod foundation, then its service stacks behind the production environment) and
release.yml (tag -> pack version -> publish -> dev group -> approved prod group; GitHub release)."""
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflows.runner import Job, action, as_list, load_workflow as load, names, step, uses

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CHANGED_STACKS = ROOT / "scripts" / "changed_stacks.py"
_spec = importlib.util.spec_from_file_location("changed_stacks", CHANGED_STACKS)
changed_stacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(changed_stacks)
LAYOUT = changed_stacks.Layout(ROOT)



def test_deploy_runs_dev_then_the_foundation_then_the_services_behind_the_production_environment():
    workflow = load(WORKFLOWS / "deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "deploy", "cancel-in-progress": False}
    jobs = workflow["jobs"]
    assert set(jobs) == {"dev", "plan", "foundation", "services"}
    dev, plan, foundation, services = jobs["dev"], jobs["plan"], jobs["foundation"], jobs["services"]
    assert dev["environment"] == "dev" and "needs" not in dev
    assert as_list(foundation["needs"]) == ["dev", "plan"]
    assert as_list(services["needs"]) == ["plan", "foundation"]
    for job in (foundation, services):      # every job touching a prod stack waits for the approval
        assert job["environment"] == "production"
    assert "environment" not in plan and plan["permissions"] == {"contents": "read"}
    for job in (dev, foundation, services):
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert plan["outputs"] == {"services": "${{ steps.services.outputs.services }}"}
    readers = step(plan, "id", "services")["run"]
    assert "services=$(python scripts/changed_stacks.py --readers prod)" in readers
    assert services["if"] == "needs.plan.outputs.services != '[]'"
    strategy = services["strategy"]
    assert strategy["fail-fast"] is False and 1 < strategy["max-parallel"] <= 8
    assert strategy["matrix"] == {"stack": "${{ fromJSON(needs.plan.outputs.services) }}"}
    for job, stack, config in ((dev, "dev", "policies/config/dev.json"),
                               (foundation, "prod", "policies/config/prod.json"),
                               (services, "${{ matrix.stack }}", "${{ env.PACK_CONFIG }}")):
        pulumi = uses(job, "pulumi/actions")
        assert (pulumi["with"]["command"], pulumi["with"]["stack-name"], pulumi["with"]["policyPacks"],
                pulumi["with"]["policyPackConfigs"]) == ("up", "${{ vars.PULUMI_ORG }}/" + stack, "policies", config)
        assert "env" not in pulumi        # the token comes from pulumi/auth-actions, by OIDC
        order = [action(s) for s in job["steps"]]
        assert order.index("pulumi/auth-actions") < order.index("pulumi/actions")
        credentials = uses(job, "aws-actions/configure-aws-credentials")["with"]
        assert credentials["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
        assert credentials["role-session-name"].startswith("pulumi-up-")
        # the offline verdict first: a broken program or a mandatory violation stops before any credentials
        assert names(job).index("Preflight") < names(job).index("aws-actions/configure-aws-credentials")
    for job, stack in ((dev, "dev"), (foundation, "prod")):
        assert step(job, "name", "Preflight")["run"] == f"make preflight STACK={stack}"
    assert '-m preflight "${args[@]}" --policy-pack policies --policy-pack-config "$PACK_CONFIG"' in \
        step(services, "name", "Preflight")["run"]
    step(services, "run", 'venv/bin/python scripts/changed_stacks.py --describe "$STACK" >> "$GITHUB_ENV"')


def test_the_deploy_matrix_is_every_stack_of_the_repository_reading_the_foundation():
    result = subprocess.run([sys.executable, str(CHANGED_STACKS), "--readers", "prod"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)
    assert services == sorted(s for s in LAYOUT.stacks if LAYOUT.foundation[s] == "prod")
    assert all(s.startswith("prod-") for s in services) and "prod" not in services


def test_release_publishes_then_enables_dev_then_prod_after_approval_with_each_config():
    workflow = load(WORKFLOWS / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["concurrency"] == {"group": "release", "cancel-in-progress": False}
    pack_name = re.search(r'policy_pack\("([\w-]+)"\)', (ROOT / "policies" / "__main__.py").read_text()).group(1)
    assert workflow["env"]["PACK"] == pack_name == "aws-cicd-guardrails"
    jobs = workflow["jobs"]
    build, publish, prod, release = jobs["build"], jobs["publish"], jobs["enable-prod"], jobs["github-release"]
    assert (as_list(publish["needs"]), as_list(prod["needs"]), as_list(release["needs"])) == (
        ["build"], ["build", "publish"], ["build", "publish"])
    assert (publish["environment"], prod["environment"]) == ("policy-dev", "policy-production")
    assert prod["if"] == "${{ !contains(needs.build.outputs.version, '-') }}"      # no pre-release in prod
    assert "environment" not in build and "environment" not in release
    # pkg/cmd/pulumi/policy/policy_publish.go: `publish [org-name]` in the pack's directory
    assert 'cd policies\npulumi install\npulumi policy publish "$PULUMI_ORG"' in step(
        publish, "name", "Publish the pack")["run"]
    # policy_enable.go: `enable <org-name>/<policy-pack-name> <latest|version> --policy-group --config`
    for job, name, group, config in ((publish, "Enable it for the dev policy group", "DEV", "dev"),
                                     (prod, "Enable it for the prod policy group", "PROD", "prod")):
        assert step(job, "name", name)["run"].split() == [
            "pulumi", "policy", "enable", '"$PULUMI_ORG/$PACK"', '"$VERSION"', "--policy-group", '"$POLICY_GROUP"',
            "\\", "--config", f"policies/config/{config}.json"]
        assert (ROOT / "policies" / "config" / f"{config}.json").is_file()
        assert job["env"]["POLICY_GROUP"] == f"${{{{ vars.PULUMI_POLICY_GROUP_{group} }}}}"
        assert job["env"]["VERSION"] == "${{ needs.build.outputs.version }}"
        order = [action(s) for s in job["steps"]]
        assert order.index("pulumi/auth-actions") < names(job).index(name)


@pytest.fixture
def release_workspace(tmp_path):
    workspace = tmp_path / "workspace"
    for path in ("scripts/set_pack_version.py", "policies/PulumiPolicy.yaml", "requirements.txt", "CHANGELOG.md"):
        (workspace / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, workspace / path)
    tools = tmp_path / "setup-python"
    tools.mkdir()
    (tools / "python").symlink_to(sys.executable)     # setup-python's; pyyaml is already there
    (tmp_path / "temp").mkdir()
    return workspace, tools


def release_build(workspace: Path, tools: Path, tag: str) -> tuple[Job, list]:
    job = Job(load(WORKFLOWS / "release.yml")["jobs"]["build"], {}, workspace, workspace.parent / "temp", [tools],
              env={"GITHUB_REF_NAME": tag})
    results = job.steps(lambda _: None, only={"Version from the tag", "Release notes from CHANGELOG.md"})
    return job, results


def test_a_release_tag_sets_the_pack_version_and_takes_its_changelog_section_as_notes(release_workspace):
    workspace, tools = release_workspace
    job, results = release_build(workspace, tools, "v0.1.0")
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert job.outputs["version"] == {"version": "0.1.0"}
    notes = (workspace / "release-notes.md").read_text()
    assert "as they stood before publishing" in notes and "## [" not in notes
    assert "Release workflow" not in notes                  # Unreleased stays out
    assert "version: 0.1.0" in (workspace / "policies" / "PulumiPolicy.yaml").read_text()


def test_a_tag_without_a_changelog_section_or_not_semver_stops_the_release(release_workspace):
    workspace, tools = release_workspace
    pack_file = workspace / "policies" / "PulumiPolicy.yaml"
    before = pack_file.read_text()
    # A tag whose commit does not carry its version: the release stops, and writes nothing.
    _, results = release_build(workspace, tools, "v9.9.9")
    assert [r.returncode for r in results] == [1]
    assert "does not say version 9.9.9: run `python scripts/set_pack_version.py v9.9.9`" in results[0].stderr
    assert pack_file.read_text() == before
    subprocess.run([sys.executable, str(workspace / "scripts" / "set_pack_version.py"), "v9.9.9", "--file",
                    str(pack_file)], check=True, capture_output=True)
    _, results = release_build(workspace, tools, "v9.9.9")
    assert [r.returncode for r in results] == [0, 1]
    assert "::error::CHANGELOG.md has no section '## [9.9.9]'" in results[1].stdout
    _, results = release_build(workspace, tools, "v1.0")
    assert [r.returncode for r in results] == [2]
    assert "is not a semantic version" in results[0].stderr
