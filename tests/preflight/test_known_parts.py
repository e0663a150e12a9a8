"""preflight/known_parts.py: a preview finding from two salted `up` runs, only where the preview could not
evaluate it (pulumi_policy policy.py reports such a policy as "can't run policy ... during preview")."""
import shutil
from pathlib import Path

from preflight import fabricate, runner
from preflight.known_parts import NOTE, judged, unevaluated_pairs
from preflight.model import Report
from preflight.protocol import Diagnostic
from preflight.runner import RunOptions

URN = "urn:pulumi:prod::p::aws:ecs/taskDefinition:TaskDefinition::orders"
OTHER = "urn:pulumi:prod::p::aws:ecs/taskDefinition:TaskDefinition::payments"


def diag(policy, urn, message):
    return Diagnostic(policy=policy, enforcement="mandatory", severity="high", message=message, description="",
                      urn=urn)


def unknown(policy, urn):
    return diag(policy, urn, f"can't run policy '{policy}' from policy pack 'aws-cicd-guardrails@v0.1.0' during "
                             "preview: containerDefinitions is unknown")


def test_a_finding_both_runs_report_where_the_preview_had_no_verdict_is_kept_and_marked():
    preview = [unknown("ecs-task-definition-image-pinned", URN), diag("other", OTHER, "already reported")]
    pairs = unevaluated_pairs(preview)
    assert pairs == {("ecs-task-definition-image-pinned", URN)}
    a = [diag("ecs-task-definition-image-pinned", URN, "image ...:latest"), diag("other", OTHER, "already reported")]
    b = [diag("ecs-task-definition-image-pinned", URN, "image ...:latest")]
    assert [(d.policy, d.message) for d in judged(pairs, [a, b])] == [
        ("ecs-task-definition-image-pinned", "image ...:latest" + NOTE)]


def test_a_finding_that_depends_on_a_made_up_value_is_dropped():
    pairs = {("ecs-task-definition-image-registry-allowed", URN)}
    a = [diag("ecs-task-definition-image-registry-allowed", URN, "registry 1a2b")]
    assert judged(pairs, [a, []]) == []


def test_nothing_is_added_where_the_preview_had_a_verdict():
    a = b = [diag("ecr-repository-scan-on-push", URN, "no scan")]
    assert judged(set(), [a, b]) == [] and judged({("x", URN)}, [a, b]) == []


def test_the_salt_varies_made_up_ids_and_never_what_follows_from_known_inputs(monkeypatch):
    place = fabricate.Place("333333333333", "us-east-1")
    urn = "urn:pulumi:prod::p::aws:kms/key:Key::k"
    first = fabricate.identity("aws:kms/key:Key", "k", urn, {}, place)
    repo = fabricate.identity("aws:ecr/repository:Repository", "r", urn.replace("kms/key:Key::k", "ecr/repository:"
                                                                                "Repository::r"), {"name": "r"}, place)
    monkeypatch.setattr(fabricate, "SALT", "known-parts-b")
    second = fabricate.identity("aws:kms/key:Key", "k", urn, {}, place)
    assert first[0] != second[0] and first[1]["arn"].startswith("arn:aws:kms:us-east-1:333333333333:key/")
    assert fabricate.identity("aws:ecr/repository:Repository", "r", urn.replace(
        "kms/key:Key::k", "ecr/repository:Repository::r"), {"name": "r"}, place) == repo
    assert repo[1]["repositoryUrl"] == "333333333333.dkr.ecr.us-east-1.amazonaws.com/r"


def _preflight(*args):
    import subprocess
    import sys
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-m", "preflight", "--program", str(root / "tests/fixtures/known_parts"),
                           "--stack", "dev", "--policy-pack", str(root / "policies"), "--format", "json", *args],
                          cwd=root, capture_output=True, text=True, timeout=300)


def test_a_latest_tag_on_an_unknown_repository_url_is_caught_in_the_default_preview():
    import json
    proc = _preflight()
    report = json.loads(proc.stdout)
    pinned = [v for v in report["violations"] if v["policy"] == "ecs-task-definition-image-pinned"]
    assert proc.returncode == 1 and len(pinned) == 1, proc.stderr
    assert ":latest" in pinned[0]["message"] and pinned[0]["message"].endswith(NOTE)
    assert pinned[0]["resource_name"] == "orders" and pinned[0]["enforcement"] == "mandatory"
    assert not [n for n in report["not_applicable"] if n["policy"] == "ecs-task-definition-image-pinned"]
    # Nothing the known parts do not decide was added: every added finding is the pinned-image one.
    assert [v["policy"] for v in report["violations"] if v["message"].endswith(NOTE)] == [
        "ecs-task-definition-image-pinned"]


def test_without_known_parts_the_check_is_listed_as_not_evaluated():
    import json
    proc = _preflight("--no-known-parts")
    report = json.loads(proc.stdout)
    assert not [v for v in report["violations"] if v["policy"] == "ecs-task-definition-image-pinned"]
    assert [n["policy"] for n in report["not_applicable"] if n["policy"] == "ecs-task-definition-image-pinned"]


def test_generated_random_strings_are_made_up_per_salt_with_their_length(monkeypatch):
    urn = "urn:pulumi:prod::p::random:index/randomPassword:RandomPassword::db"
    first = fabricate.identity("random:index/randomPassword:RandomPassword", "db", urn, {"length": 24},
                               fabricate.Place("333333333333", "us-east-1"))[1]["result"]
    monkeypatch.setattr(fabricate, "SALT", "known-parts-b")
    second = fabricate.identity("random:index/randomPassword:RandomPassword", "db", urn, {"length": 24},
                                fabricate.Place("333333333333", "us-east-1"))[1]["result"]
    assert len(first) == len(second) == 24 and first != second


def _hosts_of_a_run(program) -> tuple[Report, int]:
    report = runner.run(RunOptions(program=program, stack="dev", policy_pack=program.parents[2] / "policies"))
    hosts = set(runner.last_pids) - set(runner.last_pack_pids) - set(runner.last_fork_server_pids)
    return report, len(hosts)


def test_a_second_salted_run_only_when_the_first_found_something_the_preview_could_not_judge(tmp_path):
    fixture = Path(__file__).resolve().parents[2] / "tests/fixtures/known_parts"
    report, hosts = _hosts_of_a_run(fixture)
    assert [v.policy for v in report.violations if v.message.endswith(NOTE)] == ["ecs-task-definition-image-pinned"]
    assert hosts == 3                       # the preview, then both salted runs
    # The same program with its image tagged by a git SHA: the first salted run finds nothing there.
    clean = tmp_path / "tests" / "fixtures" / "known_parts"
    shutil.copytree(fixture, clean)
    (clean.parents[2] / "policies").symlink_to(fixture.parents[2] / "policies")
    main = clean / "__main__.py"
    main.write_text(main.read_text().replace('f"{url}:latest"', 'f"{url}:3f9c2d1"'))
    report, hosts = _hosts_of_a_run(clean)
    assert not [v for v in report.violations if v.policy == "ecs-task-definition-image-pinned"]
    # A clean salted run is no verdict of its own: the check stays listed as not evaluated in preview.
    assert [n["policy"] for n in report.not_applicable if n["policy"] == "ecs-task-definition-image-pinned"]
    assert hosts == 2                       # the preview and one salted run
