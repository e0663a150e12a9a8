"""Bad input, family "command-line flags": what a new user mistypes and an attacker tries on `python -m preflight`.

Every case runs `python -m preflight` in its own process and holds the harness contract: exit 2, one
line on stderr naming the flag or the file (the CLI's wording), nothing written into the program
directory, no process left alive. In args, {program} is the valid tiny program and {tmp} the test's
temporary directory, where SETUP has made the files the cases name.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.badinput.harness import PACK, Program, assert_contract, run_preflight, snapshot


def _setup(tmp: Path) -> None:
    (tmp / "a-file").write_text("not a directory\n")
    (tmp / "empty-dir").mkdir()
    nodejs = tmp / "nodejs-pack"
    nodejs.mkdir()
    (nodejs / "PulumiPolicy.yaml").write_text("runtime: nodejs\n")
    (nodejs / "index.js").write_text("console.log('hi')\n")
    (tmp / "bad.json").write_text('{"all": "mandatory",\n')
    (tmp / "latin1.json").write_bytes(b'{"all": "advisory", "note": "caf\xe9"}\n')
    (tmp / "nan.json").write_text('{"fixture-bucket-tagged": {"enforcementLevel": "mandatory", "limit": NaN}}\n')
    (tmp / "list.json").write_text('["mandatory"]\n')
    (tmp / "unknown-policy.json").write_text('{"no-such-policy": "mandatory"}\n')
    (tmp / "bad-level.json").write_text('{"all": "strict"}\n')


def timeout_cases(flag: str, values: list[str]) -> list[tuple]:
    return [(f"{flag[2:]}-{v or 'empty'}", [flag, v], "argument " + flag) for v in values]


# (id, args, phrase on the one stderr line)
CASES = [
    ("unknown-flag", ["--bogus"], "unrecognized arguments: --bogus"),
    ("positional-argument", ["prod"], "unrecognized arguments: prod"),
    ("double-dash-garbage", ["--", "rm -rf /"], "unrecognized arguments: -- rm -rf /"),
    ("single-dash-long-flag", ["-stack", "dev"], "unrecognized arguments: -stack"),
    ("flag-typo-near-a-real-one", ["--timeout", "5"], "unrecognized arguments: --timeout 5"),
    ("ambiguous-abbreviation", ["--p", "x"], "ambiguous option: --p could match"),
    ("format-bogus", ["--format", "bogus"], "argument --format: invalid choice: 'bogus'"),
    ("format-uppercase", ["--format", "JSON"], "argument --format: invalid choice: 'JSON'"),
    ("format-empty", ["--format="], "argument --format: invalid choice: ''"),
    ("mode-bogus", ["--mode", "apply"], "argument --mode: invalid choice: 'apply'"),
    ("mode-without-value", ["--mode"], "argument --mode: expected one argument"),
    ("stack-without-value", ["--stack"], "argument --stack: expected one argument"),
    ("stack-followed-by-a-flag", ["--stack", "--debug"], "argument --stack: expected one argument"),
    ("stack-unknown", ["--stack", "qa"], "Pulumi.qa.yaml not found (stack 'qa'"),
    ("stack-repeated", ["--stack", "dev", "--stack", "dev"], "argument --stack: given more than once"),
    ("format-repeated", ["--format", "json", "--format", "sarif"], "argument --format: given more than once"),
    ("program-repeated", ["--program", "{program}", "--program", "{tmp}/empty-dir"],
     "argument --program: given more than once"),
    ("program-missing-dir", ["--program", "{tmp}/nowhere"], "--program {tmp}/nowhere: no such directory"),
    ("program-a-file", ["--program", "{tmp}/a-file"], "--program {tmp}/a-file: not a directory"),
    ("program-empty-string", ["--program", ""], "--program: empty path"),
    ("program-without-project", ["--program", "{tmp}/empty-dir"], "no Pulumi.yaml project file found"),
    ("policy-pack-missing-dir", ["--policy-pack", "{tmp}/nowhere"], "the directory does not exist"),
    ("policy-pack-a-file", ["--policy-pack", "{tmp}/a-file"], "{tmp}/a-file"),
    ("policy-pack-without-PulumiPolicy", ["--policy-pack", "{tmp}/empty-dir"], "no PulumiPolicy.yaml"),
    ("policy-pack-nodejs", ["--policy-pack", "{tmp}/nodejs-pack"], "nodejs"),
    ("policy-pack-empty-string", ["--policy-pack", ""], "--policy-pack: empty path"),
    ("policy-pack-config-missing", ["--policy-pack-config", "{tmp}/nowhere.json"], "No such file or directory"),
    ("policy-pack-config-a-directory", ["--policy-pack-config", "{tmp}/empty-dir"], "Is a directory"),
    ("policy-pack-config-invalid-json", ["--policy-pack-config", "{tmp}/bad.json"],
     "policy pack config {tmp}/bad.json:2"),
    ("policy-pack-config-not-utf8", ["--policy-pack-config", "{tmp}/latin1.json"], "{tmp}/latin1.json: not UTF-8"),
    ("policy-pack-config-nan", ["--policy-pack-config", "{tmp}/nan.json"], "NaN"),
    ("policy-pack-config-a-list", ["--policy-pack-config", "{tmp}/list.json"], "policy pack config {tmp}/list.json"),
    ("policy-pack-config-unknown-policy", ["--policy-pack-config", "{tmp}/unknown-policy.json"], "no-such-policy"),
    ("policy-pack-config-bad-level", ["--policy-pack-config", "{tmp}/bad-level.json"], "strict"),
    ("policy-pack-config-empty-string", ["--policy-pack-config", ""], "--policy-pack-config: empty path"),
    ("output-in-missing-dir", ["--output", "{tmp}/no/report.txt"], "--output {tmp}/no/report.txt: directory"),
    ("output-a-directory", ["--output", "{tmp}/empty-dir"], "--output {tmp}/empty-dir: is a directory"),
    ("output-under-a-file", ["--output", "{tmp}/a-file/report.txt"],
     "--output {tmp}/a-file/report.txt: {tmp}/a-file is not a directory"),
    ("output-empty-string", ["--output", ""], "--output: empty path"),
    ("output-into-program-on-bad-stack", ["--stack", "qa", "--output", "{program}/report.txt"], "Pulumi.qa.yaml"),
    ("debug-keeps-one-line", ["--debug", "--format", "bogus"], "argument --format: invalid choice"),
    ("timings-on-failure", ["--timings", "--stack", "qa"], "Pulumi.qa.yaml"),
    *timeout_cases("--program-timeout", ["nan", "inf", "-1", "0", "abc", "", "1e309"]),
    *timeout_cases("--analyze-timeout", ["NaN", "-inf", "0", "ten"]),
    *timeout_cases("--pack-start-timeout", ["Infinity", "-0.5", "0x10"]),
]


@pytest.mark.parametrize("args, phrase", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_a_bad_flag_is_refused_in_one_line(tmp_path, args, phrase):
    program = Program(root=tmp_path).write()
    _setup(tmp_path)
    fill = {"{program}": str(program), "{tmp}": str(tmp_path)}
    for key, value in fill.items():
        args = [a.replace(key, value) for a in args]
        phrase = phrase.replace(key, value)
    before = snapshot(program)
    outcome = run_preflight(args, program=program, tmp_path=tmp_path)
    assert_contract(outcome, code=2, contains=phrase, before=before, program=program)
    assert not any(p.name.startswith("report") for p in tmp_path.rglob("*"))


def test_there_are_thirty_distinct_cases_at_least():
    assert len({c[0] for c in CASES}) == len(CASES) >= 30
    assert PACK.is_dir()
