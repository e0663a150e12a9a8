"""The CI files users copy: schema-valid workflows whose paths, make targets and commands exist here."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
MAKE_TARGET = re.compile(r"\bmake(?:\s+-C\s+\S+)?\s+([\w./-]+)")
REPO_PATH = re.compile(r"(?<![\w/.$-])(policies(?:/[\w.-]+)*|(?:components|preflight)(?:/[\w.-]+)+"
                       r"|requirements\.txt)(?![\w-])")
PREFLIGHT_OPTION = re.compile(r"(--[a-z][a-z-]+)")


def load(path: Path) -> dict:
    # PyYAML reads the bare key `on` as True (YAML 1.1); map it back.
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def expansions(workflow: dict) -> list[dict[str, str]]:
    """Variable bindings under which the workflow's strings name repository paths."""
    stacks = {s for job in workflow["jobs"].values()
              for s in job.get("strategy", {}).get("matrix", {}).get("stack", [])}
    triggers = workflow["on"] if isinstance(workflow["on"], dict) else {}
    inputs = (triggers.get("workflow_call") or {}).get("inputs", {})
    stacks |= {inputs["policy-config"]["default"]} if "policy-config" in inputs else set()
    return [{"${{ matrix.stack }}": stack, "$STACK": stack, "$POLICY_CONFIG": stack, "$PACK_DIR/": "",
             '"': ""} for stack in sorted(stacks or {"dev"})]


def referenced_paths(path: Path) -> set[str]:
    workflow = load(path)
    found = set()
    for text in strings(workflow):
        for binding in expansions(workflow):
            expanded = text
            for variable, value in binding.items():
                expanded = expanded.replace(variable, value)
            found.update(REPO_PATH.findall(expanded))
    return found


def make_targets(text: str) -> set[str]:
    return set(MAKE_TARGET.findall(text))


def check_workflow(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, timeout=120)


def all_runs() -> str:
    return "\n".join(s for path in WORKFLOW_FILES for s in strings(load(path)))


def test_the_three_workflows_exist():
    assert [p.name for p in WORKFLOW_FILES] == ["deploy.yml", "org-policy.yml", "pull-request.yml"]


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_passes_the_github_workflows_schema(path):
    result = check_workflow(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: not-a-list\n")
    assert check_workflow(broken).returncode == 1


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_referenced_path_exists(path):
    paths = referenced_paths(path)
    assert "policies/config/prod.json" in paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


def test_pull_request_references_both_stack_configs():
    assert {"policies", "policies/config/dev.json", "policies/config/prod.json"} <= referenced_paths(
        WORKFLOWS / "pull-request.yml")


def test_make_targets_exist_in_the_makefile():
    targets = make_targets(all_runs())
    assert {"preflight", "test"} <= targets
    for target in sorted(targets):
        result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"make {target}: {result.stderr.strip()}"


def test_commands_match_the_readme_and_makefile():
    readme, makefile = (ROOT / "README.md").read_text(), (ROOT / "Makefile").read_text()
    runs = all_runs()
    assert {"preflight", "test"} <= make_targets(readme)
    assert make_targets(runs) - {"venv/.installed"} <= make_targets(readme)
    assert "-m preflight" in makefile and "python -m preflight" in readme
    documented = set(PREFLIGHT_OPTION.findall(readme)) | set(PREFLIGHT_OPTION.findall(makefile))
    used = {opt for line in runs.splitlines() if "-m preflight" in line or line.strip().startswith("--")
            for opt in PREFLIGHT_OPTION.findall(line)}
    assert used and used <= documented, used - documented


def test_sarif_is_uploaded_and_markdown_goes_to_the_job_summary():
    for name in ("pull-request.yml", "org-policy.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "github/codeql-action/upload-sarif@v3" in text
        assert "--format sarif" in text and '>> "$GITHUB_STEP_SUMMARY"' in text
        assert "security-events: write" in text


def test_cloud_preview_runs_only_with_credentials_and_applies_the_pack():
    job = load(WORKFLOWS / "pull-request.yml")["jobs"]["pulumi-preview"]
    assert job["if"] == "vars.AWS_ROLE_ARN != ''"
    assert job["permissions"]["id-token"] == "write"
    steps = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
    credentials = steps["aws-actions/configure-aws-credentials"]["with"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    pulumi = steps["pulumi/actions"]["with"]
    assert (pulumi["command"], pulumi["policyPacks"]) == ("preview", "policies")
    assert pulumi["comment-on-pr"] is True
    assert pulumi["policyPackConfigs"] == "policies/config/${{ matrix.stack }}.json"


def test_deploy_runs_dev_then_prod_behind_the_production_environment():
    workflow = load(WORKFLOWS / "deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"]["id-token"] == "write"
    dev, prod = workflow["jobs"]["dev"], workflow["jobs"]["prod"]
    assert prod["needs"] == "dev" and prod["environment"] == "production"
    for job, stack in ((dev, "dev"), (prod, "prod")):
        pulumi = next(s["with"] for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
        assert (pulumi["command"], pulumi["stack-name"]) == ("up", stack)
        assert any(s.get("run") == f"make preflight STACK={stack}" for s in job["steps"])


def test_org_policy_is_reusable_with_program_stack_and_pack_ref():
    workflow = load(WORKFLOWS / "org-policy.yml")
    inputs = workflow["on"]["workflow_call"]["inputs"]
    assert {"program-path", "stack", "policy-pack-ref"} <= set(inputs)
    assert inputs["stack"]["required"] is True
    steps = workflow["jobs"]["preflight"]["steps"]
    pack = next(s for s in steps if s.get("with", {}).get("path") == ".aws-cicd-guardrails")
    assert pack["with"]["ref"] == "${{ inputs.policy-pack-ref }}"
    run = next(s["run"] for s in steps if s.get("id") == "run")
    assert '--program "$PROGRAM"' in run and "-m preflight" in run


def test_pre_commit_hook_runs_the_preflight_module():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "preflight", "python -m preflight", "python", False)
    module = hook["entry"].split()[-1]
    assert (ROOT / module / "__main__.py").is_file()
    assert re.search(hook["files"], "Pulumi.prod.yaml") and re.search(hook["files"], "components/pipeline.py")
    assert not re.search(hook["files"], "README.md")
