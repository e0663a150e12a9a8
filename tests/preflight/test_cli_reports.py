"""`--report FORMAT=FILE`: more reports of the same run (CI publishes JSON, SARIF and Markdown from one run
instead of three), checked before the run like --output."""
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIOLATING = ROOT / "tests" / "fixtures" / "violating"


def preflight(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preflight", "--program", str(VIOLATING), "--stack", "dev",
                           "--policy-pack", str(ROOT / "policies"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_one_run_writes_every_report_asked_for_and_they_agree(tmp_path):
    proc = preflight("--format", "json", "--report", f"sarif={tmp_path / 'r.sarif'}",
                     "--report", f"markdown={tmp_path / 'r.md'}", "--report", f"github={tmp_path / 'r.gh'}")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    errors = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert len(errors) == len(mandatory) > 0
    assert {r["ruleId"] for r in errors} == {v["policy"] for v in mandatory}
    assert "ecr-repository-scan-on-push" in (tmp_path / "r.md").read_text()
    assert sum(line.startswith("::error") for line in (tmp_path / "r.gh").read_text().splitlines()) == len(mandatory)


def test_a_report_that_cannot_be_written_or_an_unknown_format_stops_before_the_run(tmp_path):
    started = time.monotonic()
    proc = preflight("--report", f"sarif={tmp_path / 'missing' / 'r.sarif'}")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"preflight: --report {tmp_path / 'missing' / 'r.sarif'}: directory " \
                          f"{tmp_path / 'missing'} does not exist\n"
    assert time.monotonic() - started < 10      # refused before any program or pack started
    proc = preflight("--report", "pdf=r.pdf")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "'pdf=r.pdf': expected FORMAT=FILE, FORMAT one of text, json, sarif, markdown, junit, github" in proc.stderr
