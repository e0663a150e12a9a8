"""Several stacks in one run: dependency order, StackReferences answered from the run or from a report
file, cycles and failing stacks, one pack for all stacks, every report format, nothing left running.

Fixtures: tests/fixtures/multistack/app (base exports a known value, a computed one and a secret;
svc-a, svc-b read it, edge reads stacks outside the run) and tests/fixtures/multistack/tangled
(ping and pong read each other, broken raises, after-broken reads broken, solo reads nothing).
"""
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from preflight import runner, stack_refs
from preflight.reports import render
from preflight.runner import RunOptions
from preflight.stacks import discover, run_stacks

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
APP = FIXTURES / "multistack" / "app"
TANGLED = FIXTURES / "multistack" / "tangled"
BASIC = FIXTURES / "packs" / "basic"
PLAINTEXT = "base-plaintext-9f3c"
BASE = "organization/fixture-multistack/base"
SECRET = {stack_refs.SIG_KEY: stack_refs.SECRET_SIG}
CYCLE = ("preflight: stack reference cycle: ping -> pong -> ping: each stack waits for the next one's outputs; "
         "answer one of them with --stack-outputs NAME=FILE")


def preflight(*args, tmp_path, env=None, program=APP):
    pid_file = tmp_path / "pids"
    full_env = {**os.environ, **(env or {}), runner.PID_FILE_ENV: str(pid_file)}
    proc = subprocess.run([sys.executable, "-m", "preflight", "--program", str(program), "--policy-pack", str(BASIC),
                           *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)
    for pid in pids(pid_file):
        assert_gone(pid)
    return proc


def pids(pid_file: Path) -> list[int]:
    return [int(p) for p in pid_file.read_text().split()] if pid_file.exists() else []


def assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def run(stacks, program=APP, **kwargs):
    multi = run_stacks([RunOptions(program=program, stack=s, policy_pack=BASIC, **kwargs) for s in stacks])
    for pid in runner.last_pids:
        assert_gone(pid)
    return multi


@pytest.fixture(scope="module")
def preview():
    return run(["svc-a", "svc-b", "base", "edge"], mode="preview")


def test_stacks_run_in_dependency_order_and_the_pack_starts_once(preview):
    assert preview.order == ["base", "svc-a", "svc-b", "edge"]     # base first: the others read it
    assert [r.stack for r in preview.reports] == preview.order
    assert preview.reads == {"svc-a": ["base"], "svc-b": ["base"], "base": [], "edge": []}
    # Four stacks, one pool: no more pack processes than one stack alone starts.
    assert 1 <= len(runner.last_pack_pids) <= runner.pack_instances()
    # One program host per stack (no rule of the basic pack leaves anything to known parts), forked from one
    # fork server for the program's interpreter.
    assert len(runner.last_fork_server_pids) == 1
    assert len(runner.last_pids) == 4 + len(runner.last_pack_pids) + 1
    assert preview.exit_code == 1 and not preview.failures          # svc-b does not scan on push


def test_preview_answers_what_is_known_and_keeps_unknowns_unknown(preview):
    base = preview.report("base")
    assert base.outputs == {"artifact_bucket_arn": {"unknown": True}, "db_password": {"secret": True},
                            "region": {"value": "us-west-2"}, "replicas": {"value": 3}}
    svc_a = preview.report("svc-a")
    assert svc_a.outputs == {"seen_bucket_0": {"unknown": True}, "seen_password_0": {"secret": True},
                             "seen_region_0": {"value": "us-west-2"}, "seen_replicas_0": {"value": 3},
                             "service": {"value": "svc-a"}}
    assert svc_a.answered_stack_references == [{"name": BASE, "stack": BASE, "source": "run"}]
    assert svc_a.stack_references == []
    # The short forms resolve as the CLI resolves them: <stack> and <org>/<stack> of the current project.
    assert preview.report("svc-b").answered_stack_references == [
        {"name": "base", "stack": BASE, "source": "run"},
        {"name": "organization/base", "stack": BASE, "source": "run"}]
    repo = next(r for r in svc_a.resources if r.type == "aws:ecr/repository:Repository")
    assert repo.inputs["tags"]["region"] == "us-west-2"
    assert repo.inputs["tags"]["bucket"] == stack_refs.UNKNOWN


def test_a_secret_output_stays_secret_across_the_reference(preview):
    repo = next(r for r in preview.report("svc-a").resources if r.type == "aws:ecr/repository:Repository")
    token = repo.inputs["tags"]["token"]
    assert {k: token[k] for k in SECRET} == SECRET and token["value"] == PLAINTEXT   # the pack gets a secret
    for fmt in ("text", "json", "sarif", "markdown", "junit"):
        assert PLAINTEXT not in render(preview, fmt)


def test_references_outside_the_run_are_listed(preview):
    edge = preview.report("edge")
    # Two parts are <org>/<stack>: fixture-multistack/base is stack base of the org fixture-multistack.
    assert sorted(edge.stack_references) == ["fixture-multistack/base", "organization/other-project/prod"]
    assert edge.answered_stack_references == []
    assert edge.to_json()["unanswered_stack_references"] == edge.stack_references


READER = """
import asyncio
import pulumi

ref = pulumi.StackReference("ref", stack_name="base")
pulumi.export("known", ref.get_output("region"))
pulumi.export("unknown", ref.get_output("arn"))
pulumi.export("secret", ref.get_output("password"))
pulumi.export("required", ref.require_output("region"))

async def details():
    known, secret, unknown = [await ref.get_output_details(n) for n in ("region", "password", "arn")]
    return [known.value, known.secret_value, secret.value, secret.secret_value, unknown.value, unknown.secret_value]
pulumi.export("details", pulumi.Output.from_input(asyncio.ensure_future(details())))
"""


def test_in_preview_each_output_of_a_reference_is_known_or_unknown_on_its_own(tmp_path):
    # The SDK holds the whole outputs map unknown when one output is; preflight reads them one by one.
    from preflight.monitor import ROOT_STACK_TYPE
    from preflight.program import ProgramSpec, run_program
    (tmp_path / "__main__.py").write_text(READER)
    wire = {"region": "us-west-2", "arn": stack_refs.UNKNOWN, "password": {**SECRET, "value": "pw"}}
    spec = ProgramSpec(name="reader", stack="dev", directory=tmp_path, main=tmp_path / "__main__.py", config={},
                       secret_keys=[])
    run_ = run_program(spec, "preview", stack_outputs=lambda name: stack_refs.answer(wire))
    root = next(r for r in run_.monitor.registrations.values() if r.type == ROOT_STACK_TYPE)
    assert root.outputs == {"known": "us-west-2", "unknown": stack_refs.UNKNOWN, "required": "us-west-2",
                            "secret": {**SECRET, "value": "pw"},
                            "details": ["us-west-2", None, None, "pw", None, None]}


def test_up_answers_the_fabricated_outputs():
    multi = run(["base", "svc-a"], mode="up")
    arn = multi.report("base").outputs["artifact_bucket_arn"]["value"]
    assert arn.startswith("arn:aws:s3:::artifacts-")
    assert multi.report("svc-a").outputs["seen_bucket_0"] == {"value": arn}
    assert multi.report("svc-a").outputs["seen_password_0"] == {"secret": True}


def test_the_wait_for_another_stack_is_not_the_programs_time(monkeypatch):
    # base takes ~2.2s, svc-a ~2.2s of its own after ~2s waiting for base: only its own time counts.
    monkeypatch.setenv("FIXTURE_BASE_SLEEP", "1.5")
    monkeypatch.setenv("FIXTURE_SERVICE_SLEEP", "1.5")
    multi = run(["svc-a", "base"], program_timeout=3.5)
    assert multi.error_lines() == [] and multi.order == ["base", "svc-a"]
    assert multi.report("svc-a").timings["program"] > 3.5


def test_stack_outputs_file_answers_a_reference_and_the_secret_stays_secret(tmp_path):
    base_json = tmp_path / "base.json"
    proc = preflight("--stack", "base", "--format", "json", "--output", str(base_json), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(base_json.read_text())
    assert data["outputs"]["db_password"] == {"secret": True} and PLAINTEXT not in base_json.read_text()
    report = runner.run(RunOptions(program=APP, stack="svc-a", policy_pack=BASIC,
                                   stack_outputs=[f"base={base_json}"]))
    assert report.answered_stack_references == [{"name": BASE, "stack": BASE, "source": str(base_json)}]
    assert report.outputs["seen_region_0"] == {"value": "us-west-2"}
    assert report.outputs["seen_bucket_0"] == {"unknown": True}
    assert report.outputs["seen_password_0"] == {"secret": True}
    repo = next(r for r in report.resources if r.type == "aws:ecr/repository:Repository")
    assert repo.inputs["tags"]["token"] == {**SECRET, "value": stack_refs.SECRET_OUTPUT_PLACEHOLDER}


def test_stack_outputs_file_answers_a_reference_outside_the_run(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"stack": "prod", "project": "other-project", "mode": "up",
                                 "outputs": {"region": {"value": "eu-west-1"}}}))
    # `fixture-multistack/base` is stack base of this project in the org fixture-multistack.
    other.with_name("base.json").write_text(json.dumps({"stack": "base", "project": "fixture-multistack",
                                                        "outputs": {"region": {"value": "us-east-2"}}}))
    # The report names no org: it answers the project/stack under the org the program names (here its own).
    report = runner.run(RunOptions(program=APP, stack="edge", policy_pack=BASIC, mode="up",
                                   stack_outputs=[f"organization/other-project/prod={other}",
                                                  f"fixture-multistack/base={other.with_name('base.json')}"]))
    assert report.outputs["seen_region_0"] == {"value": "eu-west-1"}
    assert report.outputs["seen_region_1"] == {"value": "us-east-2"}
    assert report.stack_references == []


@pytest.mark.parametrize("spec, phrase", [
    ("base", "expected NAME=FILE"),
    ("a/b/c/d={tmp}/x.json", "'a/b/c/d' is not a stack name"),
    ("base={tmp}/missing.json", "No such file or directory"),
    ("base={tmp}/other.json", "has no report of fixture-multistack/base (it has other-project/prod)"),
    ("base={tmp}/old.json", "has no outputs"),
    ("base={tmp}/preview.json", "outputs bucket of organization/fixture-multistack/base are unknown until apply"),
])
def test_stack_outputs_that_cannot_be_used_are_one_line(tmp_path, spec, phrase):
    (tmp_path / "other.json").write_text(json.dumps({"stack": "prod", "project": "other-project", "outputs": {}}))
    (tmp_path / "old.json").write_text(json.dumps({"stack": "base", "project": "fixture-multistack"}))
    (tmp_path / "preview.json").write_text(json.dumps({"stack": "base", "project": "fixture-multistack",
                                                       "outputs": {"bucket": {"unknown": True}}}))
    spec, phrase = spec.replace("{tmp}", str(tmp_path)), phrase.replace("{tmp}", str(tmp_path))
    proc = preflight("--stack", "svc-a", "--mode", "up", "--stack-outputs", spec, tmp_path=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and phrase in proc.stderr, proc.stderr


def test_stack_outputs_for_a_stack_of_the_run_is_refused(tmp_path):
    (tmp_path / "base.json").write_text(json.dumps({"stack": "base", "project": "fixture-multistack", "outputs": {}}))
    proc = preflight("--stack", "svc-a", "--stack", "base", "--stack-outputs", f"base={tmp_path / 'base.json'}",
                     tmp_path=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.strip().endswith(f"{BASE} is a stack of this run; its outputs come from the run")


def test_all_stacks_json_has_every_stack_and_a_summary(tmp_path):
    proc = preflight("--all-stacks", "--format", "json", "--timings", tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stderr                # the worst stack: svc-b's mandatory violations
    data = json.loads(proc.stdout)
    assert list(data) == ["stacks", "summary"]
    assert [r["stack"] for r in data["stacks"]] == ["base", "edge", "svc-a", "svc-b"]
    assert all("outputs" in r and "answered_stack_references" in r for r in data["stacks"])
    summary = data["summary"]
    assert {k: summary[k] for k in ("project", "mode", "exit_code", "mandatory")} == \
        {"project": "fixture-multistack", "mode": "preview", "exit_code": 1, "mandatory": 2}
    assert summary["stacks"][3] == {"stack": "svc-b", "verdict": "fail", "exit_code": 1, "resources": 3,
                                    "mandatory": 2, "advisory": 1, "waived": 4, "reads": ["base"], "error": None}
    assert PLAINTEXT not in proc.stdout + proc.stderr
    assert "timings svc-a: load" in proc.stderr and "timings: total" in proc.stderr
    assert len(pids(tmp_path / "pids")) - 4 - 1 <= runner.pack_instances()  # 4 program hosts, their fork server, the packs


def test_one_stack_keeps_the_single_report_shape(tmp_path):
    proc = preflight("--stack", "base", "--format", "json", tmp_path=tmp_path)
    data = json.loads(proc.stdout)
    assert list(data)[:3] == ["stack", "project", "mode"] and list(data)[-2:] == ["outputs", "answered_stack_references"]
    assert data["outputs"]["region"] == {"value": "us-west-2"}


def test_a_cycle_is_exit_2_with_one_line_naming_it_and_the_others_are_reported(tmp_path):
    proc = preflight("--stack", "ping", "--stack", "pong", "--stack", "solo", "--format", "json",
                     program=TANGLED, tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == CYCLE + "\n"
    data = json.loads(proc.stdout)
    assert [r["stack"] for r in data["stacks"]] == ["solo"]
    errors = {s["stack"]: s["error"] for s in data["summary"]["stacks"]}
    assert errors == {"solo": None, "ping": CYCLE[len("preflight: "):], "pong": CYCLE[len("preflight: "):]}


def test_all_stacks_with_failing_stacks_is_exit_2_and_reports_the_others(tmp_path):
    proc = preflight("--all-stacks", program=TANGLED, tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "preflight: stack broken: program error at __main__.py:8: ValueError: fixture-tangled: broken on purpose",
        CYCLE]
    sections = [line for line in proc.stdout.splitlines() if line.startswith("=== stack ")]
    assert sections == ["=== stack broken ===", "=== stack after-broken ===", "=== stack solo ===",
                        "=== stack ping ===", "=== stack pong ==="]
    after = proc.stdout[proc.stdout.index("=== stack after-broken ==="):proc.stdout.index("=== stack solo ===")]
    assert "Unanswered stack references" in after and "  broken" in after   # its reference is listed
    assert proc.stdout.rstrip().endswith("ERROR: 3 of 5 stacks could not run (broken, ping, pong) in "
                                         "fixture-tangled (preview)")


def test_a_stack_that_cannot_load_is_exit_2_and_the_others_are_reported(tmp_path):
    proc = preflight("--stack", "solo", "--stack", "nope", "--format", "json", program=TANGLED, tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f"preflight: stack nope: stack file {TANGLED / 'Pulumi.nope.yaml'} not found "
                           "(stack 'nope' of project 'fixture-tangled')\n")
    assert [r["stack"] for r in json.loads(proc.stdout)["stacks"]] == ["solo"]
    proc = preflight("--stack", "nope", "--stack", "nada", program=TANGLED, tmp_path=tmp_path)
    assert (proc.returncode, proc.stdout, len(proc.stderr.splitlines())) == (2, "", 2)    # nothing ran


def test_markdown_is_one_table_with_each_stack_folded(preview):
    text = render(preview, "markdown")
    assert text.startswith("### ❌ FAIL: preflight fixture-multistack, 4 stacks")
    table = [line for line in text[:text.index("<details>")].splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip() for row in table] == ["`base`", "`svc-a`", "`svc-b`", "`edge`"]
    assert table[2].split("|")[2].strip() == "❌ FAIL" and table[1].split("|")[7].strip() == "`base`"
    assert text.count("<details><summary><code>") == 4 and text.count("</details>") >= 4
    assert "### ✅ PASS: preflight fixture-multistack/base" in text


def test_junit_has_a_testsuite_per_stack(preview):
    root = ET.fromstring(render(preview, "junit"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"fixture-pack fixture-multistack/{s}" for s in preview.order]
    assert root.get("failures") == "2" == suites[2].get("failures")
    assert sum(int(s.get("tests")) for s in suites) == int(root.get("tests"))


def test_sarif_has_a_run_per_stack_with_its_own_category(preview):
    data = json.loads(render(preview, "sarif"))
    runs = data["runs"]
    assert [r["automationDetails"]["id"] for r in runs] == [f"preflight/fixture-multistack/{s}/" for s in preview.order]
    assert [r["properties"]["stack"] for r in runs] == preview.order
    errors = [[r["ruleId"] for r in run["results"] if r["level"] == "error"] for run in runs]
    assert errors == [[], [], ["fixture-repo-scan-on-push"] * 2, []]


def test_text_has_a_section_per_stack_and_a_summary(preview):
    text = render(preview, "text")
    assert [line for line in text.splitlines() if line.startswith("=== ")] == [   # the summary first
        "=== summary: preflight fixture-multistack (preview), 4 stacks ===",
        "=== stack base ===", "=== stack svc-a ===", "=== stack svc-b ===", "=== stack edge ==="]
    assert "  svc-b  FAIL   2 mandatory violations" in text and "; reads base" in text
    assert text.rstrip().endswith("FAIL: 1 of 4 stacks with mandatory violations (svc-b) in fixture-multistack (preview)")


def test_stack_flags(tmp_path):
    assert discover(APP) == ["base", "edge", "svc-a", "svc-b"]      # stackConfigDir: stacks
    cases = [(["--stack", "base", "--stack", "base"], "argument --stack: given more than once (base)", APP),
             (["--stack", "base", "--all-stacks"], "--stack and --all-stacks: give one or the other", APP)]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "Pulumi.yaml").write_text("name: empty\nruntime: python\n")
    many = tmp_path / "many"
    many.mkdir()
    (many / "Pulumi.yaml").write_text("name: many\nruntime: python\n")
    for i in range(21):
        (many / f"Pulumi.s{i}.yaml").write_text("config: {}\n")
    for args, phrase, program in cases + [
            (["--all-stacks"], f"--all-stacks: no stack file Pulumi.<stack>.yaml in {empty}", empty),
            (["--all-stacks", "--format", "sarif"], "--format sarif: 21 stacks", many)]:
        proc = preflight(*args, program=program, tmp_path=tmp_path)
        assert (proc.returncode, proc.stdout) == (2, ""), args
        assert proc.stderr.count("\n") == 1 and phrase in proc.stderr, proc.stderr


def test_a_signal_stops_every_process_of_the_run(tmp_path):
    pid_file = tmp_path / "pids"
    env = {**os.environ, runner.PID_FILE_ENV: str(pid_file), "FIXTURE_BASE_SLEEP": "60"}
    proc = subprocess.Popen([sys.executable, "-m", "preflight", "--program", str(APP), "--policy-pack", str(BASIC),
                             "--all-stacks"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 30
    while len(pids(pid_file)) < 4 and time.monotonic() < deadline:   # hosts of the stacks waiting for base
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    clock = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - clock < 5
    assert proc.returncode == 143 and err == "preflight: stopped by SIGTERM\n"
    for pid in pids(pid_file):
        if os.path.exists(f"/proc/{pid}"):
            print("LEFT", pid, open(f"/proc/{pid}/stat").read()[:80], open(f"/proc/{pid}/cmdline").read()[:100])
    for pid in pids(pid_file):
        assert_gone(pid)
