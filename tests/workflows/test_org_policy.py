"""The reusable org-policy workflow, run step by step against a caller repository in a temp folder.

The caller (tests/workflows/caller/) is another team's repository: a program in infra/ whose
requirements.txt names the SDK and a package of the team's own (caller-marker), and a pack config of its
own, guardrails.json. Its checkout is a copy; the pack's checkout is a clone of this repository's HEAD at the
path the workflow names, as actions/checkout with `repository`, `ref` and `path` would leave it. Every `run:`
step then runs as the runner runs it (tests/workflows/runner.py): the pack and preflight installed into
$RUNNER_TEMP/guardrails, the program's virtualenv built from its Pulumi.yaml, preflight's reports, outputs.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflows.runner import Job, load_workflow, step

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "org-policy.yml"
CALLER = Path(__file__).resolve().parent / "caller"
INSTALL_STEPS = {"Install the pack and preflight in their own virtualenv",
                 "Install the program's dependencies where the Pulumi CLI would run it"}


def pip_names(python: Path) -> set[str]:
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
                            capture_output=True, text=True, timeout=120, check=True).stdout
    return {p["name"].lower().replace("_", "-") for p in json.loads(listed)}


class Checkouts:
    """actions/checkout, simulated: the caller's repository, then the pack at its `path` and `ref`."""

    def __init__(self, job: Job) -> None:
        self.job, self.seen = job, []

    def __call__(self, step: dict) -> None:
        action = step["uses"].split("@")[0]
        settings = {k: self.job.expand(v) if isinstance(v, str) else v for k, v in (step.get("with") or {}).items()}
        self.seen.append((action, settings))
        if action != "actions/checkout":
            return
        if "repository" not in settings:
            shutil.copytree(CALLER, self.job.workspace, dirs_exist_ok=True)
            return
        target = self.job.workspace / settings["path"]
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)], check=True, timeout=120)
        subprocess.run(["git", "-C", str(target), "checkout", "--quiet", settings["ref"]], check=True, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The workspace after the checkouts and the two install steps (done once: the slow part)."""
    base = tmp_path_factory.mktemp("org-policy")
    workspace, temp, tools = base / "workspace", base / "runner-temp", base / "setup-python"
    for d in (workspace, temp, tools):
        d.mkdir()
    (tools / "python").symlink_to(sys.executable)           # what setup-python puts on PATH
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    inputs = {"pack-repository": "example-org/aws-cicd-platform", "pack-ref": head, "program-path": "infra",
              "stack": "prod", "policy-config": "prod", "python-version": "3.11", "upload-sarif": True}
    job = Job(load_workflow(WORKFLOW)["jobs"]["preflight"], inputs, workspace, temp, [tools],
              secrets={"pack-token": "pack-read-token"})
    checkouts = Checkouts(job)
    results = job.steps(checkouts, only=INSTALL_STEPS | {"Check out the calling repository",
                                                          "Check out the policy pack and preflight",
                                                          "actions/setup-python"})
    for result in results:
        assert result.returncode == 0, (result.step.get("name"), result.stderr[-3000:])
    return job, checkouts


def preflight(job: Job, policy_config: str):
    job.inputs["policy-config"] = policy_config
    job.outputs.clear()
    job.summary.write_text("")
    uploads = Checkouts(job)
    results = job.steps(uploads, only={"Preflight", "Keep the reports as an artifact",
                                       "Upload SARIF to code scanning", "Fail on mandatory violations"})
    return results, uploads.seen


def test_the_pack_checkout_uses_the_pack_token_the_pinned_ref_and_keeps_no_credentials(installed):
    job, checkouts = installed
    (caller, caller_with), (pack, pack_with) = checkouts.seen[:2]
    assert caller == pack == "actions/checkout"
    assert caller_with == {"persist-credentials": False}
    assert pack_with == {"repository": "example-org/aws-cicd-platform", "ref": job.inputs["pack-ref"],
                         "token": "pack-read-token", "path": ".aws-cicd-guardrails", "persist-credentials": False}
    assert job.expand("${{ secrets.pack-token || github.token }}") == "pack-read-token"
    job.secrets.clear()
    assert job.expand("${{ secrets.pack-token || github.token }}") == "github-token"


def test_the_callers_requirements_land_in_the_programs_virtualenv_only(installed):
    job, _ = installed
    program_venv = job.workspace / "infra" / "venv"             # Pulumi.yaml: virtualenv: venv
    assert {"caller-marker", "pulumi"} <= pip_names(program_venv / "bin" / "python")
    guardrails = job.temp / "guardrails"
    assert {"aws-cicd-platform", "pulumi-policy"} <= pip_names(guardrails / "bin" / "python")
    assert "caller-marker" not in pip_names(guardrails / "bin" / "python")
    assert (guardrails / "bin" / "preflight").is_file()
    assert "PULUMI_PYTHON_CMD" not in job.env      # the program names its virtualenv: nothing to point at


def test_bundled_prod_config_fails_the_mandatory_violation_and_reports_every_output(installed):
    job, _ = installed
    results, uploads = preflight(job, "prod")
    run, fail = results
    assert run.returncode == 0, run.stderr[-3000:]
    # the pack's own virtualenv, built by preflight from policies/requirements.txt, never gets the caller's
    pack_venv = job.workspace / ".aws-cicd-guardrails" / "policies" / "venv"
    assert "caller-marker" not in pip_names(pack_venv / "bin" / "python")
    report = json.loads((job.workspace / run.outputs["report-json"]).read_text())
    assert report["stack"] == "prod" and report["project"] == "caller-service"
    assert {v["policy"] for v in report["violations"] if v["enforcement"] == "mandatory"} >= {
        "ecr-repository-tags-immutable"}
    assert run.outputs == {
        "verdict": "fail", "mandatory": str(report["summary"]["mandatory"]),
        "advisory": str(report["summary"]["advisory"]), "report-artifact": "preflight-prod",
        "report-json": "preflight-reports/prod.json", "report-sarif": "preflight-reports/prod.sarif",
        "report-markdown": "preflight-reports/prod.md"}
    assert int(run.outputs["mandatory"]) > 0
    sarif = json.loads((job.workspace / run.outputs["report-sarif"]).read_text())
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == ["preflight/caller-service/prod/"]
    assert "ecr-repository-tags-immutable" in job.summary.read_text()
    artifact, upload = uploads
    assert artifact == ("actions/upload-artifact", {"name": "preflight-prod", "path": "preflight-reports/"})
    # no category: the report's automationDetails.id is the category (see the workflow's comment)
    assert upload == ("github/codeql-action/upload-sarif", {"sarif_file": "preflight-reports/prod.sarif"})
    assert fail.returncode == 1 and "mandatory policy violations in stack prod" in fail.stdout


def test_a_config_file_of_the_caller_makes_the_same_findings_advisory_and_passes(installed):
    job, _ = installed
    results, uploads = preflight(job, "guardrails.json")
    [run] = results                                    # the failing step does not run
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((job.workspace / run.outputs["report-json"]).read_text())
    assert report["summary"]["mandatory"] == 0 and report["summary"]["advisory"] > 0
    assert (run.outputs["verdict"], run.outputs["mandatory"], run.outputs["advisory"]) == (
        "pass", "0", str(report["summary"]["advisory"]))
    assert "ecr-repository-tags-immutable" in {v["policy"] for v in report["violations"]}
    assert [action for action, _ in uploads] == ["actions/upload-artifact", "github/codeql-action/upload-sarif"]


def test_a_program_that_cannot_run_stops_the_step_with_exit_2_and_no_outputs(installed):
    job, _ = installed
    main = job.workspace / "infra" / "__main__.py"
    original = main.read_text()
    main.write_text(original + "raise ValueError('the program is broken')\n")
    try:
        results, uploads = preflight(job, "guardrails.json")
    finally:
        main.write_text(original)
    [run] = results
    assert run.returncode == 2 and run.outputs == {}
    assert "the program is broken" in run.stderr
    assert uploads == []                               # nothing to upload, nothing that could close alerts


def test_org_policy_takes_a_required_pack_ref_and_repository_a_token_secret_and_gives_outputs():
    workflow = load_workflow(WORKFLOW)
    call = workflow["on"]["workflow_call"]
    inputs = call["inputs"]
    for name in ("pack-repository", "pack-ref", "stack"):
        assert inputs[name]["required"] is True and "default" not in inputs[name], name
    assert inputs["policy-config"]["default"] == "prod" and inputs["program-path"]["default"] == "."
    assert call["secrets"] == {"pack-token": {
        "description": call["secrets"]["pack-token"]["description"], "required": False}}
    assert set(call["outputs"]) == {"verdict", "mandatory", "advisory", "report-artifact", "report-json",
                                    "report-sarif", "report-markdown"}
    job = workflow["jobs"]["preflight"]
    assert set(job["outputs"]) == set(call["outputs"])
    pack = next(s for s in job["steps"] if s.get("with", {}).get("path") == ".aws-cicd-guardrails")
    assert pack["with"]["ref"] == "${{ inputs.pack-ref }}"
    assert pack["with"]["repository"] == "${{ inputs.pack-repository }}"
    # the secret reaches that checkout and nothing else
    assert [s for s in job["steps"] if "pack-token" in str(s)] == [pack]
    run = step(job, "id", "run")["run"]
    assert '--program "$PROGRAM"' in run and '"$RUNNER_TEMP/guardrails/bin/preflight"' in run
