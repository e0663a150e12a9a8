"""End to end: fixture programs and fixture packs through `python -m preflight` and the runner."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from preflight import runner
from preflight.runner import PreflightError, RunOptions

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BASIC = FIXTURES / "packs" / "basic"
V = "urn:pulumi:dev::fixture-violating::"


def preflight(*args, env=None, tmp_path=None):
    pid_file = tmp_path / "pack.pid" if tmp_path else None
    full_env = {**os.environ, **(env or {})}
    if pid_file:
        full_env[runner.PID_FILE_ENV] = str(pid_file)
    proc = subprocess.run([sys.executable, "-m", "preflight", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)
    if pid_file and pid_file.exists():
        for pid in pid_file.read_text().split():
            assert_gone(int(pid))
    return proc


def assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def run(program: str, pack: Path = BASIC, **kwargs):
    report = runner.run(RunOptions(program=FIXTURES / program, policy_pack=pack, **kwargs))
    assert runner.last_pack_pids
    for pid in runner.last_pack_pids:
        assert_gone(pid)
    return report


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "markdown", "junit"])
def test_mandatory_violation_exits_1_and_is_named_in_every_format(fmt, tmp_path):
    # Known parts would add the echo policy's finding on the bucket policy (tests/preflight/test_known_parts.py).
    proc = preflight("--program", "tests/fixtures/violating", "--policy-pack", str(BASIC), "--format", fmt,
                     "--no-known-parts", tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "fixture-repo-scan-on-push" in proc.stdout
    assert "does not scan on push" in proc.stdout
    if fmt == "json":
        report = json.loads(proc.stdout)
        mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
        assert mandatory == [{"policy": "fixture-repo-scan-on-push", "enforcement": "mandatory", "severity": "high",
                              "urn": V + "aws:ecr/repository:Repository::orders", "resource_name": "orders",
                              "resource_type": "aws:ecr/repository:Repository",
                              "message": "repository 'orders' does not scan on push; set scan_on_push=True",
                              "location": "__main__.py:17"}]
        assert report["summary"] == {"resources": 7, "mandatory": 1, "advisory": 2, "waived": 2}
        assert report["unanswered_invokes"] == ["aws:ec2/getVpc:getVpc"]
    elif fmt == "sarif":
        assert json.loads(proc.stdout)["version"] == "2.1.0"
    elif fmt == "junit":
        assert ET.fromstring(proc.stdout).iter("testcase")


def test_advisory_only_exits_0_and_writes_the_output_file(tmp_path):
    out = tmp_path / "report.json"
    proc = preflight("--program", "tests/fixtures/advisory", "--policy-pack", str(BASIC), "--format", "json",
                     "--output", str(out), "--timings", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    report = json.loads(out.read_text())
    assert report["summary"]["mandatory"] == 0
    assert {v["policy"] for v in report["violations"]} == {"fixture-tagged", "fixture-stack-has-bucket"}
    assert "timings: load" in proc.stderr and "pack_start" in proc.stderr and "analysis" in proc.stderr


def test_program_error_exits_2_with_the_programs_message_and_line(tmp_path):
    proc = preflight("--program", "tests/fixtures/raises", "--policy-pack", str(BASIC), tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("preflight: program error at settings.py:4: "
                                   "ValueError: fixture-raises:port: must be 1..65535, got 70000")
    assert proc.stdout == ""


def test_bad_stack_config_exits_2_with_one_line(tmp_path):
    proc = preflight("--program", "tests/fixtures/badconfig", "--policy-pack", str(BASIC))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "config key 'fixture-badconfig:replicas' must be of type 'integer', got str \"three\"" in proc.stderr


def test_missing_stack_file_exits_2_with_one_line():
    proc = preflight("--program", "tests/fixtures/violating", "--stack", "nope", "--policy-pack", str(BASIC))
    assert proc.returncode == 2
    expected = (f"preflight: stack file {FIXTURES / 'violating' / 'Pulumi.nope.yaml'} not found "
                "(stack 'nope' of project 'fixture-violating')\n")
    assert proc.stderr == expected


def test_missing_pack_exits_2_with_one_line(tmp_path):
    proc = preflight("--program", "tests/fixtures/advisory", "--policy-pack", str(tmp_path / "nopack"))
    assert proc.returncode == 2
    # pkg/workspace LoadPolicyPack's wording, as the CLI refuses a pack directory that is not there.
    assert proc.stderr == (f"preflight: failed to load Pulumi policy project located at \"{tmp_path / 'nopack'}\": "
                           "the directory does not exist\n")


def test_pack_that_crashes_at_start_exits_2_and_leaves_no_process(tmp_path):
    proc = preflight("--program", "tests/fixtures/advisory", "--policy-pack", str(FIXTURES / "packs" / "crash"),
                     tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "failed to start: RuntimeError: fixture pack exploded at start" in proc.stderr
    assert (tmp_path / "pack.pid").exists()


def test_pack_that_never_prints_a_port_times_out_and_is_stopped(tmp_path):
    proc = preflight("--program", "tests/fixtures/advisory", "--policy-pack", str(FIXTURES / "packs" / "silent"),
                     "--pack-start-timeout", "1.5", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("printed no port within 1.5s")
    assert (tmp_path / "pack.pid").exists()


def test_preview_input_derived_from_a_computed_output_reaches_the_pack_unknown():
    report = run("violating", mode="preview", known_parts=False)
    # The SDK's "can't run during preview" advisory is no violation: the rule gave no verdict.
    assert not [v for v in report.violations if v.policy == "fixture-bucket-policy-echo"]
    assert {"policy": "fixture-bucket-policy-echo",
            "reason": "unknown during preview on bp: string value at .policy can't be known during preview"
            } in report.not_applicable
    # With known parts the echo holds in both salted runs: the bucket ARN follows from the bucket's name.
    judged = [v for v in run("violating", mode="preview").violations if v.policy == "fixture-bucket-policy-echo"]
    assert len(judged) == 1 and judged[0].message.endswith("[judged in preview on the known parts of values "
                                                           "computed at apply]")


def test_up_mode_input_is_the_computed_policy_with_the_fabricated_bucket_arn():
    report = run("violating", mode="up")
    echo = next(v for v in report.violations if v.policy == "fixture-bucket-policy-echo")
    bucket = next(r for r in report.resources if r.type == "aws:s3/bucket:Bucket")
    assert f'"arn:aws:s3:::{bucket.inputs["bucket"]}"' in echo.message
    assert {r.account for r in report.resources if r.custom} == {"111111111111"}


def test_report_contents_stack_level_violation_waivers_policies_and_secrets():
    report = run("advisory")
    stack_level = next(v for v in report.violations if v.policy == "fixture-stack-has-bucket")
    assert stack_level.urn is None and stack_level.message == "the stack has no S3 bucket"
    assert next(v for v in report.to_json()["violations"] if v["policy"] == "fixture-stack-has-bucket")["urn"] is None
    assert report.waived == 2
    assert {"policy": "fixture-waived",
            "reason": "waived (2): orders until 2099-01-31: migration to the new registry is in flight"} \
        in report.not_applicable
    meta = next(p for p in report.policies if p.name == "fixture-repo-scan-on-push")
    assert (meta.severity, meta.enforcement, meta.remediation, meta.tags) == \
        ("high", "mandatory", "Set image_scanning_configuration.", ["service:ecr"])
    # No explicit provider: the engine's default provider, configured from `aws:*` config.
    repo = next(r for r in report.resources if r.type == "aws:ecr/repository:Repository")
    assert repo.provider.startswith("urn:pulumi:dev::fixture-advisory::pulumi:providers:aws::default_7_51_1::")
    assert set(report.timings) == {"load", "program", "pack_start", "analysis", "schema"}
    secrets = run("violating").secret_config_keys
    assert secrets == ["fixture-violating:dbPassword"]


def test_policy_pack_config_is_reconciled_and_sent(tmp_path):
    config = tmp_path / "dev.json"
    config.write_text(json.dumps({"all": "advisory", "fixture-tagged": {"enforcementLevel": "disabled"}}))
    report = run("violating", policy_pack_config=config, known_parts=False)
    assert report.exit_code == 0
    assert {v.policy: v.enforcement for v in report.violations} == {"fixture-repo-scan-on-push": "advisory"}
    config.write_text(json.dumps({"fixture-tagged": "sometimes"}))
    with pytest.raises(PreflightError, match="not a valid enforcement level"):
        run("violating", policy_pack_config=config)


def test_cli_defaults_pack_and_stack_config_under_the_program(tmp_path):
    from preflight.cli import BUNDLED_PACK, options, parser
    (tmp_path / "policies" / "config").mkdir(parents=True)
    opts = options(parser().parse_args(["--program", str(tmp_path), "--stack", "prod"]))
    # No pack of its own: another team's program is checked with the bundled aws-cicd-guardrails.
    assert (opts.stack, opts.mode, opts.pack_dir, opts.policy_pack_config) == \
        ("prod", "preview", BUNDLED_PACK, None)
    assert (BUNDLED_PACK / "PulumiPolicy.yaml").exists()
    (tmp_path / "policies" / "PulumiPolicy.yaml").write_text("runtime: python\n")
    opts = options(parser().parse_args(["--program", str(tmp_path), "--stack", "prod"]))
    assert opts.pack_dir == tmp_path / "policies"
    (tmp_path / "policies" / "config" / "prod.json").write_text("{}")
    opts = options(parser().parse_args(["--program", str(tmp_path), "--stack", "prod", "--mode", "up"]))
    assert (opts.mode, opts.policy_pack_config) == ("up", tmp_path / "policies" / "config" / "prod.json")
    # A service stack of the split layout takes its environment's config, as `make preflight` does.
    opts = options(parser().parse_args(["--program", str(tmp_path), "--stack", "prod-orders"]))
    assert opts.policy_pack_config == tmp_path / "policies" / "config" / "prod.json"


def test_two_runs_of_one_program_give_identical_reports():
    from preflight.reports import render
    first, second = run("violating", mode="up"), run("violating", mode="up")
    assert render(first, "json") == render(second, "json")
    assert [r.urn for r in first.resources] == sorted(r.urn for r in first.resources)


def test_every_custom_resource_is_analyzed_while_the_program_runs(monkeypatch):
    from preflight import streaming
    seen = []
    original = streaming.StreamingAnalyzer.submit
    monkeypatch.setattr(streaming.StreamingAnalyzer, "submit", lambda self, reg: (seen.append(reg), original(self, reg)))
    report = run("violating", mode="up")
    custom = {r.urn for r in report.resources if r.custom}
    assert {reg.urn for reg in seen} == custom
    providers = [i for i, reg in enumerate(seen) if reg.is_provider]
    users = [i for i, reg in enumerate(seen) if not reg.is_provider]
    assert providers and min(users) > min(providers)


def test_a_run_leaves_the_callers_event_loop_in_place():
    import asyncio
    original = asyncio.get_event_loop_policy().get_event_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        run("violating", mode="up")
        assert asyncio.get_event_loop() is loop
    finally:
        asyncio.set_event_loop(original)
        loop.close()


def test_the_pack_does_not_inherit_the_programs_environment(monkeypatch):
    # The pack starts while the program runs with PULUMI_CONFIG & co. set; a large stack's config
    # in one variable would exceed the kernel's limit, and the pack gets its config over gRPC anyway.
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    report = run("violating", pack=FIXTURES / "packs" / "envcheck", mode="up")
    [violation] = report.violations
    assert violation.message == "inherited: none"
