"""The pull-request, deploy and release workflows: the paths, make targets and commands they use exist here, and\ntheir steps run as written."""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflows.runner import action, as_list, load_workflow as load, names, step

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
MAKE_TARGET = re.compile(r"\bmake(?:\s+-C\s+\S+)?\s+([\w./-]+)")
REPO_PATH = re.compile(r"(?<![\w/.$-])(policies(?:/[\w.-]+)*|(?:components|preflight|scripts)(?:/[\w.-]+)+"
                       r"|requirements\.txt)(?![\w-])")
PREFLIGHT_OPTION = re.compile(r"(--[a-z][a-z-]+)")
PREFLIGHT_CALL = re.compile(r"-m preflight|/bin/preflight\"? |^\s*preflight --")
CHANGED_STACKS = ROOT / "scripts" / "changed_stacks.py"
_spec = importlib.util.spec_from_file_location("changed_stacks", CHANGED_STACKS)
changed_stacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(changed_stacks)
LAYOUT = changed_stacks.Layout(ROOT)
def strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def matrix_stacks(job: dict) -> list[str]:
    """A matrix's stacks: its list, or every stack of the repository when the list is computed (fromJSON)."""
    stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [])
    return stacks if isinstance(stacks, list) else LAYOUT.stacks


def expansions(workflow: dict) -> list[dict[str, str]]:
    """Variable bindings under which the workflow's strings name repository paths."""
    stacks = {s for job in workflow["jobs"].values() for s in matrix_stacks(job)}
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


def all_runs() -> str:
    return "\n".join(s for path in WORKFLOW_FILES for s in strings(load(path)))


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_referenced_path_exists(path):
    paths = referenced_paths(path)
    assert "policies" in paths or "policies/config/prod.json" in paths
    # The virtualenvs are made by the workflow steps themselves (and are gitignored), not checked in.
    made = ("venv", "policies/venv")
    missing = sorted(p for p in paths if not (ROOT / p).exists()
                     and not any(p == m or p.startswith(m + "/") for m in made))
    assert missing == []


def test_pull_request_and_deploy_name_the_pack_and_the_stack_script():
    for name in ("pull-request.yml", "deploy.yml"):
        assert {"policies", "scripts/changed_stacks.py", "requirements.txt"} <= referenced_paths(
            WORKFLOWS / name)
    assert {"policies/config/dev.json", "policies/config/prod.json"} <= referenced_paths(
        WORKFLOWS / "deploy.yml")


def test_every_stack_of_the_repository_has_a_pack_config_and_a_preflight_run():
    """What a matrix job runs (`changed_stacks.py --describe`): the stack after the foundation it reads,
    with the pack config they share - dev its own, every prod* stack prod.json."""
    assert {"dev", "prod"} <= set(LAYOUT.stacks)
    for stack in LAYOUT.stacks:
        result = subprocess.run([sys.executable, str(CHANGED_STACKS), "--describe", stack], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        env = dict(line.split("=", 1) for line in result.stdout.splitlines())
        assert env["PACK_CONFIG"] == f"policies/config/{'dev' if stack == 'dev' else 'prod'}.json"
        assert (ROOT / env["PACK_CONFIG"]).is_file()
        assert env["STACKS"] == (f"prod {stack}" if LAYOUT.foundation[stack] == "prod" else stack)


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
    # preflight's command lines, continuations joined (the other `--` options are pulumi's, gh's, pip's)
    used = {opt for line in runs.replace("\\\n", " ").splitlines() if PREFLIGHT_CALL.search(line)
            for opt in PREFLIGHT_OPTION.findall(line)}
    assert used and used <= documented, used - documented


def test_sarif_is_uploaded_and_markdown_goes_to_the_job_summary():
    for name in ("pull-request.yml", "org-policy.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "github/codeql-action/upload-sarif@" in text
        assert ("--format sarif" in text or '--report "sarif=' in text) and '>> "$GITHUB_STEP_SUMMARY"' in text
        assert "security-events: write" in text and "actions: read" in text


def test_pull_request_plan_outputs_the_changed_stacks_every_matrix_uses():
    jobs = load(WORKFLOWS / "pull-request.yml")["jobs"]
    assert set(jobs) == {"test", "plan", "preflight", "pulumi-preview"}
    assert jobs["test"]["steps"][-1] == {"run": "make test"} and "needs" not in jobs["test"]
    plan = jobs["plan"]
    assert plan["outputs"] == {"stacks": "${{ steps.changed.outputs.stacks }}"}
    assert action(plan["steps"][0]) == "actions/checkout"
    assert plan["steps"][0]["with"] == {"fetch-depth": 0, "persist-credentials": False}
    changed = step(plan, "id", "changed")
    assert changed["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}",
                              "HEAD_SHA": "${{ github.sha }}"}
    assert 'git diff --name-only --no-renames "$BASE_SHA...$HEAD_SHA"' in changed["run"]
    assert 'echo "stacks=$stacks" >> "$GITHUB_OUTPUT"' in changed["run"]
    for name in ("preflight", "pulumi-preview"):
        job = jobs[name]
        assert "plan" in as_list(job["needs"]) and "needs.plan.outputs.stacks != '[]'" in job["if"]
        assert job["strategy"] == {"fail-fast": False,
                                   "matrix": {"stack": "${{ fromJSON(needs.plan.outputs.stacks) }}"}}
        assert job["env"] == {"STACK": "${{ matrix.stack }}"}
        step(job, "run", 'venv/bin/python scripts/changed_stacks.py --describe "$STACK" >> "$GITHUB_ENV"')


def test_pull_request_preflight_checks_a_stack_with_its_foundation_and_publishes_before_failing():
    job = load(WORKFLOWS / "pull-request.yml")["jobs"]["preflight"]
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    order = ["Stacks of the run and their pack config", "Preflight verdict, SARIF and Markdown reports",
             "Markdown report as the job summary", "Upload SARIF to code scanning",
             "Fail on mandatory violations"]
    assert [n for n in names(job) if n in order] == order
    steps = dict(zip(names(job), job["steps"]))
    run = steps[order[1]]["run"]         # one run, both reports (--report)
    assert 'args=(); for s in $STACKS; do args+=(--stack "$s"); done' in run
    assert '-m preflight "${args[@]}" --policy-pack policies --policy-pack-config "$PACK_CONFIG"' in run
    assert steps[order[2]]["if"] == "always() && hashFiles(format('preflight-{0}.md', matrix.stack)) != ''"
    assert steps[order[2]]["run"] == 'cat "preflight-$STACK.md" >> "$GITHUB_STEP_SUMMARY"'
    upload = steps[order[3]]
    assert action(upload) == "github/codeql-action/upload-sarif"
    assert upload["if"] == "always() && hashFiles(format('preflight-{0}.sarif', matrix.stack)) != ''"
    assert upload["with"] == {"sarif_file": "preflight-${{ matrix.stack }}.sarif"}
    assert steps[order[4]]["if"] == "steps.verdict.outputs.verdict == 'fail'"


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A `run:` as the runner runs it when no shell is given: bash -e."""
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("status, verdict", [(0, "pass"), (1, "fail"), (2, None)])
def test_pull_request_verdict_step_passes_fails_on_mandatory_and_stops_when_preflight_cannot_run(
        tmp_path, status, verdict):
    job = load(WORKFLOWS / "pull-request.yml")["jobs"]["preflight"]
    stub = tmp_path / "venv" / "bin" / "python"     # preflight, replaced by a stub exiting with `status`
    stub.parent.mkdir(parents=True)
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\nexit "$STUB_STATUS"\n')
    stub.chmod(0o755)
    result = run_step(step(job, "id", "verdict")["run"], tmp_path, {
        "STACK": "prod-orders", "STACKS": "prod prod-orders", "PACK_CONFIG": "policies/config/prod.json",
        "GITHUB_OUTPUT": str(tmp_path / "output"), "ARGS_FILE": str(tmp_path / "args"),
        "STUB_STATUS": str(status)})
    assert (tmp_path / "args").read_text().splitlines() == [
        "-m", "preflight", "--stack", "prod", "--stack", "prod-orders", "--policy-pack", "policies",
        "--policy-pack-config", "policies/config/prod.json", "--format", "sarif", "--output",
        "preflight-prod-orders.sarif", "--report", "markdown=preflight-prod-orders.md"]
    if verdict is None:
        assert result.returncode == 2 and not (tmp_path / "output").exists()
    else:
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "output").read_text() == f"verdict={verdict}\n"


def git(cwd: Path, *args: str) -> str:
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **identity}).stdout.strip()


BASE_FILES = {
    "Pulumi.yaml": "name: aws-cicd-platform\nruntime: python\n", "README.md": "readme\n",
    "Pulumi.dev.yaml": "config: {}\n", "Pulumi.prod.yaml": "config:\n  aws-cicd-platform:scope: foundation\n",
    "Pulumi.prod-orders.yaml": "config:\n  aws-cicd-platform:foundation: prod\n",
    "components/x.py": "x = 1\n",
    "policies/config/dev.json": "{}\n", "policies/config/prod.json": "{}\n",
}


@pytest.mark.parametrize("change, expected", [
    ({"Pulumi.prod.yaml": "config:\n  aws-cicd-platform:owner: x\n", "README.md": "new\n"},
     ["prod", "prod-orders"]),
    ({"Pulumi.prod-orders.yaml": "config:\n  aws-cicd-platform:foundation: prod\n  owner: x\n"},
     ["prod-orders"]),
    ({"components/x.py": "x = 2\n"}, ["dev", "prod", "prod-orders"]),
    ({"README.md": "new\n", "docs/x.md": "new\n"}, []),
])
def test_pull_request_plan_step_on_a_real_diff(tmp_path, change, expected):
    job = load(WORKFLOWS / "pull-request.yml")["jobs"]["plan"]
    repo = tmp_path / "repo"
    commits = []
    for files in (BASE_FILES, change):
        for path, text in files.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(text)
        if not commits:
            (repo / "scripts").mkdir()
            shutil.copy(CHANGED_STACKS, repo / "scripts" / "changed_stacks.py")
            git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "change")
        commits.append(git(repo, "rev-parse", "HEAD"))
    tools = tmp_path / "bin"              # `python`: setup-python's, with pyyaml installed
    tools.mkdir()
    (tools / "python").symlink_to(sys.executable)
    result = run_step(step(job, "id", "changed")["run"], repo, {
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "BASE_SHA": commits[0], "HEAD_SHA": commits[1]})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output").read_text() == f"stacks={json.dumps(expected, separators=(',', ':'))}\n"


def test_cloud_preview_runs_only_with_credentials_and_applies_the_pack():
    job = load(WORKFLOWS / "pull-request.yml")["jobs"]["pulumi-preview"]
    assert job["if"] == "vars.AWS_ROLE_ARN != '' && vars.PULUMI_ORG != '' && needs.plan.outputs.stacks != '[]'"
    assert job["needs"] == ["plan", "preflight"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    steps = {action(s): s for s in job["steps"]}
    order = [action(s) for s in job["steps"] if "uses" in s]
    assert order.index("pulumi/auth-actions") < order.index("pulumi/actions")
    credentials = steps["aws-actions/configure-aws-credentials"]["with"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    pulumi = steps["pulumi/actions"]["with"]
    assert (pulumi["command"], pulumi["policyPacks"]) == ("preview", "policies")
    assert pulumi["comment-on-pr"] is True
    assert (pulumi["stack-name"], pulumi["policyPackConfigs"]) == (
        "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}", "${{ env.PACK_CONFIG }}")
